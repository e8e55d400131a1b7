import { afterEach } from 'vitest';
import { createScalekitClient, type ScalekitClient } from '../../../src/scalekit/client.js';
import type { ScalekitClientOptions } from '../../../src/scalekit/client-options.js';
import { unlimitedBudget } from '../../../src/scalekit/token-bucket.js';
import { startScriptedServer, tokenReply, type Script, type ScriptedServer } from './scripted-server.js';

/** An organization as the API returns it; `extra` adds or overrides fields. */
export const organizationJson = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  display_name: `Org ${id}`,
  metadata: {},
  create_time: '2026-01-01T00:00:00Z',
  ...extra,
});

/** Answers the token endpoint with numbered tokens and hands every other request to `script`. */
export const withTokens =
  (script: Script): Script =>
  (req, index) =>
    req.url === '/oauth/token' ? tokenReply(index + 1) : script(req, index);

/** The requests to the API proper (not to the token endpoint). */
export const apiRequests = (server: ScriptedServer) => server.requests.filter((r) => r.url.startsWith('/api/'));

/**
 * Registers an `afterEach` that closes what the returned `start` opened, newest first. `start` runs a
 * scripted server and a client pointed at it: test credentials, no rate budget, no real sleeps,
 * unless `options` (or a function of the server that returns them) says otherwise. `defer` adds
 * any other cleanup.
 */
export function useScriptedClients() {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const defer = (cleanup: () => Promise<void>) => void cleanups.push(cleanup);
  async function start(
    script: Script,
    options: Partial<ScalekitClientOptions> | ((server: ScriptedServer) => Partial<ScalekitClientOptions>) = {},
  ): Promise<{ server: ScriptedServer; client: ScalekitClient }> {
    const server = await startScriptedServer(script);
    defer(() => server.close());
    const overrides = typeof options === 'function' ? options(server) : options;
    const client = createScalekitClient({
      environmentUrl: server.url,
      clientId: 'id',
      clientSecret: 'secret',
      rateBudget: unlimitedBudget,
      sleep: async () => {},
      ...overrides,
    });
    defer(() => client.close());
    return { server, client };
  }
  return { start, defer };
}
