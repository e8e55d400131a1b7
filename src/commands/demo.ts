import type { Command } from 'commander';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectScalekit, createCsvFileSource, domainRules } from '../app.js';
import { SCALEKIT_SETTINGS, loadConfig } from '../config.js';
import { writeReportFiles } from '../engine/report-writer.js';
import { runSync, type RunOptions } from '../engine/run.js';
import { describeItem, renderSummaryTable } from '../engine/summary-text.js';
import { loadSeedFile, startEmulator } from '../emulator/server.js';
import { createLogger } from '../logger.js';
import { prepareOutputDirectory } from './output-location.js';
import type { CommandIo } from './sync-command.js';

const FIXTURES = resolve(fileURLToPath(import.meta.url), '../../../../fixtures');

/**
 * `orgsync demo` (= `npm start`): the whole product in one screen, with no Redis and no
 * credentials — an in-process emulator seeded with a few drifted organizations, a plan, an apply,
 * and a second plan showing that nothing is left to do.
 */
export function registerDemoCommand(program: Command, io: CommandIo): void {
  program
    .command('demo')
    .description(
      'plan and apply fixtures/accounts.csv against an in-process Scalekit emulator (no Redis, no credentials)',
    )
    .option('--accounts <file>', 'accounts CSV', join(FIXTURES, 'accounts.csv'))
    .option('--seed <file>', 'emulator seed (organizations already in Scalekit)', join(FIXTURES, 'scalekit-seed.json'))
    .option('--report-dir <dir>', 'where the reports go', 'reports')
    .action(async (flags: { accounts: string; seed: string; reportDir: string }) => {
      process.exitCode = await runDemo(flags, io);
    });
}

async function runDemo(flags: { accounts: string; seed: string; reportDir: string }, io: CommandIo): Promise<number> {
  await prepareOutputDirectory('--report-dir', flags.reportDir, []);
  const emulator = await startEmulator({
    port: 0,
    seed: await loadSeedFile(flags.seed),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
  });
  const config = loadConfig({
    env: {
      ...io.env,
      SCALEKIT_ENVIRONMENT_URL: emulator.url,
      SCALEKIT_CLIENT_ID: 'demo-client',
      SCALEKIT_CLIENT_SECRET: 'demo-secret',
      ORGSYNC_RATE_LIMIT: '200',
    },
    require: SCALEKIT_SETTINGS,
  });
  const logger = createLogger({ level: io.env.ORGSYNC_LOG_LEVEL ?? 'warn' });
  const scalekit = connectScalekit(config, logger);
  const rules = domainRules(config);
  const out = (s: string) => io.stdout.write(s);
  const base = {
    scope: 'full' as const,
    concurrency: 8,
    deleteMaxCount: config.deleteMaxCount,
    deleteMaxPercent: config.deleteMaxPercent,
  };
  const accountsPath = relative(process.cwd(), flags.accounts) || flags.accounts;
  const source = () => createCsvFileSource(accountsPath, config, rules);
  type StepOptions = Omit<RunOptions, 'source' | 'scope' | 'concurrency' | 'deleteMaxCount' | 'deleteMaxPercent'>;
  const step = async (title: string, command: string, options: StepOptions, dir: string, maxItems: number) => {
    out(`\n== ${title}\n$ ${command}\n\n`);
    const { report } = await runSync({ api: scalekit.api, logger, rules }, { ...base, ...options, source: source() });
    out(renderSummaryTable(report, { maxItems }));
    await writeReportFiles(join(flags.reportDir, dir), report);
    return report;
  };
  try {
    out(
      `orgsync demo — a Scalekit emulator at ${emulator.url} holds ${emulator.store.size} organizations: some in step, some drifted,\none with keys orgsync does not own, one orphan, one without external ID. fixtures/accounts.csv has 30 accounts, two of them bad.\n`,
    );
    await step(
      '1. Plan: what would change (a dry run, nothing is written)',
      `orgsync plan --source csv:${accountsPath} --scope full`,
      { mode: 'plan', allowDelete: false, adopt: false },
      '1-plan',
      30,
    );
    const applied = await step(
      '2. Apply: create, update, adopt the twin; the orphan is kept while two rows are invalid',
      `orgsync apply --source csv:${accountsPath} --scope full --adopt --allow-delete`,
      { mode: 'apply', allowDelete: true, adopt: true, deleteBlockOnInvalid: config.deleteBlockOnInvalid },
      '2-apply',
      0,
    );
    // Deleting cannot be undone: while a row is invalid it might be the orphan's account, so the
    // delete is withheld (ORGSYNC_DELETE_BLOCK_ON_INVALID). Show it, with its reason.
    const withheld = Array.from(applied.items).filter((item) => item.action === 'orphan' && item.error);
    for (const item of withheld) out(`  ${describeItem(item)}\n`);
    const again = await step(
      '3. Plan again: nothing left but the bad rows, and the orphan they protect',
      `orgsync plan --source csv:${accountsPath} --scope full`,
      { mode: 'plan', allowDelete: false, adopt: false },
      '3-replan',
      10,
    );
    const left =
      again.summary.create +
      again.summary.update +
      again.summary.adoptable +
      Math.max(0, again.summary.orphan - withheld.length);
    const kept =
      withheld.length > 0
        ? ` The orphan is deleted by the first --allow-delete run after the bad rows are fixed (or with ORGSYNC_DELETE_BLOCK_ON_INVALID=false).`
        : '';
    out(
      `\n${left === 0 ? 'In step.' : `${left} items still differ.`} The bad rows stay in the report until the CSV is fixed; foreign metadata keys were kept.${kept}\nReports (report.json, results.csv, summary.md) are in ${resolve(flags.reportDir)}/{1-plan,2-apply,3-replan}.\nNext: orgsync plan --source csv:YOUR.csv with SCALEKIT_ENVIRONMENT_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET set (see README).\n`,
    );
    return left === 0 ? 0 : 1;
  } finally {
    await scalekit.close();
    await emulator.close();
  }
}
