import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvSource } from '../../../src/sources/csv-source.js';

const ROWS = 200_000;

/** A full garbage collection, so that heap samples measure what is live, not what is pending collection. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc === 'function') gc();
}

let dir: string;
let path: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orgsync-csv-memory-'));
  path = join(dir, 'big.csv');
  const out = createWriteStream(path);
  out.write('account_id,region,display_name,invoice_email,billing_plan,notes\r\n');
  const padding = 'x'.repeat(120); // makes the file big beside the heap a streaming reader needs
  for (let i = 0; i < ROWS; i += 1) {
    const row = `CUST-${i},us-east,"Company ${i}, Inc.",billing${i}@example.com,pro,"${padding}\r\n${i}"\r\n`;
    if (!out.write(row)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createCsvSource: memory', () => {
  it('streams a 200,000-row file with a live heap far below the file size, and not growing', async () => {
    const fileBytes = (await stat(path)).size;
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    const growth: number[] = [];
    let count = 0;
    let lastLine = 0;
    for await (const record of createCsvSource({ path }).records()) {
      count += 1;
      lastLine = record.line;
      if (count % 20_000 === 0) {
        collectGarbage();
        growth.push(process.memoryUsage().heapUsed - baseline);
      }
    }
    expect(count).toBe(ROWS);
    expect(lastLine).toBe(2 * ROWS); // every record spans two lines; the first starts on line 2
    // Holding the file or the records would take more than the file size; streaming keeps about
    // a megabyte alive (read-ahead buffers), whatever the number of rows.
    expect(Math.max(...growth)).toBeLessThan(fileBytes / 10);
    expect((growth.at(-1) ?? 0) - (growth[0] ?? 0)).toBeLessThan(fileBytes / 20);
  }, 60_000);
});
