import type { PlanItem } from './plan-item.js';
import type { PlanItems } from './plan-items.js';
import type { ItemAction, Report, ReportItem, RunReport } from './types.js';

/**
 * What applying one plan item came to: `null` when it turned out to be unchanged, its report item,
 * or, for a create that went as planned, only the new organization's ID (the report shows the
 * plan's create with it: a first sync of a million accounts keeps its creates once, in the plan).
 */
export type ApplyOutcome = ReportItem | null | { createdOrgId: string };

/** A plan item as the report shows it. */
export function planItemToReportItem(item: PlanItem): ReportItem {
  return {
    external_id: item.externalId,
    account_id: item.accountId,
    line: item.line,
    action: item.action,
    org_id: item.orgId,
    changes: item.changes,
    error: item.error ?? null,
  };
}

/**
 * The items of a report (`report.json`'s `items`), in order: counted and iterated, handed out as
 * plain `ReportItem`s, written to JSON as an array. A plan's report reads its items from the plan
 * (`ofPlan`), an apply's from the plan and the outcomes (`ofApplied`), so that a create is kept once.
 */
export class ReportItems implements Iterable<ReportItem> {
  readonly count: number;
  private readonly read: () => Iterator<ReportItem>;
  private readonly readActions: () => Iterable<ItemAction>;

  private constructor(count: number, read: () => Iterator<ReportItem>, actions: () => Iterable<ItemAction>) {
    this.count = count;
    this.read = read;
    this.readActions = actions;
  }

  /** A report of these items (copied: later changes to `items` do not show). */
  static from(items: Iterable<ReportItem>): ReportItems {
    const array = [...items];
    return new ReportItems(
      array.length,
      () => array[Symbol.iterator](),
      () => array.map((item) => item.action),
    );
  }

  /**
   * A plan's report: every item of the (complete) plan, those at the indexes of `shown` shown as
   * given instead (a plan's delete preview: an orphan as `delete`, or withheld and why).
   */
  static ofPlan(plan: PlanItems, shown: ReadonlyMap<number, ReportItem> = new Map()): ReportItems {
    return new ReportItems(
      plan.count,
      function* () {
        let index = 0;
        for (const item of plan) yield shown.get(index++) ?? planItemToReportItem(item);
      },
      function* () {
        let index = 0;
        for (const action of plan.actions()) yield shown.get(index++)?.action ?? action;
      },
    );
  }

  /** An apply's report: the outcome of every item of `plan` (index for index), the unchanged left out. */
  static ofApplied(plan: PlanItems, outcomes: readonly ApplyOutcome[]): ReportItems {
    const count = outcomes.reduce((n, outcome) => (outcome === null ? n : n + 1), 0);
    return new ReportItems(
      count,
      function* () {
        let index = 0;
        for (const item of plan) {
          const outcome = outcomes[index++] ?? null;
          if (outcome === null) continue;
          if (!('createdOrgId' in outcome)) yield outcome;
          else yield { ...planItemToReportItem(item), org_id: outcome.createdOrgId };
        }
      },
      function* () {
        for (const outcome of outcomes)
          if (outcome !== null) yield 'createdOrgId' in outcome ? 'create' : outcome.action;
      },
    );
  }

  [Symbol.iterator](): Iterator<ReportItem> {
    return this.read();
  }

  /** Each item's action, in order, without reading the items (what a summary counts). */
  actions(): Iterable<ItemAction> {
    return this.readActions();
  }

  /** The first `n` items. */
  first(n: number): ReportItem[] {
    const items: ReportItem[] = [];
    if (n <= 0) return items;
    for (const item of this) if (items.push(item) >= n) break;
    return items;
  }

  toJSON(): ReportItem[] {
    return [...this];
  }
}

/** The items of a run's report, or of a `report.json` read back (the run history), alike. */
export function reportItemsOf(report: Report | RunReport): ReportItems {
  return Array.isArray(report.items) ? ReportItems.from(report.items) : report.items;
}
