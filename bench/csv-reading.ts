/**
 * `csv-reading`: what blank lines and short rows cost the CSV source. Each case is a generated file
 * read whole by `createCsvSource` in a fresh child process (`csv-read-child.ts`), no Scalekit
 * involved: the cost measured is the reading, which is what hostile files stress (issue 15, item 2).
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CsvReadMeasure } from './csv-read-child.js';

/** One case of the table. */
export interface CsvReadingRow extends CsvReadMeasure {
  name: string;
  title: string;
  lines: number;
  bytes: number;
}

const HEADER = 'account_id,region,display_name,invoice_email,billing_plan,billing_currency,tax_id\n';
const ROWS = 200_000;
const BLANK_LINES = 2_000_000;

interface CsvCase {
  name: string;
  title: string;
  lines: number;
  /** The file's lines after the header, in order. */
  body: (index: number) => string;
}

const row = (i: number) => `CUST-${i},us-east,Company ${i}`;

const CASES: readonly CsvCase[] = [
  { name: 'rows-full', title: `${ROWS} rows, every cell written`, lines: ROWS, body: (i) => `${row(i)},,,,\n` },
  {
    name: 'rows-short',
    title: `the same ${ROWS} rows without their trailing empty cells`,
    lines: ROWS,
    body: (i) => `${row(i)}\n`,
  },
  {
    name: 'blank-lines',
    title: `${BLANK_LINES} blank lines, then one row`,
    lines: BLANK_LINES + 1,
    body: (i) => (i < BLANK_LINES ? '\n' : `${row(i)}\n`),
  },
  {
    name: 'delimiter-lines',
    title: `${BLANK_LINES} lines of ",,,," (a spreadsheet's empty rows), then one row`,
    lines: BLANK_LINES + 1,
    body: (i) => (i < BLANK_LINES ? ',,,,\n' : `${row(i)}\n`),
  },
];

async function writeCase(path: string, csvCase: CsvCase): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const finished = once(out, 'finish');
  let batch = HEADER;
  for (let i = 0; i < csvCase.lines; i += 1) {
    batch += csvCase.body(i);
    if (batch.length > 64 * 1024) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await finished;
  return (await stat(path)).size;
}

async function measure(path: string): Promise<CsvReadMeasure> {
  const child = fork(new URL('./csv-read-child.js', import.meta.url), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let answer: { ok: true; result: CsvReadMeasure } | { ok: false; message: string } | undefined;
  child.on('message', (message: typeof answer) => {
    answer = message;
  });
  child.send(path);
  const [code]: unknown[] = await once(child, 'exit');
  if (answer?.ok) return answer.result;
  throw new Error(`csv-reading child failed${answer ? `: ${answer.message}` : ` with exit code ${String(code)}`}`);
}

/** Generates each case in a temp directory (deleted afterwards) and measures its reading. */
export async function runCsvReading(log: (line: string) => void): Promise<CsvReadingRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'orgsync-bench-csv-'));
  const rows: CsvReadingRow[] = [];
  try {
    for (const csvCase of CASES) {
      const path = join(dir, `${csvCase.name}.csv`);
      const bytes = await writeCase(path, csvCase);
      log(`csv-reading ${csvCase.name}: ${csvCase.title} (${(bytes / 1e6).toFixed(1)} MB)`);
      const result = await measure(path);
      rows.push({ name: csvCase.name, title: csvCase.title, lines: csvCase.lines, bytes, ...result });
      await rm(path);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The cases as a small Markdown table; `CPU vs rows-full` compares each read's CPU time with the full rows'. */
export function renderCsvReadingTable(rows: readonly CsvReadingRow[]): string {
  const full = rows.find((r) => r.name === 'rows-full');
  const head = ['case', 'lines', 'MB', 'records', 'wall s', 'CPU s', 'lines/CPU s', 'CPU vs rows-full', 'peak RSS MB'];
  const body = rows.map((r) =>
    [
      r.name,
      r.lines.toLocaleString('en-US'),
      (r.bytes / 1e6).toFixed(1),
      r.records.toLocaleString('en-US'),
      (r.wallMs / 1000).toFixed(2),
      (r.cpuMs / 1000).toFixed(2),
      Math.round(r.lines / (r.cpuMs / 1000)).toLocaleString('en-US'),
      full ? `${(r.cpuMs / full.cpuMs).toFixed(2)}×` : '–',
      (r.peakRssBytes / 1024 / 1024).toFixed(0),
    ].join(' | '),
  );
  const legend = rows.map((r) => `- ${r.name}: ${r.title}.`).join('\n');
  return (
    [
      `| ${head.join(' | ')} |`,
      `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
      ...body.map((b) => `| ${b} |`),
    ].join('\n') + `\n\n${legend}`
  );
}
