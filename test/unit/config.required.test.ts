import { describe, expect, it } from 'vitest';
import { loadConfig, SCALEKIT_SETTINGS, type ScalekitConfig } from '../../src/config.js';
import { configProblemsOf } from '../helpers/config-problems.js';

const SCALEKIT_ENV = {
  SCALEKIT_ENVIRONMENT_URL: 'https://acme.scalekit.dev/',
  SCALEKIT_CLIENT_ID: 'id',
  SCALEKIT_CLIENT_SECRET: 'secret',
};

describe('required settings', () => {
  it('are present in the type of the configuration that required them (nobody checks them again)', () => {
    const config = loadConfig({ env: SCALEKIT_ENV, require: SCALEKIT_SETTINGS });
    const scalekit: ScalekitConfig = config;
    const url: string = scalekit.scalekitEnvironmentUrl;
    expect(url).toBe('https://acme.scalekit.dev');
    const loose = loadConfig({ env: SCALEKIT_ENV });
    // @ts-expect-error a configuration loaded without requiring them may lack them: `npm run typecheck` holds this
    const unchecked: ScalekitConfig = loose;
    expect(unchecked.scalekitClientId).toBe('id');
  });

  it('are reported by name when missing, all at once', () => {
    const problems = configProblemsOf(() =>
      loadConfig({ env: {}, require: SCALEKIT_SETTINGS, command: 'orgsync worker' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^SCALEKIT_ENVIRONMENT_URL is required for orgsync worker — /),
      expect.stringMatching(/^SCALEKIT_CLIENT_ID is required for orgsync worker — /),
      expect.stringMatching(/^SCALEKIT_CLIENT_SECRET is required for orgsync worker — /),
    ]);
  });
});

describe('orgsync worker flags', () => {
  it('go through the schema, with their defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config.workerConcurrency).toBe(2);
    expect(config.workerShutdownTimeoutMs).toBe(30_000);
    expect(config.workerHealthPort).toBeUndefined();
    const given = loadConfig({
      env: {},
      flags: { workerConcurrency: '4', workerShutdownTimeoutMs: '500', workerHealthPort: '0' },
    });
    expect([given.workerConcurrency, given.workerShutdownTimeoutMs, given.workerHealthPort]).toEqual([4, 500, 0]);
  });

  it('are reported by flag name with every other problem at once', () => {
    const problems = configProblemsOf(() =>
      loadConfig({
        env: { ORGSYNC_RATE_LIMIT: 'fast' },
        flags: { workerConcurrency: '0', workerShutdownTimeoutMs: '1.5', workerHealthPort: '80a' },
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^ORGSYNC_RATE_LIMIT: /),
      expect.stringMatching(/^--concurrency: expected a whole number greater than 0 \(got "0"\)/),
      expect.stringMatching(/^--shutdown-timeout-ms: expected a whole number greater than 0 \(got "1\.5"\)/),
      expect.stringMatching(/^--health-port: expected a port 0-65535 \(got "80a"\)/),
    ]);
    expect(configProblemsOf(() => loadConfig({ env: {}, flags: { workerHealthPort: '65536' } }))).toEqual([
      expect.stringMatching(/^--health-port: expected a port 0-65535/),
    ]);
  });
});
