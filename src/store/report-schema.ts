import { z } from 'zod';
import { ACTIONS } from '../engine/report.js';
import type { Report, ReportItem, ReportSummary } from '../engine/types.js';

const [firstAction, ...otherActions] = ACTIONS;

/** One `report.json` item, as stored in Redis (run history, chunk results). */
export const reportItemSchema = z.object({
  external_id: z.string().nullable(),
  account_id: z.string().nullable(),
  line: z.number().int().nullable(),
  action: z.enum([firstAction ?? 'create', ...otherActions]),
  org_id: z.string().nullable(),
  changes: z.array(z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() })),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
}) satisfies z.ZodType<ReportItem>;

const count = z.number().int().nonnegative();

/** `report.json`'s summary. */
export const reportSummarySchema = z.object({
  accounts: count,
  create: count,
  update: count,
  unchanged: count,
  orphan: count,
  delete: count,
  adoptable: count,
  invalid: count,
  conflict: count,
  stale: count,
  failed: count,
  api_calls: count,
}) satisfies z.ZodType<ReportSummary>;

/** A whole `report.json` (design §3). */
export const reportSchema = z.object({
  run_id: z.string(),
  mode: z.enum(['plan', 'apply']),
  scope: z.enum(['partial', 'full']),
  source: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  summary: reportSummarySchema,
  unmanaged_keys: z.array(z.string()).optional(),
  unknown_columns: z.array(z.string()).optional(),
  items: z.array(reportItemSchema),
}) satisfies z.ZodType<Report>;
