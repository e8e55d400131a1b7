import { quoteValue } from '../domain/characters.js';
import { escapeText } from '../domain/safe-text.js';
import { reportItemsOf, type ReportItems } from './report-items.js';
import type { FieldChange, Report, ReportItem, ReportSummary, RunReport } from './types.js';

/** How many `adoptable` warnings the printed summary shows before it says how many more there are. */
const MAX_ADOPTABLE_WARNINGS = 50;

/** `display_name: "Acme" → "Acme Inc"; metadata.billing_plan: (none) → "pro"` */
export function formatChanges(changes: readonly FieldChange[]): string {
  return changes.map((c) => `${c.field}: ${show(c.from)} → ${show(c.to)}`).join('; ');
}

function show(value: string | null): string {
  if (value === null) return '(none)';
  const short = value.length > 40 ? `${value.slice(0, 39)}…` : value;
  return JSON.stringify(short);
}

/** `billing@acme.example` → `b•••@acme.example`: the terminal table never shows a whole address. */
export function maskEmails(text: string): string {
  return text.replace(/([^\s"'<>@,;:]{1})[^\s"'<>@,;:]*@([^\s"'<>@,;:]+)/g, '$1•••@$2');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const ROWS: [string, (keyof Report['summary'])[]][] = [
  ['to do', ['create', 'update', 'delete']],
  ['as is', ['unchanged', 'orphan', 'adoptable']],
  ['problems', ['invalid', 'conflict', 'stale', 'failed']],
];

/** The one-screen summary printed on stdout at the end of a run. */
export function renderSummaryTable(report: Report | RunReport, options: { maxItems?: number } = {}): string {
  const s = report.summary;
  const items = reportItemsOf(report);
  const seconds = (Date.parse(report.finished_at) - Date.parse(report.started_at)) / 1000;
  const lines = [
    `orgsync ${report.mode} — ${escapeText(report.source)} (${report.scope} scope) — ${plural(s.accounts, 'record')} read, ${plural(s.api_calls, 'Scalekit call')}, ${seconds.toFixed(1)} s`,
  ];
  for (const [label, keys] of ROWS) {
    lines.push(`  ${label.padEnd(10)}${keys.map((k) => `${k.padEnd(10)}${String(s[k]).padStart(7)}`).join('    ')}`);
  }
  for (const note of runNotes(report)) lines.push(`  ${note}`);
  const adoptable = adoptableItems(report.summary, items, MAX_ADOPTABLE_WARNINGS);
  for (const item of adoptable) lines.push(`  ${adoptableWarning(item)}`);
  if (report.summary.adoptable > MAX_ADOPTABLE_WARNINGS)
    lines.push(`  warning: ${report.summary.adoptable - MAX_ADOPTABLE_WARNINGS} more adoptable items: see report.json`);
  const maxItems = options.maxItems ?? 20;
  if (items.count > 0) {
    lines.push('');
    for (const item of items.first(maxItems)) lines.push(`  ${describeItem(item, report.mode)}`);
    if (items.count > maxItems) {
      const rest = items.count - maxItems;
      lines.push(
        maxItems === 0
          ? `  ${plural(rest, 'item')}: see report.json / results.csv`
          : `  … and ${rest} more (see report.json / results.csv)`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The run's notes: owned keys not managed in this run (no record carried them) and the columns
 * orgsync does not read, each on one line.
 */
export function runNotes(report: Report | RunReport): string[] {
  const notes: string[] = [];
  const unmanaged = report.unmanaged_keys ?? [];
  if (unmanaged.length > 0)
    notes.push(
      `not managed in this run: ${unmanaged.join(', ')} (no such column in the source: these keys are left as they are; an empty cell would remove them)`,
    );
  const unknown = report.unknown_columns ?? [];
  if (unknown.length > 0)
    notes.push(
      `columns orgsync does not read (ignored): ${unknown.map((c) => (c === '…' ? c : quoteValue(c))).join(', ')}`,
    );
  return notes;
}

/**
 * An adoptable item is a warning: an unlinked organization with this account's name blocks the
 * account's create until someone decides whether it is that customer's.
 */
export function adoptableWarning(item: ReportItem): string {
  const id = item.external_id ?? '';
  const where = item.line === null ? '' : ` (line ${item.line})`;
  return maskEmails(
    `warning: ${id}${where} was not created: organization ${item.org_id ?? ''} has no external ID and the same name. ` +
      `If it is this customer's, link it with: orgsync apply --adopt ${id}; if not, rename it in Scalekit`,
  );
}

/**
 * `update    us-east-CUST-1 (line 4)  display_name: "A" → "B"`, e-mail addresses masked. In a plan
 * (`mode`), a `delete` is one `apply --allow-delete` would make.
 */
export function describeItem(item: ReportItem, mode: 'plan' | 'apply' = 'apply'): string {
  const named = item.external_id ?? (item.account_id ? `account ${item.account_id}` : (item.org_id ?? 'a row'));
  const who = named.length > 60 ? `${named.slice(0, 59)}…` : named;
  const where = item.line === null ? '' : ` (line ${item.line})`;
  let detail: string;
  if (item.error) detail = `${item.error.code}: ${item.error.message}`;
  else if (item.action === 'create') detail = describeCreate(item);
  else if (item.action === 'delete')
    detail = `organization ${item.org_id ?? ''} ${mode === 'plan' ? 'would be deleted by apply --allow-delete' : 'deleted'}`;
  else if (item.action === 'orphan') detail = `organization ${item.org_id ?? ''} has no account`;
  else detail = formatChanges(item.changes);
  return escapeText(maskEmails(`${item.action.padEnd(9)} ${who}${where}  ${detail}`));
}

function describeCreate(item: ReportItem): string {
  const name = item.changes.find((c) => c.field === 'display_name')?.to ?? '';
  const keys = item.changes
    .filter((c) => c.field.startsWith('metadata.'))
    .map((c) => c.field.slice('metadata.'.length));
  return `${show(name)}${keys.length > 0 ? ` with ${keys.join(', ')}` : ''}`;
}

/** summary.md: the human summary of one run. */
export function renderSummaryMarkdown(report: Report | RunReport): string {
  const s = report.summary;
  const all = reportItemsOf(report);
  const counts = Object.entries(s).map(([k, v]) => `| ${k} | ${v} |`);
  const items = all.first(500).map((item) => {
    const detail = item.error ? `**${item.error.code}**: ${item.error.message}` : formatChanges(item.changes);
    return `| ${item.action} | ${md(item.external_id ?? '')} | ${item.line ?? ''} | ${md(item.org_id ?? '')} | ${md(detail)} |`;
  });
  const notes = [...runNotes(report), ...adoptableItems(s, all, 500).map(adoptableWarning)].map(
    (note) => `- ${md(note)}`,
  );
  return [
    `# orgsync ${report.mode}: ${escapeText(report.source)}`,
    '',
    `Run \`${escapeText(report.run_id)}\`, ${report.scope} scope, ${report.started_at} → ${report.finished_at}.`,
    '',
    ...(notes.length > 0 ? [...notes, ''] : []),
    '| count | |',
    '|---|---|',
    ...counts,
    '',
    all.count === 0 ? 'Nothing to report: every account matches its organization.' : '## Items',
    '',
    ...(all.count === 0
      ? []
      : ['| action | external ID | line | organization | details |', '|---|---|---|---|---|', ...items]),
    ...(all.count > 500 ? ['', `… ${all.count - 500} more items in report.json and results.csv.`] : []),
    '',
  ].join('\n');
}

/** The first `max` adoptable items (the items are read only when the summary counts any). */
function adoptableItems(summary: ReportSummary, items: ReportItems, max: number): ReportItem[] {
  const found: ReportItem[] = [];
  if (summary.adoptable === 0) return found;
  for (const item of items) if (item.action === 'adoptable' && found.push(item) >= max) break;
  return found;
}

/** A table cell: escaped (line breaks show as `\n`), pipes escaped. */
function md(text: string): string {
  return escapeText(text).replace(/\|/g, '\\|');
}
