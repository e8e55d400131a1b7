import { escapeLines } from './domain/safe-text.js';

/**
 * The root of every error orgsync raises on purpose. `code` is stable (users and tests match on
 * it; never change one), `message` says what failed, the identifiers involved and how to fix it,
 * and never contains a secret. The message is passed through `escapeLines`: a file name or a
 * header quoted in it can never put a control character on a terminal or in a log.
 */
export class OrgsyncError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(escapeLines(message), options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A setting is missing or invalid. `problems` lists every one, by setting name. */
export class ConfigError extends OrgsyncError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('ERR_CONFIG', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** The source (file, database, API) could not be read at all. Row-level problems are not errors. */
export class SourceError extends OrgsyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SOURCE', message, options);
  }
}

/**
 * Anything caught as `{ code, message }`, for a report item or the run history: an error's own
 * string `code` (every `OrgsyncError` has one; a system error such as `ECONNREFUSED` too), else
 * `fallbackCode`; its message (text or JSON for a thrown non-error).
 */
export function describeError(error: unknown, fallbackCode: string): { code: string; message: string } {
  const e = coerceError(error);
  const code = 'code' in e && typeof e.code === 'string' ? e.code : fallbackCode;
  return { code, message: e.message };
}

/** Normalise anything caught into an Error without casting. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
