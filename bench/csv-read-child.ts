/**
 * Child-process entry of one CSV reading measurement (see `csv-reading.ts`): receives a file path,
 * reads every record with the CSV source, sends back what it measured and exits, so that each
 * case's peak RSS is its own.
 */
import { performance } from 'node:perf_hooks';
import { createCsvSource } from '../src/sources/csv-source.js';

/** What the child measured. */
export interface CsvReadMeasure {
  records: number;
  wallMs: number;
  /** CPU time (user + system) of the read: unlike wall time, not inflated by other processes. */
  cpuMs: number;
  peakRssBytes: number;
}

process.once('message', (path: string) => {
  const read = async (): Promise<CsvReadMeasure> => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    let records = 0;
    for await (const _ of createCsvSource({ path }).records()) records += 1;
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    return { records, wallMs, cpuMs, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
  };
  read().then(
    (result) => process.send?.({ ok: true, result }, () => process.disconnect()),
    (error: unknown) => {
      process.send?.({ ok: false, message: error instanceof Error ? error.message : String(error) }, () =>
        process.disconnect(),
      );
      process.exitCode = 1;
    },
  );
});
