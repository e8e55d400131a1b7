import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { benchAccount, BENCH_METADATA_KEYS } from './dataset.js';

/** The header of every generated CSV. */
export const BENCH_CSV_COLUMNS = ['account_id', 'region', 'display_name', ...BENCH_METADATA_KEYS] as const;

/**
 * Writes accounts `from..from+count-1` as a CSV at `path`, streamed with backpressure so that a
 * million rows never sit in memory. Returns the bytes written.
 */
export async function writeAccountsCsv(path: string, from: number, count: number): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const finished = once(out, 'finish');
  let bytes = 0;
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${BENCH_CSV_COLUMNS.join(',')}\n`);
  let batch = '';
  for (let index = from; index < from + count; index += 1) {
    const a = benchAccount(index);
    const m = a.metadata;
    batch += `${a.accountId},${a.region},${a.displayName},${m.invoice_email},${m.billing_plan},${m.billing_currency},${m.tax_id}\n`;
    if (batch.length > 64 * 1024) {
      await write(batch);
      batch = '';
    }
  }
  if (batch !== '') await write(batch);
  out.end();
  await finished;
  return bytes;
}
