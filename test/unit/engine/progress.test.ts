import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../../src/commands/progress.js';

function stream(tty: boolean) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: Object.assign(out, { isTTY: tty, columns: 80 }) as unknown as NodeJS.WriteStream, text: () => text };
}

describe('createProgressReporter', () => {
  it('draws a bar in place on a terminal, at most ten times a second, and clears it', () => {
    let now = 0;
    const s = stream(true);
    const progress = createProgressReporter({ stream: s.stream, logger: pino({ level: 'silent' }), now: () => now });
    progress.update({ phase: 'apply', done: 1, total: 4 });
    now = 50;
    progress.update({ phase: 'apply', done: 2, total: 4 }); // too soon: skipped
    now = 200;
    progress.update({ phase: 'apply', done: 4, total: 4 });
    progress.done();
    const frames = s.text().split('\r').filter(Boolean);
    expect(frames[0]).toMatch(/^\[#+\.+\]\s+25% apply\s+1\/4$/);
    expect(frames[1]).toMatch(/100% apply\s+4\/4$/);
    expect(frames).toHaveLength(3);
    expect(frames[2]).toBe('\u001b[2K');
  });

  it('logs plain lines instead when not on a terminal, and draws nothing', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const s = stream(false);
    let now = 10_000;
    const progress = createProgressReporter({ stream: s.stream, logger, now: () => now });
    progress.update({ phase: 'plan', done: 1000 });
    now += 1000;
    progress.update({ phase: 'plan', done: 2000 }); // within 5 s: skipped
    now += 5000;
    progress.update({ phase: 'plan', done: 3000 });
    progress.done();
    expect(s.text()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { done: number }).done)).toEqual([1000, 3000]);
  });
});
