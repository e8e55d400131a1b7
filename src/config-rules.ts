import { z } from 'zod';
import { columnKey } from './domain/account-record.js';
import { normalizeRegion } from './domain/external-id.js';
import type { SettingName } from './config.js';

// What `loadConfig` (src/config.ts) checks beyond one setting's own schema: the column map's syntax
// and fields, and the rules between settings.

/** One entry of the column map: orgsync's `field` is read from the source's `column` (both column keys). */
export interface ColumnMapEntry {
  field: string;
  column: string;
}

/**
 * `--map` / ORGSYNC_COLUMN_MAP: `FIELD=SOURCE_COLUMN,...`, names matched like headers (trimmed,
 * ignoring case). A field mapped twice, or two fields mapped to one column, is refused: either would
 * leave orgsync to guess which value was meant. Which fields exist is checked in `crossFieldProblems`.
 */
export const columnMapSetting = z.string().transform((text, ctx) => {
  const pairs: ColumnMapEntry[] = [];
  const problem = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const [field = '', column = '', ...rest] = part.split('=').map(columnKey);
    if (field === '' || column === '' || rest.length > 0)
      return problem(
        `${JSON.stringify(part.slice(0, 60))} is not FIELD=SOURCE_COLUMN; write e.g. display_name=company_name,invoice_email=billing_email`,
      );
    const sameField = pairs.find((p) => p.field === field);
    if (sameField)
      return problem(
        `${field} is mapped twice (to ${JSON.stringify(sameField.column)} and ${JSON.stringify(column)}): give each field one source column`,
      );
    const sameColumn = pairs.find((p) => p.column === column);
    if (sameColumn)
      return problem(
        `${sameColumn.field} and ${field} are both mapped to the column ${JSON.stringify(column)}: a source column feeds one field`,
      );
    pairs.push({ field, column });
  }
  return pairs;
});

/**
 * Each entry of a parsed column map whose field is not one of orgsync's (account_id, region,
 * display_name, the owned metadata keys), naming the entry and the fields; `label` names the setting.
 * Takes the values as `loadConfig` holds them (unknown until each has parsed).
 */
function columnMapFieldProblems(mapping: unknown, metadataKeys: unknown, label: string): string[] {
  if (!Array.isArray(mapping) || !Array.isArray(metadataKeys)) return [];
  const keys = metadataKeys.map((key) => columnKey(String(key)));
  const fields = new Set(['account_id', 'region', 'display_name', ...keys]);
  return (mapping as ColumnMapEntry[])
    .filter((entry) => !fields.has(entry.field))
    .map(
      (entry) =>
        `${label}: ${entry.field}=${entry.column}: ${JSON.stringify(entry.field)} is not one of orgsync's fields, so the column ${JSON.stringify(entry.column)} has nowhere to go; ` +
        `the fields are account_id, region, display_name and the owned metadata keys (ORGSYNC_METADATA_KEYS): ${keys.join(', ')}. Write FIELD=SOURCE_COLUMN, e.g. display_name=company_name`,
    );
}

/**
 * Rules between settings, checked once each is valid on its own. ORGSYNC_REGION must be one of
 * ORGSYNC_REGIONS (a `--region` flag is checked, and named, by the command that takes it); every
 * field of the column map must be one of orgsync's (its columns are checked against the source).
 */
export function crossFieldProblems(
  out: Record<string, unknown>,
  flags: Partial<Record<SettingName, unknown>>,
): string[] {
  const problems: string[] = [];
  const { region, regions } = out;
  if (flags.region === undefined && typeof region === 'string' && Array.isArray(regions)) {
    const wanted = normalizeRegion(region);
    if (!regions.includes(wanted))
      problems.push(
        `ORGSYNC_REGION: ${JSON.stringify(region.slice(0, 60))} is not a configured region: use one of ${regions.join(', ')}, or add it to ORGSYNC_REGIONS`,
      );
  }
  const label = flags.columnMap === undefined ? 'ORGSYNC_COLUMN_MAP' : '--map';
  problems.push(...columnMapFieldProblems(out.columnMap, out.metadataKeys, label));
  return problems;
}
