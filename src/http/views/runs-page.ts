import type { RunSummary } from '../../store/run-history.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './layout.js';
import { renderRunChart } from './run-chart.js';

/** `/runs/<id>` with the id encoded for a path segment. */
export function runHref(id: string, suffix = ''): string {
  return `/runs/${encodeURIComponent(id)}${suffix}`;
}

/** `2026-05-01T02:00:00.123Z` → `2026-05-01 02:00:00 UTC`; anything unparsable as is. */
export function formatInstant(iso: string | null): string {
  if (iso === null) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** A badge whose class is one of a known set (never data), so the CSS cannot be steered. */
export function badge(text: string): SafeHtml {
  const known = /^(create|update|orphan|delete|adoptable|invalid|conflict|stale|failed|ok|error)$/.test(text);
  return html`<span class="badge${known ? ` ${text}` : ''}">${text}</span>`;
}

function row(entry: RunSummary): SafeHtml {
  const s = entry.counts ?? undefined;
  const num = (n: number | undefined) => html`<td class="num">${n ?? '—'}</td>`;
  const problems = s ? s.invalid + s.conflict + s.stale + s.failed : undefined;
  return html`<tr>
<td class="id"><a href="${runHref(entry.run_id)}" title="${entry.run_id}"><code>${entry.run_id}</code></a><div class="sub">${entry.trigger}</div>${
    entry.retry_of
      ? html`<div class="sub">retry of <a href="${runHref(entry.retry_of)}" title="${entry.retry_of}"><code>${entry.retry_of}</code></a></div>`
      : ''
  }</td>
<td class="result">${badge(entry.result)}${entry.error ? html`<div class="sub">${entry.error.code}: ${entry.error.message}</div>` : ''}</td>
<td class="src">${entry.source ?? '—'}</td>
<td class="nowrap">${formatInstant(entry.started_at).replace(/:\d\d UTC$/, '')}<div class="sub">took ${formatDuration(entry.duration_ms)}</div></td>
${num(s?.accounts)}${num(s?.create)}${num(s?.update)}${num(s?.unchanged)}${num(s?.orphan)}${num(s?.delete)}${num(problems)}${num(s?.api_calls)}
</tr>`;
}

/** The runs of one kind, newest first, as the `/runs` page takes them. */
export interface KindRuns {
  kind: string;
  runs: readonly RunSummary[];
}

function kindSection(entry: KindRuns): SafeHtml {
  const { kind, runs } = entry;
  return html`<section class="kind" id="kind-${kind}">
<h2><a href="/runs?kind=${encodeURIComponent(kind)}">${kind}</a> <span class="sub">${runs.length} run${runs.length === 1 ? '' : 's'} kept</span></h2>
${renderRunChart(kind, runs)}
<table class="runs">
<thead><tr><th>Run</th><th>Result</th><th>Source</th><th>Started (UTC)</th>
<th class="num">Accounts</th><th class="num">Create</th><th class="num">Update</th><th class="num">Unchanged</th><th class="num">Orphan</th><th class="num">Delete</th><th class="num">Problems</th><th class="num">API calls</th></tr></thead>
<tbody>
${runs.map(row)}
</tbody>
</table>
</section>`;
}

/**
 * The `/runs` page: per kind (or only `selected`), a chart of its last 30 runs and the table of
 * every run kept, newest first, with counts and results. `kinds` lists every kind, for the filter.
 */
export function renderRunsPage(byKind: readonly KindRuns[], kinds: readonly string[], selected?: string): string {
  const shown = byKind.filter((k) => k.runs.length > 0);
  const total = shown.reduce((sum, k) => sum + k.runs.length, 0);
  const filter = html`<nav class="kinds">Kind: ${
    selected === undefined ? html`<strong>all</strong>` : html`<a href="/runs">all</a>`
  }${kinds.map((kind) =>
    kind === selected
      ? html` · <strong>${kind}</strong>`
      : html` · <a href="/runs?kind=${encodeURIComponent(kind)}">${kind}</a>`,
  )}</nav>`;
  const body =
    shown.length === 0
      ? html`<p class="empty">No runs${selected ? ` of kind ${selected}` : ''} yet. Runs appear here when a worker finishes a job (orgsync worker) or orgsync apply runs with REDIS_URL set.</p>`
      : shown.map(kindSection);
  return renderPage(
    selected ? `Runs: ${selected}` : 'Runs',
    html`<h1>Runs${selected ? html`: ${selected}` : ''}</h1>
<p class="meta">${total} run${total === 1 ? '' : 's'} kept in Redis (the last ORGSYNC_RUN_HISTORY of each kind), newest first.</p>
${filter}
${body}`,
  );
}
