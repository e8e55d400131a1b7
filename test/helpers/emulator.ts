import { afterEach } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';

/**
 * A bearer token from the emulator at `url`, by the client-credentials grant. The defaults suit an
 * emulator started without `clientId`/`clientSecret`, which takes any credentials.
 */
export async function emulatorToken(url: string, clientId = 'a', clientSecret = 'b'): Promise<string> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * Registers an `afterEach` that closes every emulator the returned function started during the
 * test. The function starts one with `options` and fetches a token from it.
 */
export function useEmulatorPerTest(): (
  options: EmulatorOptions,
) => Promise<{ emulator: RunningEmulator; token: string }> {
  const started: RunningEmulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.close()));
  });
  return async (options) => {
    const emulator = await startEmulator(options);
    started.push(emulator);
    return { emulator, token: await emulatorToken(emulator.url) };
  };
}
