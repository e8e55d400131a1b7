import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { columnKey } from '../../domain/account-record.js';
import { parseAccount } from '../../domain/account.js';
import type { DomainRules } from '../../domain/types.js';
import type { ReconcileRequest } from '../webhooks/reconcile-request.js';
import {
  createWebhookHandler,
  type WebhookDecision,
  type WebhookPipelineOptions,
} from '../webhooks/webhook-pipeline.js';

export const WEBHOOKS_ACCOUNTS_METHOD = 'POST';
export const WEBHOOKS_ACCOUNTS_PATH = '/webhooks/accounts';

/** A cell as JSON may carry it: numbers and booleans become text, as they would in a CSV. */
const cellSchema = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .transform((v) => (v === null ? null : String(v)));

/**
 * `{"type": "account.upserted" | "account.deleted", "occurred_at": RFC 3339, "account": {...}}`.
 * `account` has `account_id` and `region`, and, for a whole account, the other CSV columns
 * (`display_name` and the owned metadata keys); unknown keys are ignored, as extra CSV columns are.
 */
export const accountEventSchema = z.object({
  type: z.enum(['account.upserted', 'account.deleted']),
  occurred_at: z.iso.datetime({ offset: true, error: 'expected an RFC 3339 date-time such as 2026-05-01T12:00:00Z' }),
  account: z.record(z.string(), cellSchema),
});

function describeIssue(error: z.ZodError): { message: string; field: string } {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  return { field, message: `${field}: ${issue?.message ?? 'invalid'}` };
}

/** Column names the way a CSV header is read (`columnKey`). */
function normaliseCells(account: Record<string, string | null>): Record<string, string | null> {
  const cells: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(account)) {
    const column = columnKey(key);
    if (!Object.hasOwn(cells, column)) cells[column] = value;
  }
  return cells;
}

/** Checks a delivery's body; a whole account is checked exactly like a CSV row (`parseAccount`). */
export function decideAccountEvent(body: unknown, rules: DomainRules): WebhookDecision<ReconcileRequest> {
  const parsed = accountEventSchema.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', ...describeIssue(parsed.error) };
  const cells = normaliseCells(parsed.data.account);
  const whole = parsed.data.type === 'account.upserted' && Object.hasOwn(cells, 'display_name');
  // A reference (account_id and region only) is checked with a stand-in name: only the ID matters.
  const record = {
    line: 1,
    values: whole ? cells : { account_id: cells.account_id ?? null, region: cells.region ?? null, display_name: '-' },
  };
  const result = parseAccount(record, { ...rules, fixedRegion: undefined });
  if (!result.ok) {
    const field = `account.${result.problem.field ?? 'account_id'}`;
    return { kind: 'invalid', field, message: `${field}: ${result.problem.message} (${result.problem.code})` };
  }
  const { account } = result;
  const wholeCells = whole
    ? Object.fromEntries([
        ['account_id', account.accountId],
        ['region', account.region],
        ['display_name', account.displayName],
        // Only the owned keys the delivery carried: an absent field leaves its key alone (null removes it).
        ...Object.entries(account.metadata),
      ])
    : null;
  return {
    kind: 'enqueue',
    externalId: account.externalId,
    payload: {
      target: 'account',
      event: parsed.data.type === 'account.deleted' ? 'deleted' : 'upserted',
      externalId: account.externalId,
      accountId: account.accountId,
      region: account.region,
      cells: wholeCells,
      occurredAt: parsed.data.occurred_at,
    },
  };
}

/** Options of `webhooksAccountsRoute`. */
export type WebhooksAccountsOptions = Omit<
  WebhookPipelineOptions<ReconcileRequest>,
  'route' | 'decide' | 'secretSetting' | 'bodyFieldOf'
> & { rules: DomainRules };

/**
 * `POST /webhooks/accounts` (ORGSYNC_WEBHOOK_SECRET): the host system says an account changed.
 * 202 `{"job_id"}` once a `reconcile` is queued; see `createWebhookHandler` for the refusals.
 */
export function webhooksAccountsRoute(options: WebhooksAccountsOptions): RouteOptions {
  const { rules, ...pipeline } = options;
  const { onRequest, handler } = createWebhookHandler({
    ...pipeline,
    route: 'accounts',
    secretSetting: 'ORGSYNC_WEBHOOK_SECRET',
    decide: (body) => decideAccountEvent(body, rules),
  });
  return { method: WEBHOOKS_ACCOUNTS_METHOD, url: WEBHOOKS_ACCOUNTS_PATH, onRequest, handler };
}
