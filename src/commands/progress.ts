import type { Logger } from 'pino';
import type { Progress } from '../engine/run.js';

/**
 * A one-line progress bar on a TTY (stderr, redrawn in place at most 10 times a second), plain log
 * lines otherwise (at most one every 5 seconds).
 */
export function createProgressReporter(options: { stream: NodeJS.WriteStream; logger: Logger; now?: () => number }) {
  const now = options.now ?? Date.now;
  const tty = options.stream.isTTY === true;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(progress: Progress): void {
      const t = now();
      const final = progress.total !== undefined && progress.done >= progress.total;
      if (!final && t - last < (tty ? 100 : 5000)) return;
      last = t;
      if (tty) {
        options.stream.write(`\r${render(progress, options.stream.columns ?? 80)}`);
        drawn = true;
      } else {
        options.logger.info({ phase: progress.phase, done: progress.done, total: progress.total }, 'progress');
      }
    },
    /** Clears the bar before the summary is printed. */
    done(): void {
      if (tty && drawn) options.stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}

function render(progress: Progress, columns: number): string {
  const label = `${progress.phase.padEnd(8)} ${progress.done}${progress.total === undefined ? '' : `/${progress.total}`}`;
  if (progress.total === undefined || progress.total === 0) return label;
  const width = Math.max(10, Math.min(40, columns - label.length - 10));
  const filled = Math.round((progress.done / progress.total) * width);
  const percent = Math.floor((progress.done / progress.total) * 100);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${label}`;
}
