import { z } from 'zod';

/** Every kind of injected fault. */
export const FAULT_KINDS = ['http-500', 'http-502', 'http-503', 'drop', 'timeout'] as const;
/**
 * - `http-500` / `http-503`: an error answer in grpc-gateway's shape (gRPC 13 / 14);
 * - `http-502`: a load balancer's HTML page, not JSON (it comes from in front of the API);
 * - `drop`: the socket is destroyed without an answer;
 * - `timeout`: the request is held, unanswered, until the client gives up.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** When a fault strikes a write: before it is applied, after it (the answer is lost), or either at random. */
export type FaultPhase = 'before' | 'after' | 'either';

const faultKindSchema = z.enum(FAULT_KINDS);

/** The knobs that can change at runtime (`configure()`, `POST /_emulator/config`). */
export const emulatorKnobsSchema = z.strictObject({
  /** Added to every API and token response, in milliseconds. */
  latencyMs: z.number().int().min(0).max(600_000),
  /** Requests per second across /api/v1; `null` turns the limit off. */
  rateLimit: z.strictObject({ perSecond: z.number().positive(), retryAfter: z.boolean().default(true) }).nullable(),
  /** Fraction of /api/v1 requests that fail, 0..1. */
  faultRate: z.number().min(0).max(1),
  /** Which faults, as a list (equal weights) or as weights per kind. */
  faultKinds: z.union([z.array(faultKindSchema).min(1), z.partialRecord(faultKindSchema, z.number().nonnegative())]),
  faultPhase: z.enum(['before', 'after', 'either']),
  /** Seed of the fault draws; setting it restarts the sequence. */
  randomSeed: z.number().int(),
});

/** Runtime knobs, all set. */
export type EmulatorKnobs = z.output<typeof emulatorKnobsSchema>;
/** A partial change of the knobs. */
export type EmulatorKnobsPatch = z.input<ReturnType<typeof emulatorKnobsSchema.partial>>;

/** Defaults: no latency, no limit, no faults. */
export const DEFAULT_KNOBS = {
  latencyMs: 0,
  rateLimit: null,
  faultRate: 0,
  faultKinds: [...FAULT_KINDS],
  faultPhase: 'either',
  randomSeed: 1,
} satisfies EmulatorKnobs;

/** Validates a partial change; throws a RangeError naming every bad knob. */
export function parseKnobsPatch(value: unknown): Partial<EmulatorKnobs> {
  const result = emulatorKnobsSchema.partial().safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new RangeError(`Invalid emulator settings: ${problems.join('; ')}`);
}
