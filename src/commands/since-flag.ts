import { parseInstantLoosely } from '../sources/instant.js';

/** Checks `--since` against the source and scope; every problem is a ConfigError naming the flag. */
export function checkSinceFlag(since: string | undefined, scope: string, sourceSpec: string | undefined): string[] {
  if (since === undefined) return [];
  const problems: string[] = [];
  if (since !== 'last' && parseInstantLoosely(since) === undefined)
    problems.push(
      `--since: expected "last" or an RFC 3339 instant such as 2026-11-01T00:00:00Z (got ${JSON.stringify(since)})`,
    );
  if (scope === 'full')
    problems.push(
      '--since reads only the accounts that changed, so it cannot find orphans: use it with --scope partial (the nightly full sync finds them)',
    );
  if (sourceSpec && !/^(postgres|https?):/i.test(sourceSpec))
    problems.push('--since needs a postgres: or http(s):// source (the rows must carry updated_at)');
  return problems;
}
