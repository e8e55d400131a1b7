import { describe, expect, it } from 'vitest';
import { loadConfig, SCALEKIT_SETTINGS } from '../../src/config.js';
import { configProblemsOf } from '../helpers/config-problems.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config.regions).toEqual(['us-east', 'us-west', 'eu-west', 'eu-central', 'ap-south', 'ap-southeast']);
    expect(config.metadataKeys).toEqual(['invoice_email', 'billing_plan', 'billing_currency', 'tax_id']);
    expect(config.httpHost).toBe('127.0.0.1');
    expect(config.httpPort).toBe(8080);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.nightlyCron).toBe('0 2 * * *');
  });

  it('reports every invalid and missing setting at once, by name', () => {
    const problems = configProblemsOf(() =>
      loadConfig({
        env: { SCALEKIT_ENVIRONMENT_URL: 'not a url', ORGSYNC_RATE_LIMIT: 'fast', ORGSYNC_HTTP_PORT: '99999' },
        require: SCALEKIT_SETTINGS,
        command: 'orgsync plan',
      }),
    );
    expect(problems.map((p) => p.split(/[: ]/)[0])).toEqual(
      expect.arrayContaining([
        'SCALEKIT_ENVIRONMENT_URL',
        'ORGSYNC_RATE_LIMIT',
        'ORGSYNC_HTTP_PORT',
        'SCALEKIT_CLIENT_ID',
        'SCALEKIT_CLIENT_SECRET',
      ]),
    );
    expect(problems).toHaveLength(5);
    expect(problems.find((p) => p.startsWith('SCALEKIT_CLIENT_ID'))).toContain('required for orgsync plan');
  });

  it('debounces reconciles by ORGSYNC_RECONCILE_DELAY_MS, 1000 ms unless set, 0 to run them at once', () => {
    expect(loadConfig({ env: {} }).reconcileDelayMs).toBe(1_000);
    expect(loadConfig({ env: { ORGSYNC_RECONCILE_DELAY_MS: '0' } }).reconcileDelayMs).toBe(0);
    const [problem] = configProblemsOf(() => loadConfig({ env: { ORGSYNC_RECONCILE_DELAY_MS: '1s' } }));
    expect(problem).toMatch(/^ORGSYNC_RECONCILE_DELAY_MS: expected milliseconds, e\.g\. 1000 \(got "1s"\)/);
  });

  it('bounds waits on Redis and sets the worker lock: ORGSYNC_REDIS_TIMEOUT_MS, ORGSYNC_WORKER_*', () => {
    const defaults = loadConfig({ env: {} });
    expect(defaults.redisTimeoutMs).toBe(20_000);
    expect(defaults.workerLockDurationMs).toBe(15_000);
    expect(defaults.workerStalledIntervalMs).toBe(10_000);
    const set = loadConfig({
      env: {
        ORGSYNC_REDIS_TIMEOUT_MS: '5000',
        ORGSYNC_WORKER_LOCK_DURATION_MS: '30000',
        ORGSYNC_WORKER_STALLED_INTERVAL_MS: '2000',
      },
    });
    expect([set.redisTimeoutMs, set.workerLockDurationMs, set.workerStalledIntervalMs]).toEqual([5_000, 30_000, 2_000]);
    const problems = configProblemsOf(() =>
      loadConfig({
        env: {
          ORGSYNC_REDIS_TIMEOUT_MS: '10',
          ORGSYNC_WORKER_LOCK_DURATION_MS: '15s',
          ORGSYNC_WORKER_STALLED_INTERVAL_MS: '0',
        },
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^ORGSYNC_REDIS_TIMEOUT_MS: expected at least 500 milliseconds \(got "10"\)/),
      expect.stringMatching(/^ORGSYNC_WORKER_LOCK_DURATION_MS: expected milliseconds, e\.g\. 15000 \(got "15s"\)/),
      expect.stringMatching(/^ORGSYNC_WORKER_STALLED_INTERVAL_MS: expected at least 1000 milliseconds \(got "0"\)/),
    ]);
  });

  it('lets flags override the environment', () => {
    const config = loadConfig({
      env: { ORGSYNC_RATE_LIMIT: '5', ORGSYNC_SOURCE: 'csv:a.csv' },
      flags: { rateLimit: '40', source: 'csv:b.csv' },
    });
    expect(config.rateLimit).toBe(40);
    expect(config.source).toBe('csv:b.csv');
  });

  it('never echoes a secret in a problem', () => {
    const problems = configProblemsOf(() => loadConfig({ env: { ORGSYNC_WEBHOOK_SECRET: 'hunter2-very-secret' } }));
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems[0]).toMatch(/^ORGSYNC_WEBHOOK_SECRET: .*whsec_/);
  });

  it('rejects metadata keys outside Scalekit limits', () => {
    const problems = configProblemsOf(() => loadConfig({ env: { ORGSYNC_METADATA_KEYS: 'invoice_email,ab' } }));
    expect(problems[0]).toMatch(/^ORGSYNC_METADATA_KEYS: .*3-25/);
  });

  it('keeps the dashboard read-only unless ORGSYNC_ADMIN_READ_ONLY=false', () => {
    expect(loadConfig({ env: {} }).adminReadOnly).toBe(true);
    expect(loadConfig({ env: { ORGSYNC_ADMIN_READ_ONLY: 'false' } }).adminReadOnly).toBe(false);
    expect(configProblemsOf(() => loadConfig({ env: { ORGSYNC_ADMIN_READ_ONLY: 'maybe' } }))[0]).toMatch(
      /^ORGSYNC_ADMIN_READ_ONLY: expected true or false/,
    );
  });

  it('trims and lower-cases regions and strips a trailing slash from the environment URL', () => {
    const config = loadConfig({
      env: { ORGSYNC_REGIONS: ' US-East , eu-west ', SCALEKIT_ENVIRONMENT_URL: 'https://acme.scalekit.dev/' },
    });
    expect(config.regions).toEqual(['us-east', 'eu-west']);
    expect(config.scalekitEnvironmentUrl).toBe('https://acme.scalekit.dev');
  });
});
