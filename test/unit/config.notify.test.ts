import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblemsOf } from '../helpers/config-problems.js';

function problemsOf(env: Record<string, string>): string[] {
  return configProblemsOf(() => loadConfig({ env }));
}

describe('the notification settings', () => {
  it('default to no notifications, on failure, unsigned, without run page links', () => {
    const config = loadConfig({ env: {} });
    expect(config.notifyUrls).toEqual([]);
    expect(config.notifyOn).toBe('failure');
    expect(config.notifySecret).toBeUndefined();
    expect(config.publicUrl).toBeUndefined();
  });

  it('take one URL or several separated by commas, and the public URL without its trailing slash', () => {
    const config = loadConfig({
      env: {
        ORGSYNC_NOTIFY_URL: 'https://hooks.example.com/a, http://127.0.0.1:9000/b?x=1',
        ORGSYNC_NOTIFY_ON: 'drift',
        ORGSYNC_PUBLIC_URL: 'https://orgsync.example.com/',
      },
    });
    expect(config.notifyUrls).toEqual(['https://hooks.example.com/a', 'http://127.0.0.1:9000/b?x=1']);
    expect(config.notifyOn).toBe('drift');
    expect(config.publicUrl).toBe('https://orgsync.example.com');
  });

  it('name every bad one and its fix, never echoing a URL or the secret', () => {
    const problems = problemsOf({
      ORGSYNC_NOTIFY_URL: 'https://hooks.example.com/T0K3N,ftp://elsewhere',
      ORGSYNC_NOTIFY_ON: 'sometimes',
      ORGSYNC_NOTIFY_SECRET: 'hunter2',
      ORGSYNC_PUBLIC_URL: 'orgsync.example.com',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'ORGSYNC_NOTIFY_URL',
      'ORGSYNC_NOTIFY_ON',
      'ORGSYNC_NOTIFY_SECRET',
      'ORGSYNC_PUBLIC_URL',
    ]);
    expect(problems[0]).toContain('expected one http(s) URL, or several separated by commas');
    expect(problems[1]).toContain('expected failure, drift or always');
    expect(problems.join('\n')).not.toMatch(/T0K3N|hunter2/);
  });
});
