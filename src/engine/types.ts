/** The contract's `report.json` (design section 3), snake_case like Scalekit's API. */
import type { ReportItems } from './report-items.js';

export type ItemAction =
  'create' | 'update' | 'orphan' | 'delete' | 'adoptable' | 'invalid' | 'conflict' | 'stale' | 'failed';

export interface FieldChange {
  /** `display_name`, `external_id` or `metadata.<key>`. */
  field: string;
  from: string | null;
  to: string | null;
}

export interface ReportItem {
  external_id: string | null;
  account_id: string | null;
  line: number | null;
  action: ItemAction;
  org_id: string | null;
  changes: FieldChange[];
  error: { code: string; message: string } | null;
}

export interface ReportSummary {
  accounts: number;
  create: number;
  update: number;
  unchanged: number;
  orphan: number;
  delete: number;
  adoptable: number;
  invalid: number;
  conflict: number;
  stale: number;
  failed: number;
  api_calls: number;
}

export interface Report {
  run_id: string;
  mode: 'plan' | 'apply';
  scope: 'partial' | 'full';
  source: string;
  started_at: string;
  finished_at: string;
  summary: ReportSummary;
  /**
   * Owned metadata keys that no record of the run carried (no such column in the CSV header or the
   * PostgreSQL result, a field no page object or webhook had): not managed in this run, left as
   * they are. Absent in reports written before it existed.
   */
  unmanaged_keys?: string[];
  /** Columns of the source that orgsync does not read (at most 20, then "…"): a misspelled header shows here. */
  unknown_columns?: string[];
  items: ReportItem[];
}

/**
 * A report as a run holds it (`runSync`, `buildReport`): `report.json` with its items in a
 * `ReportItems` (iterate them, or `Array.from(report.items)`; `JSON.stringify` writes the array),
 * so that a million-item report keeps its creates once, in the plan.
 */
export interface RunReport extends Omit<Report, 'items'> {
  items: ReportItems;
}

export type RunMode = Report['mode'];
export type RunScope = Report['scope'];
