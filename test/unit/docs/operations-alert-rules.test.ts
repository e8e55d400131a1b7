import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createHttpMetrics } from '../../../src/http/metrics.js';
import { ROOT } from '../architecture/import-graph.js';

interface Rule {
  alert: string;
  expr: string;
  labels?: { severity?: string };
}

/** The alert rules of docs/operations.md: its one `yaml` block. */
function documentedRules(): Rule[] {
  const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  if (block === undefined) throw new Error('docs/operations.md has no yaml block');
  const parsed = parse(block) as { groups: { name: string; rules: Rule[] }[] };
  return parsed.groups.flatMap((group) => group.rules);
}

describe('the alert rules of docs/operations.md', () => {
  const rules = documentedRules();

  it('are valid YAML rule groups with the alerts the issue asks for', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['OrgsyncNightlySyncMissing', 'OrgsyncFailedItems', 'OrgsyncNotificationsFailing']),
    );
    for (const rule of rules) {
      expect(rule.expr.trim().length).toBeGreaterThan(0);
      expect(rule.labels?.severity).toMatch(/^(critical|warning|info)$/);
    }
    expect(rules.find((r) => r.alert === 'OrgsyncNightlySyncMissing')?.expr).toContain('26 * 3600');
  });

  it('use only metrics that /metrics exposes, with their own labels', () => {
    const { registry } = createHttpMetrics();
    let checked = 0;
    for (const rule of rules) {
      for (const [, name, labels] of rule.expr.matchAll(/(orgsync_[a-z_]+)(?:\{([^}]*)\})?/g)) {
        const metric =
          registry.getSingleMetric(name ?? '') ??
          registry.getSingleMetric((name ?? '').replace(/_(sum|count|bucket)$/, ''));
        expect(metric, `${rule.alert}: ${name}`).toBeDefined();
        // prom-client keeps the declared label names on the metric object.
        const declared = (metric as unknown as { labelNames: string[] }).labelNames;
        expect(Array.isArray(declared)).toBe(true);
        for (const [, label] of (labels ?? '').matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)) {
          expect(declared, `${rule.alert}: ${name}{${label}}`).toContain(label);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});
