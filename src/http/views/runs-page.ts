import type { RunSummary } from '../../store/run-history.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './layout.js';

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
<td><a href="${runHref(entry.run_id)}"><code>${entry.run_id}</code></a></td>
<td class="nowrap">${entry.kind}<div class="sub">${entry.trigger}</div></td>
<td>${badge(entry.result)}${entry.error ? html`<div class="sub">${entry.error.code}: ${entry.error.message}</div>` : ''}</td>
<td>${entry.source ?? '—'}</td>
<td class="nowrap">${formatInstant(entry.started_at).replace(/:\d\d UTC$/, '')}</td>
<td class="num">${formatDuration(entry.duration_ms)}</td>
${num(s?.accounts)}${num(s?.create)}${num(s?.update)}${num(s?.unchanged)}${num(s?.orphan)}${num(problems)}${num(s?.api_calls)}
</tr>`;
}

/** The `/runs` page: the run history, newest first, with counts and results. */
export function renderRunsPage(entries: readonly RunSummary[]): string {
  const table =
    entries.length === 0
      ? html`<p class="empty">No runs yet. Runs appear here when a worker finishes a job (orgsync worker).</p>`
      : html`<table>
<thead><tr><th>Run</th><th>Kind</th><th>Result</th><th>Source</th><th>Started (UTC)</th><th class="num">Took</th>
<th class="num">Accounts</th><th class="num">Create</th><th class="num">Update</th><th class="num">Unchanged</th><th class="num">Orphan</th><th class="num">Problems</th><th class="num">API calls</th></tr></thead>
<tbody>
${entries.map(row)}
</tbody>
</table>`;
  return renderPage(
    'Runs',
    html`<h1>Runs</h1>
<p class="meta">The last ${entries.length} run${entries.length === 1 ? '' : 's'} kept in Redis, newest first.</p>
${table}`,
  );
}
