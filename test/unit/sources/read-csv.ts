import { join } from 'node:path';
import { expect } from 'vitest';
import type { SourceRecord } from '../../../src/domain/account-record.js';
import { SourceError } from '../../../src/errors.js';
import { createCsvSource, type CsvSourceOptions } from '../../../src/sources/csv-source.js';

/** A file in fixtures/csv. */
export const fixture = (name: string) => join(import.meta.dirname, '../../../fixtures/csv', name);

/** Every record the CSV source yields. */
export async function readAll(options: CsvSourceOptions): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const record of createCsvSource(options).records()) records.push(record);
  return records;
}

/** Reads until the source fails; returns what was yielded before, and the error. */
export async function readUntilError(options: CsvSourceOptions): Promise<{ records: SourceRecord[]; error: unknown }> {
  const records: SourceRecord[] = [];
  try {
    for await (const record of createCsvSource(options).records()) records.push(record);
  } catch (error) {
    return { records, error };
  }
  throw new Error('expected the source to fail');
}

/** Reads until the source fails, asserts the failure is a SourceError, and returns its message. */
export async function readUntilSourceError(
  options: CsvSourceOptions,
): Promise<{ records: SourceRecord[]; message: string }> {
  const { records, error } = await readUntilError(options);
  expect(error).toBeInstanceOf(SourceError);
  return { records, message: error instanceof Error ? error.message : '' };
}
