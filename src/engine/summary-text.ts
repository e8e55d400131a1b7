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
    `orgsync ${report.mode} — ${report.source} (${report.scope} scope) — ${s.accounts} records read, ${s.api_calls} Scalekit calls, ${seconds.toFixed(1)} s`,
  ];
  for (const [label, keys] of ROWS) {
    lines.push(`  ${label.padEnd(9)}${keys.map((k) => `${k} ${String(s[k]).padStart(5)}`).join('   ')}`);
  }
  const maxItems = options.maxItems ?? 20;
  if (report.items.length > 0) {
    lines.push('');
    for (const item of report.items.slice(0, maxItems)) lines.push(`  ${describeItem(item)}`);
    if (report.items.length > maxItems) lines.push(`  … and ${report.items.length - maxItems} more (see report.json / results.csv)`);
  }
  return `${lines.join('\n')}\n`;
}

/** `update  us-east-CUST-1 (line 4)  display_name: "A" → "B"` */
export function describeItem(item: ReportItem): string {
  const who = item.external_id ?? item.org_id ?? '?';
  const where = item.line === null ? '' : ` (line ${item.line})`;
  const detail = item.error ? `${item.error.code}: ${item.error.message}` : formatChanges(item.changes);
  return `${item.action.padEnd(9)} ${who}${where}  ${detail}`;
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
    `# orgsync ${report.mode}: ${report.source}`,
    '',
    `Run \`${report.run_id}\`, ${report.scope} scope, ${report.started_at} → ${report.finished_at}.`,
    '',
    '| count | |',
    '|---|---|',
    ...counts,
    '',
    report.items.length === 0 ? 'Nothing to report: every account matches its organization.' : '## Items',
    '',
    ...(report.items.length === 0 ? [] : ['| action | external ID | line | organization | details |', '|---|---|---|---|---|', ...items]),
    ...(report.items.length > 500 ? ['', `… ${report.items.length - 500} more items in report.json and results.csv.`] : []),
    '',
  ].join('\n');
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}
