/**
 * What orgsync knows of one external ID besides the host source: the newest state the host system
 * pushed (a whole account, a delete, or "read me from the host source"), and the organization as
 * the newest Scalekit event showed it. Both are ordered by their `occurred_at`.
 */

/** How far ahead of now an `occurred_at` may be: the Standard Webhooks tolerance of the signature check (5 minutes). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** An `occurred_at` as epoch ms, at most `MAX_FUTURE_SKEW_MS` ahead of `nowMs`, so that a date in the future cannot pin a value. */
export function clampOccurredAtMs(occurredAt: string, nowMs: number = Date.now()): number {
  return Math.min(Date.parse(occurredAt), nowMs + MAX_FUTURE_SKEW_MS);
}

/**
 * A state of the account pushed by the host system at `atMs`:
 * - `account`: the whole account (fields kept exactly as delivered: absent stays absent, null stays null);
 * - `deleted`: the host system deleted it;
 * - `source`: it changed, read it from the host source (an `account.upserted` with only its ID).
 */
export type PushedState =
  | { kind: 'account'; account: Record<string, string | null>; atMs: number }
  | { kind: 'deleted'; atMs: number }
  | { kind: 'source'; atMs: number };

/** An organization as a Scalekit event (`organization.created|updated`) showed it at `atMs`. */
export interface ObservedOrganization {
  id: string;
  external_id: string;
  display_name: string;
  metadata: Record<string, string>;
  atMs: number;
}

/** The newest of both kinds kept for one external ID; `null` when none is kept. */
export interface KnownState {
  pushed: PushedState | null;
  observed: ObservedOrganization | null;
}

/** The newer of two states by `atMs`; on a tie the first, the one stored last. */
export function newer<T extends { atMs: number }>(first: T | null, second: T | null): T | null {
  if (first === null) return second;
  if (second === null) return first;
  return second.atMs > first.atMs ? second : first;
}
