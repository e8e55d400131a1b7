import { afterEach, describe, expect, it } from 'vitest';
import { csvCell } from '../../../src/engine/report-writer.js';
import { sampleReport, staticHistory, summaryOf } from './run-fixtures.js';
import { buildTestServer, type TestServer } from './server-fixture.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

describe('results.csv cells', () => {
  it.each([
    ['plain', 'CUST-1', 'CUST-1'],
    ['a leading formula', '=1+1', `"'=1+1"`],
    ['a leading @', '@SUM(A1)', `"'@SUM(A1)"`],
    ['a formula after ;', "X;=cmd|'/C calc'!A0", `"X;'=cmd|'/C calc'!A0"`],
    ['a formula after ; and spaces', 'X;  +1', `"X;'  +1"`],
    ['a formula after a tab', 'X\t-2', `"X\t'-2"`],
    ['every part', '=a;=b\t@c', `"'=a;'=b\t'@c"`],
    ['a ; without a formula', 'a;b', '"a;b"'],
    ['a tab without a formula', 'a\tb', '"a\tb"'],
    ['a leading tab', '\tx', `"'\tx"`],
    ['a comma and a quote', 'a,"b"', '"a,""b"""'],
    ['a minus inside', 'CUST-2', 'CUST-2'],
  ])('%s: %j -> %s', (_case, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('are served neutralised and quoted by GET /runs/:id/results.csv', async () => {
    const report = sampleReport('run-csv');
    const [first] = report.items;
    if (first === undefined) throw new Error('sampleReport has no items');
    report.items = [{ ...first, account_id: "X;=cmd|'/C calc'!A0", external_id: 'us-east-X;@evil' }];
    const credentials = { user: 'ops', password: 'pw' };
    server = await buildTestServer({
      admin: { credentials, queues: [], runHistory: staticHistory([{ summary: summaryOf(report), report }]) },
    });
    const response = await server.app.inject({
      url: '/runs/run-csv/results.csv',
      headers: { authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}` },
    });
    const row = response.body.split('\n')[1] ?? '';
    expect(row.startsWith(`create,"us-east-X;'@evil","X;'=cmd|'/C calc'!A0",2,`)).toBe(true);
  });
});
