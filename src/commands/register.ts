import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { registerDemoCommand } from './demo.js';
import { registerEmulatorCommand } from './emulator.js';
import { registerEnqueueCommand } from './enqueue.js';
import { registerRetryCommand } from './retry.js';
import { registerRunsCommand } from './runs.js';
import { registerServeCommand } from './serve.js';
import type { CommandIo } from './sync-command.js';
import { registerWorkerCommand } from './worker.js';

/** Adds every command besides plan/apply (which cli.ts defines) to the program. */
export function registerCommands(program: Command, io: CommandIo): void {
  registerDemoCommand(program, io);
  registerServeCommand(program, io);
  registerWorkerCommand(program, io);
  registerEnqueueCommand(program, io);
  registerRunsCommand(program, io);
  registerRetryCommand(program, io);
  registerEmulatorCommand(program, () => {
    const config = loadConfig({ env: io.env });
    return { clientId: config.scalekitClientId, clientSecret: config.scalekitClientSecret };
  });
}
