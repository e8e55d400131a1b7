import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { registerDemoCommand } from './demo.js';
import { registerEmulatorCommand } from './emulator.js';
import { registerServeCommand } from './serve.js';
import type { CommandIo } from './sync-command.js';

/** Adds every command besides plan/apply (which cli.ts defines) to the program. */
export function registerCommands(program: Command, io: CommandIo): void {
  registerDemoCommand(program, io);
  registerServeCommand(program, io);
  registerEmulatorCommand(program, () => {
    const config = loadConfig({ env: io.env });
    return { clientId: config.scalekitClientId, clientSecret: config.scalekitClientSecret };
  });
}
