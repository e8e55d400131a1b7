import { describe, expect, it } from 'vitest';
import { runVerdictOf } from '../../../src/engine/run-verdict.js';
import { reportSummary } from '../../helpers/report-summary.js';

const inStep = reportSummary({ accounts: 5, unchanged: 5, api_calls: 1 });

describe('runVerdictOf', () => {
  it('is failed when the job failed (no summary) or any item failed', () => {
    expect(runVerdictOf(null)).toBe('failed');
    expect(runVerdictOf({ ...inStep, failed: 1, create: 3 })).toBe('failed');
  });

  it.each(['create', 'update', 'delete', 'orphan', 'adoptable', 'invalid', 'conflict', 'stale'] as const)(
    'is drift when anything was changed, planned or refused (%s)',
    (action) => {
      expect(runVerdictOf({ ...inStep, [action]: 1 })).toBe('drift');
    },
  );

  it('is ok when everything was in step', () => {
    expect(runVerdictOf(inStep)).toBe('ok');
    expect(runVerdictOf({ ...inStep, accounts: 0, unchanged: 0 })).toBe('ok');
  });
});
