import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { observedOrganizationSchema } from '../../../jobs/reconcile.js';
import type { DomainRules } from '../../domain/types.js';
import { isManagedExternalId } from '../../domain/external-id.js';
import type { ReconcileRequest } from '../webhooks/reconcile-request.js';
import {
  createWebhookHandler,
  type WebhookDecision,
  type WebhookPipelineOptions,
} from '../webhooks/webhook-pipeline.js';

export const WEBHOOKS_SCALEKIT_METHOD = 'POST';
export const WEBHOOKS_SCALEKIT_PATH = '/webhooks/scalekit';

/** Scalekit's event envelope (reference §9); only `type` and, for organization events, `data` matter here. */
export const scalekitEventSchema = z.looseObject({
  spec_version: z.string().optional(),
  id: z.string().optional(),
  type: z.string().min(1),
  occurred_at: z.string().optional(),
  environment_id: z.string().optional(),
  organization_id: z.string().optional(),
  object: z.string().optional(),
  data: z.unknown(),
});

/** `data` of `organization.created|updated|deleted`: the organization in its REST shape. */
export const organizationDataSchema = z.looseObject({
  id: z.string().min(1),
  external_id: z.string().nullish(),
  display_name: z.string().optional(),
});

const ORGANIZATION_EVENTS = {
  'organization.created': 'created',
  'organization.updated': 'updated',
  'organization.deleted': 'deleted',
} as const;

function isOrganizationEvent(type: string): type is keyof typeof ORGANIZATION_EVENTS {
  return Object.hasOwn(ORGANIZATION_EVENTS, type);
}

/** An RFC 3339 date-time as the job's schema takes it, or `undefined`. */
function validDate(value: string | undefined): string | undefined {
  return value !== undefined && z.iso.datetime({ offset: true }).safeParse(value).success ? value : undefined;
}

function invalid(error: z.ZodError, prefix: string): WebhookDecision<ReconcileRequest> {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path.map(String) ?? [])].filter((p) => p !== '').join('.') || 'body';
  return { kind: 'invalid', field, message: `${field}: ${issue?.message ?? 'invalid'}` };
}

/**
 * An event about a managed organization (its external ID starts with a configured region) becomes
 * a reconcile of that external ID, which restores what the host system says. Other event types, and
 * organizations orgsync does not manage, are acknowledged and ignored.
 */
export function decideScalekitEvent(body: unknown, rules: DomainRules): WebhookDecision<ReconcileRequest> {
  const envelope = scalekitEventSchema.safeParse(body);
  if (!envelope.success) return invalid(envelope.error, '');
  const { type } = envelope.data;
  if (!isOrganizationEvent(type)) return { kind: 'ignore', reason: 'event type not handled by orgsync' };
  const organization = organizationDataSchema.safeParse(envelope.data.data);
  if (!organization.success) return invalid(organization.error, 'data');
  const externalId = organization.data.external_id ?? null;
  if (externalId === null || !isManagedExternalId(externalId, rules.regions)) {
    return {
      kind: 'ignore',
      reason: 'organization not managed by orgsync (no external ID under a managed region prefix)',
    };
  }
  const event = ORGANIZATION_EVENTS[type];
  // What the echo check reads; data that does not fit the job's schema is reconciled without it.
  const shown =
    event === 'deleted'
      ? undefined
      : observedOrganizationSchema.safeParse({
          id: organization.data.id,
          display_name: organization.data.display_name,
          metadata: organization.data.metadata ?? {},
          occurred_at: validDate(envelope.data.occurred_at) ?? new Date().toISOString(),
        }).data;
  const observed = shown && {
    displayName: shown.display_name,
    metadata: shown.metadata,
    occurredAt: shown.occurred_at,
  };
  return {
    kind: 'enqueue',
    externalId,
    payload: { target: 'organization', event, externalId, orgId: organization.data.id, observed },
  };
}

/** Where the reconcile payload's fields come from in Scalekit's envelope (to name them in a 422). */
const SCALEKIT_BODY_FIELDS: Readonly<Record<string, string>> = { external_id: 'data.external_id', org_id: 'data.id' };

/** Options of `webhooksScalekitRoute`. */
export type WebhooksScalekitOptions = Omit<
  WebhookPipelineOptions<ReconcileRequest>,
  'route' | 'decide' | 'secretSetting' | 'bodyFieldOf'
> & { rules: DomainRules };

/**
 * `POST /webhooks/scalekit` (SCALEKIT_WEBHOOK_SECRET): Scalekit's own events. An out-of-band
 * change of a managed organization queues a `reconcile` (202 `{"job_id"}`); anything else is
 * answered 200 `{"ignored": true}`.
 */
export function webhooksScalekitRoute(options: WebhooksScalekitOptions): RouteOptions {
  const { rules, ...pipeline } = options;
  const { onRequest, handler } = createWebhookHandler({
    ...pipeline,
    route: 'scalekit',
    secretSetting: 'SCALEKIT_WEBHOOK_SECRET',
    decide: (body) => decideScalekitEvent(body, rules),
    bodyFieldOf: (field) => SCALEKIT_BODY_FIELDS[field] ?? 'data',
  });
  return { method: WEBHOOKS_SCALEKIT_METHOD, url: WEBHOOKS_SCALEKIT_PATH, onRequest, handler };
}
