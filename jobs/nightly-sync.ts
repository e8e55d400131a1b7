import { z } from 'zod';
import { retryRecordsOf } from '../src/engine/retry-records.js';
import { runSync } from '../src/engine/run.js';
import { PermanentJobError } from '../src/job-errors.js';
import type { RunOutcome } from '../src/job-contract.js';
import type { JobDefinition, NightlySyncHelpers } from './job-helpers.js';
import { triggerSchema } from './triggers.js';

/** `nightly-sync`: no data of its own; the source is the worker's ORGSYNC_SOURCE. */
export const nightlySyncPayloadSchema = z.strictObject({
  trigger: triggerSchema.default('schedule'),
});

/**
 * A full reconciliation of every account of the host source (design §4): full scope, so
 * organizations without an account are reported as orphans. It deletes them only with
 * ORGSYNC_NIGHTLY_ALLOW_DELETE, and adopts only with ORGSYNC_NIGHTLY_ADOPT (`helpers.applySettings`),
 * decided as `apply --scope full --allow-delete / --adopt` decides.
 */
export const nightlySyncJob: JobDefinition<typeof nightlySyncPayloadSchema, NightlySyncHelpers, RunOutcome> = {
  schema: nightlySyncPayloadSchema,
  async process(_payload, helpers) {
    const source = helpers.hostSource();
    if (!source) {
      throw new PermanentJobError(
        'the nightly sync needs a host source, and ORGSYNC_SOURCE is not set on this worker: set it (e.g. postgres:accounts) on every worker',
      );
    }
    const { report, plan } = await runSync(helpers.engine, {
      ...helpers.applySettings,
      mode: 'apply',
      scope: 'full',
      source,
      signal: helpers.signal,
      runId: helpers.runId,
    });
    return { report, retryRecords: retryRecordsOf(report, plan.items, helpers.engine.rules.regions) };
  },
};
