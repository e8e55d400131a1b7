import type { RunSummary } from '../../store/run-history.js';
import { html, type SafeHtml } from './html.js';

/** Runs a chart shows: the newest 30 of a kind. */
export const CHART_RUNS = 30;

/** The stacked segments, bottom to top: what changed, then what went wrong (failed + invalid). */
const SEGMENTS = [
  { key: 'create', label: 'create' },
  { key: 'update', label: 'update' },
  { key: 'delete', label: 'delete' },
  { key: 'problem', label: 'failed + invalid' },
] as const;
type SegmentKey = (typeof SEGMENTS)[number]['key'];

const BAR_W = 14;
const GAP = 4;
const PLOT_H = 96;
const TOP = 16;
const LEFT = 40;
const BOTTOM = 18;

/** A bar's values; `null` when the run left no report (the job itself failed). */
function valuesOf(run: RunSummary): Record<SegmentKey, number> | null {
  const c = run.counts;
  if (c === null) return null;
  return { create: c.create, update: c.update, delete: c.delete, problem: c.failed + c.invalid };
}

/**
 * Fills that tell the segments apart without colour: solid, diagonal hatching, cross-hatching and
 * dots, each also in its own colour. `id` prefixes keep the patterns of two charts apart.
 */
function patterns(id: string): SafeHtml {
  return html`<defs>
<pattern id="${id}-update" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff8c5"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a6700" stroke-width="3"/></pattern>
<pattern id="${id}-delete" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fbefff"/><path d="M0 0L6 6M6 0L0 6" stroke="#6e40c9" stroke-width="1.2"/></pattern>
<pattern id="${id}-problem" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#cf222e"/><circle cx="2.5" cy="2.5" r="1.2" fill="#fff"/></pattern>
</defs>`;
}

function fillOf(id: string, key: SegmentKey): string {
  return key === 'create' ? '#1a7f37' : `url(#${id}-${key})`;
}

function describeRun(run: RunSummary, values: Record<SegmentKey, number> | null): string {
  const when = run.started_at.slice(0, 16).replace('T', ' ');
  if (values === null) return `run ${run.run_id}, ${when} UTC: ${run.result}, no report`;
  const parts = SEGMENTS.map((s) => `${values[s.key]} ${s.label}`).join(', ');
  return `run ${run.run_id}, ${when} UTC: ${parts} (${run.result})`;
}

/**
 * A small stacked bar chart of the newest runs of one kind (at most 30, oldest on the left): per
 * run, create, update, delete and failed + invalid items. Server-rendered SVG, no script; each bar
 * has a `<title>` (a tooltip and its accessible name), the chart an `aria-label`, and a text legend
 * follows it. A run that left no report is a hollow bar marked `!`.
 */
export function renderRunChart(kind: string, runsNewestFirst: readonly RunSummary[]): SafeHtml {
  const runs = runsNewestFirst.slice(0, CHART_RUNS).reverse();
  const id = `chart-${kind.replace(/[^a-z0-9-]/gi, '_')}`;
  const all = runs.map(valuesOf);
  const max = Math.max(1, ...all.map((v) => (v ? SEGMENTS.reduce((sum, s) => sum + v[s.key], 0) : 0)));
  const width = LEFT + CHART_RUNS * (BAR_W + GAP) + GAP;
  const height = TOP + PLOT_H + BOTTOM;
  const baseline = TOP + PLOT_H;
  const bars = runs.map((run, i) => {
    const values = all[i] ?? null;
    const x = LEFT + GAP + i * (BAR_W + GAP);
    if (values === null)
      return html`<g class="bar error"><title>${describeRun(run, values)}</title><rect x="${x}" y="${TOP}" width="${BAR_W}" height="${PLOT_H}" fill="none" stroke="#cf222e" stroke-dasharray="3 2"/><text x="${x + BAR_W / 2}" y="${baseline - 4}" text-anchor="middle" font-size="11" fill="#cf222e">!</text></g>`;
    let y = baseline;
    const segments = SEGMENTS.map((s) => {
      const n = values[s.key];
      if (n === 0) return '';
      const h = Math.max(1, (n / max) * PLOT_H);
      y -= h;
      return html`<rect class="${s.key}" x="${x}" y="${y.toFixed(1)}" width="${BAR_W}" height="${h.toFixed(1)}" fill="${fillOf(id, s.key)}" stroke="#1d232a" stroke-width="0.5"/>`;
    });
    return html`<g class="bar"><title>${describeRun(run, values)}</title><rect x="${x}" y="${TOP}" width="${BAR_W}" height="${PLOT_H}" fill="transparent"/>${segments}</g>`;
  });
  const label = `${kind}: items per run for the last ${runs.length} run${runs.length === 1 ? '' : 's'}, oldest on the left, stacked create, update, delete, failed + invalid; tallest bar ${max} items`;
  const legend = SEGMENTS.map(
    (s) =>
      html`<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${fillOf(id, s.key)}" stroke="#1d232a" stroke-width="0.5"/></svg>${s.label}</li>`,
  );
  return html`<figure class="chart">
<svg class="run-chart" data-kind="${kind}" role="img" aria-label="${label}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<title>${label}</title>
${patterns(id)}
<line x1="${LEFT}" y1="${baseline}" x2="${width}" y2="${baseline}" stroke="#5b6670"/>
<line x1="${LEFT}" y1="${TOP}" x2="${width}" y2="${TOP}" stroke="#d9dee3" stroke-dasharray="2 3"/>
<text x="${LEFT - 4}" y="${TOP + 4}" text-anchor="end" font-size="11" fill="#5b6670">${max}</text>
<text x="${LEFT - 4}" y="${baseline + 4}" text-anchor="end" font-size="11" fill="#5b6670">0</text>
<text x="${LEFT}" y="${height - 3}" font-size="11" fill="#5b6670">oldest</text>
<text x="${width - 2}" y="${height - 3}" text-anchor="end" font-size="11" fill="#5b6670">newest</text>
${bars}
</svg>
<figcaption><ul class="legend">${legend}</ul></figcaption>
</figure>`;
}
