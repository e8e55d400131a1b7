import type { PayloadInput } from '../../../jobs/catalog.js';

/**
 * What a webhook asks of the `reconcile` job, before it becomes the job's payload:
 * - `account`: one account of the host system changed (`account.upserted`) or went away
 *   (`account.deleted`: its organization is reported as an orphan, never deleted). `cells` holds
 *   the whole account when the webhook carried it (already checked with `parseAccount`), keyed like
 *   CSV columns; without it the worker reads the account from the host source.
 * - `organization`: Scalekit says a managed organization was created, edited or deleted out of
 *   band; the worker re-applies what the host system says for its external ID.
 */
export type ReconcileRequest =
  | {
      target: 'account';
      event: 'upserted' | 'deleted';
      externalId: string;
      accountId: string;
      region: string;
      cells: Record<string, string | null> | null;
      /** The webhook's `occurred_at`: orders deliveries of the same account that arrive out of order. */
      occurredAt?: string | undefined;
    }
  | {
      target: 'organization';
      event: 'created' | 'updated' | 'deleted';
      externalId: string;
      orgId: string;
      /**
       * The organization as the event showed it (`created` and `updated`), with the event's
       * `occurred_at`: the job skips the reconcile when it already holds what the host system says.
       */
      observed?: ObservedRequest | undefined;
    };

/** What a Scalekit event showed of an organization, and when. */
export interface ObservedRequest {
  displayName: string;
  metadata: Record<string, string>;
  occurredAt: string;
}

/** Puts a `reconcile` job on the queue (deduplicated per external ID). */
export type EnqueueReconcile = (request: ReconcileRequest) => Promise<{ jobId: string; deduplicated: boolean }>;

/** The `reconcile` job's payload for a webhook's request (jobs/reconcile.ts), marked as triggered by a webhook. */
export function toReconcilePayload(request: ReconcileRequest): PayloadInput<'reconcile'> {
  if (request.target === 'organization') {
    const { observed } = request;
    return {
      external_id: request.externalId,
      ...(observed
        ? {
            observed: {
              id: request.orgId,
              display_name: observed.displayName,
              metadata: observed.metadata,
              occurred_at: observed.occurredAt,
            },
          }
        : {}),
      trigger: 'webhook',
    };
  }
  const occurredAt = request.occurredAt ? { occurred_at: request.occurredAt } : {};
  return request.event === 'deleted'
    ? {
        account: { account_id: request.accountId, region: request.region },
        deleted: true,
        ...occurredAt,
        trigger: 'webhook',
      }
    : {
        account: { ...request.cells, account_id: request.accountId, region: request.region },
        ...occurredAt,
        trigger: 'webhook',
      };
}
