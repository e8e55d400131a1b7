import { z } from 'zod';

/** What started a job; kept in the run history (`orgsync runs`). */
export const triggerSchema = z.enum(['schedule', 'cli', 'webhook', 'api']);
