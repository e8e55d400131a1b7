import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { escapeText } from '../domain/safe-text.js';
import { OrgsyncError } from '../errors.js';
import { PlanItems } from './plan-items.js';
import { jsonWithItems, writeFilesAtomically } from './write-lines.js';

const changeSchema = z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() });
const itemSchema = z.object({
  action: z.enum(['create', 'update', 'orphan', 'adoptable', 'invalid', 'conflict']),
  externalId: z.string().nullable(),
  accountId: z.string().nullable(),
  line: z.number().int().nullable(),
  orgId: z.string().nullable(),
  changes: z.array(changeSchema),
  desired: z.object({ displayName: z.string(), metadata: z.record(z.string(), z.string().nullable()) }).optional(),
  error: z.object({ code: z.string(), message: z.string() }).nullish(),
});

/**
 * The plan file's format. 2 added what the plan was made for (environment, regions, owned keys) and
 * its delete decision; a version-1 file lacks them, so it is refused with "re-plan" (it cannot be
 * checked against this run's settings, and guessing could delete or write in the wrong environment).
 */
export const SAVED_PLAN_VERSION = 2;

const deletePolicySchema = z.object({
  max_count: z.number().nonnegative(),
  max_percent: z.number().min(0).max(100),
  block_on_invalid: z.boolean(),
});

/** The delete thresholds a plan made with `--allow-delete` was decided with (ORGSYNC_DELETE_*). */
export type DeletePolicy = z.output<typeof deletePolicySchema>;

const savedPlanSchema = z.object({
  orgsync_plan: z.literal(SAVED_PLAN_VERSION),
  run_id: z.string(),
  created_at: z.string(),
  /** SCALEKIT_ENVIRONMENT_URL of the run that made the plan. */
  environment_url: z.string().min(1),
  /** ORGSYNC_REGIONS and ORGSYNC_METADATA_KEYS of the run that made the plan. */
  regions: z.array(z.string()),
  metadata_keys: z.array(z.string()),
  /** Made with `--scope full --allow-delete`: applying it deletes the orphans as previewed. */
  allow_delete: z.boolean(),
  /** With `allow_delete`: the thresholds its deletes were decided with; otherwise null. */
  delete_policy: deletePolicySchema.nullable(),
  source: z.string(),
  scope: z.enum(['partial', 'full']),
  accounts: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  managed_count: z.number().int().nonnegative(),
  /** Owned keys no record carried (not managed); optional: plans saved before it existed lack it. */
  unmanaged_keys: z.array(z.string()).optional(),
  unknown_columns: z.array(z.string()).optional(),
  items: z.array(itemSchema),
});

/** A plan written by `orgsync plan --out FILE`, applied later by `orgsync apply FILE`. */
export interface SavedPlan extends Omit<z.output<typeof savedPlanSchema>, 'items'> {
  items: PlanItems;
}

/** Writes the plan atomically (temp file + rename), so a crash never leaves half a plan. */
export async function writeSavedPlan(path: string, plan: SavedPlan): Promise<void> {
  const { items, ...head } = plan;
  await writeFilesAtomically([{ path, chunks: () => jsonWithItems(head, 'items', items) }]);
}

/** Reads and checks a plan file; a file that is not one fails with a message saying so. */
export async function readSavedPlan(path: string): Promise<SavedPlan> {
  const shown = escapeText(path);
  const text = await readPlanText(path, shown);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw notAPlan(path, text);
  }
  if (isObject(json) && json['orgsync_plan'] === 1) {
    throw new OrgsyncError(
      'ERR_PLAN_FILE',
      `${shown} was saved by an earlier orgsync and does not record the Scalekit environment, regions and owned keys it was made for, so it cannot be checked against this run; re-plan: orgsync plan --source ... --out ${shown}`,
    );
  }
  const parsed = savedPlanSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrgsyncError(
      'ERR_PLAN_FILE',
      `${shown} is not an orgsync plan (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad shape'}); pass a file written by \`orgsync plan --out FILE\`.`,
    );
  }
  return { ...parsed.data, items: PlanItems.from(parsed.data.items) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The delete thresholds of these settings, as a plan records them. */
export function deletePolicyOf(settings: {
  deleteMaxCount: number;
  deleteMaxPercent: number;
  deleteBlockOnInvalid?: boolean | undefined;
}): DeletePolicy {
  return {
    max_count: settings.deleteMaxCount,
    max_percent: settings.deleteMaxPercent,
    block_on_invalid: settings.deleteBlockOnInvalid ?? true,
  };
}

/** What `apply PLAN_FILE` runs with, to compare with what the plan was made for. */
export interface PlanTarget {
  environmentUrl: string;
  regions: readonly string[];
  metadataKeys: readonly string[];
  /** `apply --allow-delete` was given. */
  allowDelete: boolean;
  deletePolicy: DeletePolicy;
}

/**
 * Every way this run differs from what the plan was made for, one sentence each (empty: none). A
 * plan is applied only where and as it was made: another environment, other regions or owned keys
 * would write what nobody reviewed; `--allow-delete` on a plan made without it would delete what the
 * plan never showed; other delete thresholds would decide its deletes differently.
 */
export function planTargetDifferences(path: string, plan: SavedPlan, target: PlanTarget): string[] {
  const shown = escapeText(path);
  const differences: string[] = [];
  if (plan.environment_url !== target.environmentUrl)
    differences.push(
      `${shown} was made for ${escapeText(plan.environment_url)}, this run targets ${escapeText(target.environmentUrl)} (SCALEKIT_ENVIRONMENT_URL)`,
    );
  const setting = (name: string, planned: readonly string[], now: readonly string[]) => {
    if (sameSet(planned, now)) return;
    differences.push(
      `${shown} was made with ${name}=${escapeText(planned.join(','))}, this run has ${name}=${escapeText(now.join(','))}`,
    );
  };
  setting('ORGSYNC_REGIONS', plan.regions, target.regions);
  setting('ORGSYNC_METADATA_KEYS', plan.metadata_keys, target.metadataKeys);
  if (target.allowDelete && !plan.allow_delete)
    differences.push(
      `${shown} was made without --allow-delete (it shows no deletes), but this run has --allow-delete; to delete, make the plan with: orgsync plan --scope full --allow-delete --out ${shown}`,
    );
  if (plan.allow_delete && plan.delete_policy) {
    const planned = plan.delete_policy;
    const now = target.deletePolicy;
    const policy: [string, unknown, unknown][] = [
      ['ORGSYNC_DELETE_MAX_COUNT', planned.max_count, now.max_count],
      ['ORGSYNC_DELETE_MAX_PERCENT', planned.max_percent, now.max_percent],
      ['ORGSYNC_DELETE_BLOCK_ON_INVALID', planned.block_on_invalid, now.block_on_invalid],
    ];
    for (const [name, a, b] of policy)
      if (a !== b)
        differences.push(`${shown} decided its deletes with ${name}=${String(a)}, this run has ${String(b)}`);
  }
  return differences;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/** The error for a file that is not JSON; a CSV given where a plan goes was meant as a source. */
function notAPlan(path: string, head: string): OrgsyncError {
  const shown = escapeText(path);
  const firstLine = head.slice(0, 4096).split(/\r?\n/, 1)[0] ?? '';
  const looksLikeCsv = /\.(csv|tsv|txt)$/i.test(path) || /[,;\t]/.test(firstLine);
  const planHint = 'a plan file is what `orgsync plan --out FILE` writes';
  return new OrgsyncError(
    'ERR_PLAN_FILE',
    looksLikeCsv
      ? `${shown} is not a saved plan (not JSON): it looks like a CSV of accounts. To apply it, run: orgsync apply --source csv:${shown} (${planHint})`
      : `${shown} is not JSON, so it is not a saved plan; ${planHint}`,
  );
}

/**
 * The plan file's text. Anything but a regular file (a FIFO would block forever) is refused, and a
 * file whose first bytes are not the start of a JSON object is refused before it is read whole.
 */
async function readPlanText(path: string, shown: string): Promise<string> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!(await handle.stat()).isFile()) {
      throw new OrgsyncError('ERR_PLAN_FILE', `cannot read plan file ${shown}: it is not a regular file`);
    }
    const first = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(first, 0, first.length, 0);
    const head = first.subarray(0, bytesRead).toString('utf8');
    if (!/^\s*\{/.test(head)) throw notAPlan(path, head);
    return await handle.readFile('utf8');
  } catch (error) {
    if (error instanceof OrgsyncError) throw error;
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : (error instanceof Error ? error.message : String(error)).replace(/, \w+ '[^]*$/, '');
    throw new OrgsyncError('ERR_PLAN_FILE', `cannot read plan file ${shown}: ${reason}`, { cause: error });
  } finally {
    await handle?.close();
  }
}
