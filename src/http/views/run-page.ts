import { ACTIONS } from '../../engine/report.js';
import type { FieldChange, ItemAction, Report, ReportItem } from '../../engine/types.js';
import type { RunSummary } from '../../store/run-history.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './layout.js';
import { badge, formatDuration, formatInstant, runHref } from './runs-page.js';

/** Items shown per page of a run; the downloads hold every item. */
export const ITEMS_PER_PAGE = 200;

/** What the query string asks for: one action (or all) and a 1-based page. */
export interface RunPageQuery {
  action: ItemAction | null;
  page: number;
}

function value(v: string | null): SafeHtml {
  return v === null ? html`<span class="none">(none)</span>` : html`<q>${v}</q>`;
}

function changeList(changes: readonly FieldChange[]): SafeHtml {
  return html`<ul class="changes">${changes.map(
    (c) =>
      html`<li><code>${c.field}</code>: <span class="from">${value(c.from)}</span> → <span class="to">${value(c.to)}</span></li>`,
  )}</ul>`;
}

function itemRow(item: ReportItem): SafeHtml {
  const detail = item.error
    ? html`<span class="error-code">${item.error.code}</span>: ${item.error.message}`
    : item.changes.length > 0
      ? changeList(item.changes)
      : html`<span class="none">${item.action === 'orphan' ? 'no account in the host system' : 'no field changes'}</span>`;
  return html`<tr>
<td>${badge(item.action)}</td>
<td><code>${item.external_id ?? '—'}</code></td>
<td>${item.account_id ?? '—'}</td>
<td class="num">${item.line ?? '—'}</td>
<td><code>${item.org_id ?? '—'}</code></td>
<td>${detail}</td>
</tr>`;
}

function pageHref(id: string, query: RunPageQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.action !== null) params.set('action', query.action);
  if (page > 1) params.set('page', String(page));
  const qs = params.toString();
  return runHref(id, qs === '' ? '' : `?${qs}`);
}

function filterForm(id: string, report: Report, query: RunPageQuery): SafeHtml {
  const counts = new Map<ItemAction, number>();
  for (const item of report.items) counts.set(item.action, (counts.get(item.action) ?? 0) + 1);
  const options = ACTIONS.filter((a) => (counts.get(a) ?? 0) > 0 || a === query.action).map(
    (a) => html`<option value="${a}"${a === query.action ? html` selected` : ''}>${a} (${counts.get(a) ?? 0})</option>`,
  );
  return html`<form class="filter" method="get" action="${runHref(id)}">
<label for="action">Action</label>
<select id="action" name="action"><option value="">all (${report.items.length})</option>${options}</select>
<button type="submit">Filter</button>
</form>`;
}

function itemsSection(id: string, report: Report, query: RunPageQuery): SafeHtml {
  const matching = query.action === null ? report.items : report.items.filter((i) => i.action === query.action);
  const pages = Math.max(1, Math.ceil(matching.length / ITEMS_PER_PAGE));
  const page = Math.min(query.page, pages);
  const shown = matching.slice((page - 1) * ITEMS_PER_PAGE, page * ITEMS_PER_PAGE);
  const nav =
    pages <= 1
      ? ''
      : html`<p class="meta">Page ${page} of ${pages}.
${page > 1 ? html`<a href="${pageHref(id, query, page - 1)}">← previous</a>` : ''}
${page < pages ? html`<a href="${pageHref(id, query, page + 1)}">next →</a>` : ''}</p>`;
  const table =
    shown.length === 0
      ? html`<p class="empty">${report.items.length === 0 ? 'No drift: every account matches its organization.' : 'No item has this action.'}</p>`
      : html`<table id="items">
<thead><tr><th>Action</th><th>External ID</th><th>Account</th><th class="num">Line</th><th>Organization</th><th>Changes (before → after) or error</th></tr></thead>
<tbody>
${shown.map(itemRow)}
</tbody>
</table>`;
  return html`<h2>Items</h2>${filterForm(id, report, query)}${nav}${table}${nav}`;
}

function summaryCards(report: Report): SafeHtml {
  const s = report.summary;
  const cards: [string, number][] = [
    ['accounts', s.accounts],
    ['create', s.create],
    ['update', s.update],
    ['unchanged', s.unchanged],
    ['orphan', s.orphan],
    ['delete', s.delete],
    ['adoptable', s.adoptable],
    ['invalid', s.invalid],
    ['conflict', s.conflict],
    ['stale', s.stale],
    ['failed', s.failed],
    ['API calls', s.api_calls],
  ];
  return html`<div class="cards">${cards.map(([label, n]) => html`<div class="card"><b>${n}</b><span>${label}</span></div>`)}</div>`;
}

/** The `/runs/:id` page: one run's drift report, filtered by action, with the downloads. */
export function renderRunPage(entry: RunSummary, report: Report | null, query: RunPageQuery): string {
  const id = entry.run_id;
  const head = html`<h1>Run <code>${id}</code></h1>
<p class="meta">${entry.kind} (${entry.trigger}) · ${badge(entry.result)}${report ? html` · ${report.mode}, ${report.scope} scope` : ''}
${entry.source ? html` · source <code>${entry.source}</code>` : ''} · started ${formatInstant(entry.started_at)} · took ${formatDuration(entry.duration_ms)}</p>
${entry.error ? html`<p><span class="error-code">${entry.error.code}</span>: ${entry.error.message}</p>` : ''}`;
  if (report === null) return renderPage(`Run ${id}`, html`${head}<p class="empty">This run left no report.</p>`);
  const truncated =
    entry.items_stored < entry.items_total
      ? html`<p class="meta">The history keeps the first ${entry.items_stored} of ${entry.items_total} items of this run; the counts cover all of them.</p>`
      : '';
  const body = html`${head}
<p class="downloads"><a href="${runHref(id, '/report.json')}" download>report.json</a><a href="${runHref(id, '/results.csv')}" download>results.csv</a></p>
${summaryCards(report)}
${truncated}
${itemsSection(id, report, query)}`;
  return renderPage(`Run ${id}`, body);
}
