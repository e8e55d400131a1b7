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

const savedPlanSchema = z.object({
  orgsync_plan: z.literal(1),
  run_id: z.string(),
  created_at: z.string(),
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
