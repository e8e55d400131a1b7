import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblemsOf } from '../helpers/config-problems.js';

describe('settings of the queued jobs', () => {
  it('the nightly policy defaults to no deletes and no adoption', () => {
    const config = loadConfig({ env: {} });
    expect(config.nightlyAllowDelete).toBe(false);
    expect(config.nightlyAdopt).toBe(false);
    expect(config.region).toBeUndefined();
    expect(config.csvDelimiter).toBeUndefined();
    expect(config.csvEncoding).toBeUndefined();
  });

  it('reads the nightly policy and the source settings from the environment', () => {
    const config = loadConfig({
      env: {
        ORGSYNC_NIGHTLY_ALLOW_DELETE: 'true',
        ORGSYNC_NIGHTLY_ADOPT: 'true',
        ORGSYNC_REGION: 'eu-west',
        ORGSYNC_CSV_DELIMITER: ';',
        ORGSYNC_CSV_ENCODING: 'windows-1252',
      },
    });
    expect(config).toMatchObject({
      nightlyAllowDelete: true,
      nightlyAdopt: true,
      region: 'eu-west',
      csvDelimiter: ';',
      csvEncoding: 'windows-1252',
    });
  });

  it('lets flags override the environment', () => {
    const config = loadConfig({
      env: { ORGSYNC_REGION: 'eu-west', ORGSYNC_CSV_DELIMITER: ';', ORGSYNC_CSV_ENCODING: 'latin1' },
      flags: { region: 'us-east', csvDelimiter: 'tab', csvEncoding: 'utf-16le' },
    });
    expect(config).toMatchObject({ region: 'us-east', csvDelimiter: 'tab', csvEncoding: 'utf-16le' });
  });

  it('names each bad value by its variable', () => {
    const problems = configProblemsOf(() =>
      loadConfig({
        env: { ORGSYNC_NIGHTLY_ALLOW_DELETE: 'yes please', ORGSYNC_NIGHTLY_ADOPT: '2', ORGSYNC_REGION: 'mars' },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ORGSYNC_NIGHTLY_ALLOW_DELETE: expected true or false/),
        expect.stringMatching(/^ORGSYNC_NIGHTLY_ADOPT: expected true or false/),
        expect.stringMatching(/^ORGSYNC_REGION: "mars" is not a configured region: use one of us-east, /),
      ]),
    );
  });

  it('checks ORGSYNC_REGION against ORGSYNC_REGIONS, ignoring case and spaces', () => {
    expect(loadConfig({ env: { ORGSYNC_REGIONS: 'mars,venus', ORGSYNC_REGION: ' Mars ' } }).region).toBe(' Mars ');
    expect(
      configProblemsOf(() => loadConfig({ env: { ORGSYNC_REGIONS: 'mars', ORGSYNC_REGION: 'venus' } })),
    ).toHaveLength(1);
  });
});

describe('ORGSYNC_QUEUE', () => {
  it('defaults to orgsync; the --queue flag overrides the environment', () => {
    expect(loadConfig({ env: {} }).queueName).toBe('orgsync');
    expect(loadConfig({ env: { ORGSYNC_QUEUE: 'billing' } }).queueName).toBe('billing');
    expect(loadConfig({ env: { ORGSYNC_QUEUE: 'billing' }, flags: { queueName: 'eu' } }).queueName).toBe('eu');
  });

  it('refuses a name BullMQ or the key layout cannot take, naming the setting', () => {
    const problems = configProblemsOf(() => loadConfig({ env: { ORGSYNC_QUEUE: 'a:b' } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^ORGSYNC_QUEUE: expected a queue name of letters, digits, - and _ \(at most 64\) \(got "a:b"\)/,
    );
  });
});
