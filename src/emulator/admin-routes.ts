import { isApiError } from './api-error.js';
import { FAULT_KINDS } from './knobs.js';
import { z } from 'zod';
import type { EmulatorRuntime } from './runtime.js';
import { seedDirectorySchema } from './seed-schema.js';

/** The prefix of the admin routes; the real API has nothing under it. */
export const ADMIN_PREFIX = '/_emulator/';

/** An answer of an admin route. */
export interface AdminAnswer {
  status: number;
  body: unknown;
}

const resetSchema = z.strictObject({
  counters: z.boolean().optional(),
  state: z.boolean().optional(),
  faults: z.boolean().optional(),
});
const scriptedFaultSchema = z.strictObject({
  method: z.string().toUpperCase().optional(),
  route: z.string().optional(),
  kind: z.enum(FAULT_KINDS),
  phase: z.enum(['before', 'after']).optional(),
  count: z.number().int().positive().optional(),
});

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Malformed percent-encoding: the caller answers 400.
    return null;
  }
}

function problem(status: number, code: string, message: string): AdminAnswer {
  return { status, body: { error: { code, message } } };
}

function invalid(error: z.ZodError): AdminAnswer {
  return problem(
    400,
    'invalid_request',
    error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
  );
}

function reset(runtime: EmulatorRuntime, body: unknown): AdminAnswer {
  const parsed = resetSchema.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const named = Object.keys(parsed.data).length > 0;
  const all = { counters: !named, state: !named, faults: !named, ...parsed.data };
  if (all.state) runtime.store.reset();
  if (all.counters) runtime.counters.reset();
  if (all.faults) runtime.faults.restart();
  return { status: 200, body: { reset: all } };
}

function configure(runtime: EmulatorRuntime, body: unknown): AdminAnswer {
  try {
    runtime.configure(body);
  } catch (error) {
    return problem(400, 'invalid_settings', error instanceof Error ? error.message : String(error));
  }
  return { status: 200, body: runtime.knobs };
}

function attachDirectory(runtime: EmulatorRuntime, organizationId: string, body: unknown): AdminAnswer {
  const input = typeof body === 'object' && body !== null ? { ...body, organization_id: organizationId } : body;
  const parsed = seedDirectorySchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  try {
    const directory = runtime.store.addDirectory(parsed.data);
    if (isApiError(directory)) return problem(404, 'not_found', directory.message);
    return { status: 201, body: { directory } };
  } catch (error) {
    return problem(409, 'conflict', error instanceof Error ? error.message : String(error));
  }
}

/**
 * Routes under `/_emulator/`: state dump, counters, reset, runtime settings, directories,
 * token expiry and scripted faults. They need no auth and are not counted.
 */
export function handleAdminRequest(runtime: EmulatorRuntime, method: string, path: string, body: unknown): AdminAnswer {
  const route = path.slice(ADMIN_PREFIX.length);
  const key = `${method} ${route}`;
  switch (key) {
    case 'GET state':
      return { status: 200, body: runtime.store.snapshot() };
    case 'GET counters':
      return { status: 200, body: runtime.counters.snapshot() };
    case 'POST reset':
      return reset(runtime, body);
    case 'GET config':
      return { status: 200, body: runtime.knobs };
    case 'POST config':
      return configure(runtime, body);
    case 'POST expire-tokens':
      return { status: 200, body: { expired: runtime.tokens.expireAll() } };
    case 'POST faults': {
      const parsed = scriptedFaultSchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      runtime.faults.script(parsed.data);
      return { status: 201, body: { queued: parsed.data } };
    }
  }
  const directories = /^organizations\/([^/]+)\/directories$/.exec(route);
  if (method === 'POST' && directories?.[1]) {
    const organizationId = safeDecode(directories[1]);
    if (organizationId === null) return problem(400, 'invalid_request', `invalid percent-encoding in ${path}`);
    return attachDirectory(runtime, organizationId, body);
  }
  return problem(404, 'not_found', `no admin route ${method} ${path}`);
}
