import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { OrgsyncError } from '../errors.js';
import { PackedCreate } from './packed-create.js';
import type { PlanItem } from './plan-item.js';
import { jsonWithItems, writeChunks } from './write-lines.js';

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
  items: PlanItem[];
}

/** Writes the plan atomically (temp file + rename), so a crash never leaves half a plan. */
export async function writeSavedPlan(path: string, plan: SavedPlan): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const { items, ...head } = plan;
  const planJson = function* () {
    for (const item of items) yield item instanceof PackedCreate ? item.toPlanJSON() : item;
  };
  await writeChunks(temp, () => jsonWithItems(head, 'items', planJson()));
  await rename(temp, path);
}

/** Reads and checks a plan file; a file that is not one fails with a message saying so. */
export async function readSavedPlan(path: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new OrgsyncError(
      'ERR_PLAN_FILE',
      `cannot read plan file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OrgsyncError('ERR_PLAN_FILE', `${path} is not JSON; pass a file written by \`orgsync plan --out FILE\`.`);
  }
  const parsed = savedPlanSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrgsyncError(
      'ERR_PLAN_FILE',
      `${path} is not an orgsync plan (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad shape'}); pass a file written by \`orgsync plan --out FILE\`.`,
    );
  }
  return parsed.data;
}
