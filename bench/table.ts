import type { ResultRow } from './result-row.js';

const MB = 1024 * 1024;

function num(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function seconds(ms: number): string {
  return ms >= 100_000 ? (ms / 1000).toFixed(0) : (ms / 1000).toFixed(1);
}

function ratio(n: number | null, digits = 2): string {
  return n === null ? '–' : n.toFixed(digits);
}

const COLUMNS: [string, (r: ResultRow) => string][] = [
  ['scenario', (r) => r.scenario],
  ['run', (r) => (r.sampledAccounts === null ? r.run : `${r.run} ~`)],
  ['accounts', (r) => num(r.accounts)],
  ['drift', (r) => `${(r.drift * 100).toFixed(1)}%`],
  ['calls', (r) => num(r.calls)],
  ['floor', (r) => num(r.floorCalls)],
  ['calls/floor', (r) => ratio(r.calls / r.floorCalls)],
  ['wall s', (r) => seconds(r.wallMs)],
  ['floor s', (r) => seconds(r.floorMs)],
  ['apply rate/budget', (r) => (r.applyRateRatio === null ? '–' : `${(r.applyRateRatio * 100).toFixed(0)}%`)],
  [
    'RTT p50/p95 ms',
    (r) =>
      r.roundTripP50Ms === null || r.roundTripP95Ms === null
        ? '–'
        : `${r.roundTripP50Ms.toFixed(0)}/${r.roundTripP95Ms.toFixed(0)}`,
  ],
  ['rows/s', (r) => (r.rowsPerSecond === null ? '–' : num(r.rowsPerSecond))],
  ['peak RSS MB', (r) => (r.peakRssBytes === null ? '–' : num(r.peakRssBytes / MB))],
  [
    'calls vs orgsync',
    (r) => (r.callsVsOrgsync === null || r.run === 'orgsync' ? '–' : `${ratio(r.callsVsOrgsync, 1)}×`),
  ],
  ['429s', (r) => (r.rateLimited === null ? '–' : num(r.rateLimited))],
];

/** The results as one Markdown table (it reads as plain text on a terminal, and pastes into docs). */
export function renderTable(rows: readonly ResultRow[]): string {
  const cells = [COLUMNS.map(([name]) => name), ...rows.map((row) => COLUMNS.map(([, get]) => get(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (i < 2 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const [header, ...body] = cells;
  return [line(header ?? []), rule, ...body.map(line)].join('\n');
}

/** The lines under the table: sampling, who counted, and anything that went wrong. */
export function renderNotes(rows: readonly ResultRow[]): string {
  const notes: string[] = [];
  const sampled = rows.filter((r) => r.sampledAccounts !== null);
  for (const r of rows) if (r.detail) notes.push(`- ${r.scenario} ${r.run}: ${r.detail}.`);
  for (const r of sampled)
    notes.push(
      `- ~ ${r.scenario} ${r.run}: measured on the first ${num(r.sampledAccounts ?? 0)} accounts, calls and wall time scaled to ${num(r.accounts)}.`,
    );
  if (rows.some((r) => r.countedBy === 'client'))
    notes.push('- calls counted by our client (the target has no counters).');
  for (const r of rows) for (const note of r.notes) notes.push(`- ! ${r.scenario} ${r.run}: ${note}`);
  return notes.join('\n');
}
