/**
 * Child-process entry that hosts the emulator for one scenario, so that the emulator's CPU and
 * memory never count against the runs being measured. The parent (`emulator-handle.ts`) sends one
 * `EmulatorChildRequest` and gets back `{ url }`; the child exits when the parent disconnects.
 */
import { startEmulator } from '../src/emulator/server.js';
import { benchOrganizations } from './dataset.js';
import type { EmulatorChildReply, EmulatorChildRequest } from './emulator-handle.js';

function reply(message: EmulatorChildReply): void {
  process.send?.(message);
}

process.once('message', (message: EmulatorChildRequest) => {
  const organizations = [...benchOrganizations(message.spec)];
  startEmulator({
    port: 0,
    seed: { organizations },
    latencyMs: message.latencyMs,
    rateLimit: message.rateLimitPerSecond === null ? null : { perSecond: message.rateLimitPerSecond, retryAfter: true },
    clientId: message.clientId,
    clientSecret: message.clientSecret,
  }).then(
    (emulator) => {
      process.once('disconnect', () => {
        void emulator.close().then(() => process.exit(0));
      });
      reply({ ok: true, url: emulator.url, organizations: organizations.length });
    },
    (error: unknown) => {
      reply({ ok: false, message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
});
