import { OrgsyncError } from './errors.js';

/**
 * A job that can never succeed as it stands (missing configuration, data gone): the worker fails
 * it at once, without retrying, with this message as the reason.
 */
export class PermanentJobError extends OrgsyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_JOB_PERMANENT', message, options);
  }
}

/** A payload that fails its schema, at enqueue or when a worker takes the job. Never retried. */
export class InvalidPayloadError extends OrgsyncError {
  readonly kind: string;
  readonly problems: readonly string[];

  constructor(kind: string, problems: readonly string[]) {
    super('ERR_JOB_PAYLOAD', `invalid ${kind} payload: ${problems.join('; ')}`);
    this.kind = kind;
    this.problems = problems;
  }
}
