import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture(): { lines: string[]; destination: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) } };
}

describe('createLogger', () => {
  it('escapes C1 controls, bidi overrides and line separators that JSON leaves raw, keeping valid JSON', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination });
    const source = 'csv:evil\u009b2J\u202egnp\u2028.csv\u001b[0m';
    logger.info({ source }, 'run started \u2066x\u2069');
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line).not.toMatch(/[\p{Cc}\u2028\u202e\u2066\u2069](?<!\n)/u);
    expect(line).toContain('evil\\u009b2J\\u202egnp\\u2028.csv\\u001b[0m');
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toMatchObject({ source, msg: 'run started \u2066x\u2069' });
  });

  it("redacts the arguments of a failed Redis command (an AUTH's are the password)", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination });
    const error = Object.assign(new Error('WRONGPASS invalid username-password pair'), {
      command: { name: 'auth', args: ['alice', 'the-redis-pw'] },
    });
    logger.warn({ err: error }, 'Redis connection error');
    logger.warn({ worker: { err: error } }, 'nested');
    expect(lines.join('')).not.toContain('the-redis-pw');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ err: { message: error.message, command: { name: 'auth' } } });
  });
});
