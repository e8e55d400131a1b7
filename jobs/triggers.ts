import { z } from 'zod';
import { RUN_TRIGGERS } from '../src/store/run-history.js';

/** What started a job; kept in the run history (`orgsync runs`). */
export const triggerSchema = z.enum(RUN_TRIGGERS);
