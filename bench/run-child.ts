/**
 * Child-process entry of one measured run (see `child-job.ts`): receives a `ChildJob`, runs it,
 * sends back `{ ok, result }` and exits, so that each run's peak RSS and CPU profile are its own.
 */
import { measureBaseline } from './baseline.js';
import type { ChildJob, ChildResult } from './child-job.js';
import { measureOrgsyncRun } from './orgsync-run.js';

function run(job: ChildJob): Promise<ChildResult> {
  return job.kind === 'orgsync' ? measureOrgsyncRun(job) : measureBaseline(job);
}

process.once('message', (job: ChildJob) => {
  run(job).then(
    (result) => process.send?.({ ok: true, result }, () => process.disconnect()),
    (error: unknown) => {
      const message =
        error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? ` (cause: ${error.cause.message})` : ''}`
          : String(error);
      process.send?.({ ok: false, message }, () => process.disconnect());
      process.exitCode = 1;
    },
  );
});
