import type { ReportSummary } from '../../src/engine/types.js';
import { reportSummarySchema } from '../../src/store/report-schema.js';

/** A report summary whose counts are all zero but those given (checked against the report schema). */
export function reportSummary(nonZero: Partial<ReportSummary>): ReportSummary {
  const zeros = Object.fromEntries(Object.keys(reportSummarySchema.shape).map((count) => [count, 0]));
  return reportSummarySchema.parse({ ...zeros, ...nonZero });
}
