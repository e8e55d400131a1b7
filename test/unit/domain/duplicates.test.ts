import { describe, expect, it } from 'vitest';
import {
  createDuplicateDetector,
  createDuplicateGroups,
  duplicateKey,
  partitionDuplicates,
} from '../../../src/domain/duplicates.js';
import { RowErrorCode } from '../../../src/domain/row-error-codes.js';
import type { Account } from '../../../src/domain/types.js';

function account(line: number, accountId: string, region = 'us-east'): Account {
  return { line, accountId, region, externalId: `${region}-${accountId}`, displayName: `Org ${line}`, metadata: {} };
}

describe('createDuplicateDetector', () => {
  it('reports the external IDs seen twice or more, once each', () => {
    const detector = createDuplicateDetector();
    for (const a of [
      account(2, 'A'),
      account(3, 'B'),
      account(4, 'A'),
      account(5, 'A'),
      account(6, 'C'),
      account(7, 'C'),
    ])
      detector.add(a);
    expect(detector.finish().duplicates).toEqual(new Set(['us-east-A', 'us-east-C']));
  });

  it('treats IDs that differ only in case as different (account IDs keep their case)', () => {
    const detector = createDuplicateDetector();
    detector.add(account(2, 'cust-1'));
    detector.add(account(3, 'CUST-1'));
    expect(detector.finish().duplicates.size).toBe(0);
  });
});

describe('duplicateKey', () => {
  it('is the ID itself for ASCII and NFKC-stable IDs (the same string), the NFKC form otherwise', () => {
    const ascii = 'us-east-CUST-1';
    expect(duplicateKey(ascii)).toBe(ascii);
    expect(duplicateKey('us-east-CAF\u00c9')).toBe('us-east-CAF\u00c9');
    expect(duplicateKey('us-east-\uff211')).toBe('us-east-A1');
    expect(duplicateKey('us-east-\u212a1')).toBe('us-east-K1'); // Kelvin sign
    expect(duplicateKey('us-east-CAFE\u0301')).toBe('us-east-CAF\u00c9');
  });

  it('lets the detector find NFKC twins, returning every spelling', () => {
    const detector = createDuplicateDetector();
    detector.add(account(2, 'A1'));
    detector.add(account(3, '\uff211'));
    detector.add(account(4, 'B'));
    expect(detector.finish().duplicates).toEqual(new Set(['us-east-A1', 'us-east-\uff211']));
  });
});

describe('createDuplicateGroups', () => {
  it('keeps the ten smallest lines and a count, whatever the number and order of rows', () => {
    const groups = createDuplicateGroups();
    const first = { externalId: 'us-east-X', line: 50_000 };
    for (let line = 49_999; line >= 2; line -= 1)
      groups.addRepeat('us-east-X', first, { externalId: 'us-east-X', line });
    const group = groups.finish().get('us-east-X');
    expect(group?.count).toBe(49_999);
    expect(group?.lines).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(group?.error.message).toMatch(/lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 49989 more; none of these rows/);
    expect(group?.error.message.length).toBeLessThan(300);
  });
});

describe('partitionDuplicates', () => {
  it('makes EVERY row of a duplicated external ID a conflict, naming all its lines, and keeps order', () => {
    const accounts = [account(2, 'X'), account(4, 'CUST-1'), account(5, 'Y'), account(9, 'CUST-1')];
    const { unique, conflicts } = partitionDuplicates(accounts);
    expect(unique.map((a) => a.line)).toEqual([2, 5]);
    expect(conflicts).toHaveLength(2);
    expect(conflicts[0]).toMatchObject({
      line: 4,
      accountId: 'CUST-1',
      externalId: 'us-east-CUST-1',
      action: 'conflict',
      code: RowErrorCode.DUPLICATE_EXTERNAL_ID,
    });
    expect(conflicts[1]?.line).toBe(9);
    expect(conflicts[0]?.message).toMatch(
      /^external ID us-east-CUST-1 appears on lines 4 and 9; none of these rows is applied/,
    );
  });

  it('lists three lines as "a, b and c" and cuts long lists with "and N more"', () => {
    const three = partitionDuplicates([account(8, 'A'), account(3, 'A'), account(5, 'A')]);
    expect(three.conflicts[0]?.message).toMatch(/lines 3, 5 and 8;/);
    const many = partitionDuplicates(Array.from({ length: 25 }, (_, i) => account(i + 2, 'A')));
    expect(many.conflicts).toHaveLength(25);
    expect(many.conflicts[0]?.message).toMatch(/lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 15 more;/);
  });

  it('uses the duplicates a streaming detector already found', () => {
    const accounts = [account(2, 'A'), account(3, 'A')];
    expect(partitionDuplicates(accounts, new Set()).conflicts).toHaveLength(0);
    expect(partitionDuplicates(accounts, new Set(['us-east-A'])).unique).toHaveLength(0);
  });

  it('reports NFKC twins with their own code, naming both spellings and lines', () => {
    const { unique, conflicts } = partitionDuplicates([account(2, 'A1'), account(3, 'B'), account(4, '\uff211')]);
    expect(unique.map((a) => a.line)).toEqual([3]);
    expect(conflicts.map((c) => [c.line, c.code])).toEqual([
      [2, RowErrorCode.EXTERNAL_ID_LOOKALIKE],
      [4, RowErrorCode.EXTERNAL_ID_LOOKALIKE],
    ]);
    expect(conflicts[0]?.message).toMatch(
      /^the external IDs "us-east-A1", "us-east-\uff211" on lines 2 and 4 differ only/,
    );
  });

  it('returns every account when nothing is duplicated', () => {
    const accounts = [account(2, 'A'), account(3, 'A', 'eu-west')];
    expect(partitionDuplicates(accounts)).toEqual({ unique: accounts, conflicts: [] });
  });
});
