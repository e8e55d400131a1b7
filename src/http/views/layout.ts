import { createHash } from 'node:crypto';
import { SafeHtml, html } from './html.js';

/** The pages' only style sheet, inline; the CSP allows exactly this text by its hash. */
const STYLE = `
:root { color-scheme: light; --fg: #1d232a; --muted: #5b6670; --line: #d9dee3; --bg: #f6f7f9; --accent: #2457c5;
  --create: #1a7f37; --update: #9a6700; --problem: #cf222e; --quiet: #57606a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 12px 24px; display: flex; gap: 16px; align-items: baseline; }
header .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
main { max-width: 1320px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
a { color: var(--accent); }
.meta { color: var(--muted); margin: 0 0 16px; }
.meta code, td code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; font-size: 13px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num, td.nowrap { white-space: nowrap; }
.sub { color: var(--muted); font-size: 13px; }
tr:last-child td { border-bottom: 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #eaeef2; color: var(--quiet); }
.badge.create, .badge.succeeded, .badge.completed { background: #dafbe1; color: var(--create); }
.badge.update, .badge.adoptable, .badge.orphan { background: #fff8c5; color: var(--update); }
.badge.invalid, .badge.conflict, .badge.stale, .badge.failed, .badge.delete { background: #ffebe9; color: var(--problem); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(84px, 1fr)); gap: 8px; margin: 8px 0 4px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
.card b { display: block; font-size: 20px; }
.card span { color: var(--muted); font-size: 12px; }
ul.changes { margin: 0; padding: 0; list-style: none; }
ul.changes li { margin: 0 0 2px; }
.from { color: var(--problem); text-decoration: line-through; }
.from .none { text-decoration: none; display: inline-block; }
td code { white-space: nowrap; }
.to { color: var(--create); }
.none { color: var(--muted); font-style: italic; }
.error-code { font-weight: 600; color: var(--problem); }
form.filter { display: flex; gap: 8px; align-items: center; margin: 8px 0 12px; }
form.filter select, form.filter button { font: inherit; padding: 3px 8px; }
.downloads a { margin-right: 14px; }
.empty { background: #fff; border: 1px dashed var(--line); padding: 16px; color: var(--muted); }
nav.kinds { margin: 0 0 8px; color: var(--muted); }
figure.chart { margin: 4px 0 10px; }
figure.chart svg { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); }
ul.legend { list-style: none; margin: 4px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 16px; font-size: 13px; color: var(--muted); }
ul.legend li { display: flex; gap: 6px; align-items: center; }
table.runs td { overflow-wrap: anywhere; }
table.runs td.id code { display: inline-block; max-width: 13ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
table.runs td.result { min-width: 9em; }
table.runs td.src { min-width: 12em; }
`;

// A constant of this module, not data: safe to emit as is.
const STYLE_HTML = new SafeHtml(STYLE);

/**
 * The Content-Security-Policy of the run pages: nothing but this style sheet, same-origin links and
 * forms. No script may run at all, so an injected `<script>` would be inert even if it escaped.
 */
export const RUN_PAGES_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`,
  // Only the empty inline icon below, so that the browser asks for no /favicon.ico.
  'img-src data:',
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A whole page: `title` (escaped) and the main content. */
export function renderPage(title: string, content: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} · orgsync</title>
<style>${STYLE_HTML}</style>
</head>
<body>
<header><a class="brand" href="/runs">orgsync</a><a href="/runs">Runs</a><a href="/admin/queues">Queues</a></header>
<main>
${content}
</main>
</body>
</html>
`.value;
}
