import { escapeText } from '../domain/safe-text.js';
import type { FieldChange, Report, ReportItem } from './types.js';

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
export function renderSummaryTable(report: Report, options: { maxItems?: number } = {}): string {
  const s = report.summary;
  const seconds = (Date.parse(report.finished_at) - Date.parse(report.started_at)) / 1000;
  const lines = [
    `orgsync ${report.mode} — ${escapeText(report.source)} (${report.scope} scope) — ${plural(s.accounts, 'record')} read, ${plural(s.api_calls, 'Scalekit call')}, ${seconds.toFixed(1)} s`,
  ];
  for (const [label, keys] of ROWS) {
    lines.push(`  ${label.padEnd(10)}${keys.map((k) => `${k.padEnd(10)}${String(s[k]).padStart(7)}`).join('    ')}`);
  }
  const maxItems = options.maxItems ?? 20;
  if (report.items.length > 0) {
    lines.push('');
    for (const item of report.items.slice(0, maxItems)) lines.push(`  ${describeItem(item)}`);
    if (report.items.length > maxItems) {
      const rest = report.items.length - maxItems;
      lines.push(
        maxItems === 0
          ? `  ${plural(rest, 'item')}: see report.json / results.csv`
          : `  … and ${rest} more (see report.json / results.csv)`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `update    us-east-CUST-1 (line 4)  display_name: "A" → "B"`, e-mail addresses masked. */
export function describeItem(item: ReportItem): string {
  const named = item.external_id ?? (item.account_id ? `account ${item.account_id}` : (item.org_id ?? 'a row'));
  const who = named.length > 60 ? `${named.slice(0, 59)}…` : named;
  const where = item.line === null ? '' : ` (line ${item.line})`;
  let detail: string;
  if (item.error) detail = `${item.error.code}: ${item.error.message}`;
  else if (item.action === 'create') detail = describeCreate(item);
  else if (item.action === 'delete') detail = `organization ${item.org_id ?? ''} deleted`;
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
export function renderSummaryMarkdown(report: Report): string {
  const s = report.summary;
  const counts = Object.entries(s).map(([k, v]) => `| ${k} | ${v} |`);
  const items = report.items.slice(0, 500).map((item) => {
    const detail = item.error ? `**${item.error.code}**: ${item.error.message}` : formatChanges(item.changes);
    return `| ${item.action} | ${md(item.external_id ?? '')} | ${item.line ?? ''} | ${md(item.org_id ?? '')} | ${md(detail)} |`;
  });
  return [
    `# orgsync ${report.mode}: ${escapeText(report.source)}`,
    '',
    `Run \`${escapeText(report.run_id)}\`, ${report.scope} scope, ${report.started_at} → ${report.finished_at}.`,
    '',
    '| count | |',
    '|---|---|',
    ...counts,
    '',
    report.items.length === 0 ? 'Nothing to report: every account matches its organization.' : '## Items',
    '',
    ...(report.items.length === 0
      ? []
      : ['| action | external ID | line | organization | details |', '|---|---|---|---|---|', ...items]),
    ...(report.items.length > 500
      ? ['', `… ${report.items.length - 500} more items in report.json and results.csv.`]
      : []),
    '',
  ].join('\n');
}

/** A table cell: escaped (line breaks show as `\n`), pipes escaped. */
function md(text: string): string {
  return escapeText(text).replace(/\|/g, '\\|');
}
