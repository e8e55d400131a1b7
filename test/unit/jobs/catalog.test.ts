import { describe, expect, it } from 'vitest';
import { chunkRecords } from '../../../jobs/bulk-import-chunk.js';
import { InvalidPayloadError } from '../../../src/job-errors.js';
import { reconcileDeduplicationId } from '../../../jobs/reconcile.js';
import { CATALOG, isJobKind, JOB_KINDS, jobOptionsFor, parsePayload } from '../../../jobs/catalog.js';
import { isRunKind } from '../../../src/store/run-history.js';
import { chunkIndexOfJobKey, chunkJobId } from '../../../jobs/chunk-job-id.js';

describe('the job catalog', () => {
  it('gives every kind attempts, backoff and retention by age and count', () => {
    for (const kind of Object.keys(CATALOG)) {
      if (!isJobKind(kind)) throw new Error(kind);
      const options = jobOptionsFor(kind);
      expect(options.attempts).toBeGreaterThan(1);
      expect(options.backoff).toMatchObject({ type: 'exponential' });
      expect(options.removeOnComplete).toEqual({ age: expect.any(Number), count: expect.any(Number) });
      expect(options.removeOnFail).toEqual({ age: expect.any(Number), count: expect.any(Number) });
    }
    expect(isJobKind('make-coffee')).toBe(false);
    expect(isJobKind('constructor')).toBe(false);
  });

  it('records the runs of each recording kind under a run kind of its own name', () => {
    const recording = JOB_KINDS.filter((kind) => CATALOG[kind].records);
    expect(recording).toEqual(['nightly-sync', 'bulk-import', 'reconcile', 'retry']);
    for (const kind of recording) expect(isRunKind(kind)).toBe(true);
  });

  it('checks a retry payload: a run ID, nothing else', () => {
    expect(parsePayload('retry', { run_id: ' r-1 ' })).toEqual({ run_id: 'r-1', trigger: 'cli' });
    expect(() => parsePayload('retry', { run_id: '' })).toThrow(/run_id/);
    expect(() => parsePayload('retry', { run_id: 'r', items: [] })).toThrow(/Unrecognized key/);
  });

  it('applies defaults and refuses unknown keys, naming every problem', () => {
    expect(parsePayload('nightly-sync', {})).toEqual({ trigger: 'schedule' });
    expect(() => parsePayload('nightly-sync', { trigger: 'cron' })).toThrow(InvalidPayloadError);
    try {
      parsePayload('bulk-import', { import_id: '', chunks: -1, secret: 'x' });
      expect.unreachable();
    } catch (error) {
      if (!(error instanceof InvalidPayloadError)) throw error;
      expect(error.code).toBe('ERR_JOB_PAYLOAD');
      expect(error.problems.join('\n')).toMatch(/import_id/);
      expect(error.problems.join('\n')).toMatch(/chunks/);
      expect(error.problems.join('\n')).toMatch(/Unrecognized key.*secret/);
    }
  });

  it('accepts exactly one reconcile target', () => {
    expect(parsePayload('reconcile', { account: { account_id: ' C1 ', region: ' US-East ' } })).toEqual({
      account: { account_id: 'C1', region: 'us-east' },
      trigger: 'api',
    });
    expect(() => parsePayload('reconcile', {})).toThrow(/exactly one of account, org_id and external_id/);
    expect(() => parsePayload('reconcile', { org_id: 'org_1', deleted: true })).toThrow(
      /deleted applies to an account only/,
    );
    const tooWide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v']));
    expect(() => parsePayload('reconcile', { account: { account_id: 'C1', region: 'us-east', ...tooWide } })).toThrow(
      /at most 32 fields/,
    );
  });
});

describe('reconcile targets', () => {
  it('deduplicates by external ID, whatever the shape of the request', () => {
    const byAccount = reconcileDeduplicationId(
      parsePayload('reconcile', { account: { account_id: 'C1', region: 'US-EAST', display_name: 'A' } }),
    );
    const byExternalId = reconcileDeduplicationId(parsePayload('reconcile', { external_id: 'us-east-C1' }));
    expect(byAccount).toBe('us-east-C1');
    expect(byExternalId).toBe(byAccount);
    expect(reconcileDeduplicationId(parsePayload('reconcile', { org_id: 'org_9' }))).toBe('org:org_9');
  });
});

describe('bulk-import chunks', () => {
  it('name their jobs after the import and their index', () => {
    const id = chunkJobId('3f2c', 12);
    expect(chunkIndexOfJobKey(`bull:orgsync:${id}`)).toBe(12);
    expect(chunkIndexOfJobKey('bull:orgsync:3f2c')).toBeUndefined();
  });

  it('turn compact rows back into records with their lines', () => {
    const records = chunkRecords({
      columns: ['account_id', 'region', 'display_name', 'tax_id'],
      rows: [[7, 'C1', 'us-east', 'Acme', null]],
    });
    expect(records).toEqual([
      { line: 7, values: { account_id: 'C1', region: 'us-east', display_name: 'Acme', tax_id: null } },
    ]);
  });
});
