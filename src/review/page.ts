/**
 * The review page: static HTML + one nonce'd script. Every name reaches the DOM through textContent
 * (never innerHTML), so names are always shown as text; the server-side values (token, CSRF token,
 * tenant) go through escapeHtml.
 *
 * Model: the server pages, sorts, filters and counts the queue (the page holds one page of cards).
 * The focused card is the current card: shortcuts act on it, a decision re-renders only that card and
 * moves focus to the next open card. Filters, sort and page live in the URL, so a reload keeps them.
 */
import { escapeHtml } from '../render/html.js';
import { CSS } from './page-style.js';
import { SCRIPT_VIEW } from './page-script-view.js';
import { SCRIPT_ACTIONS } from './page-script-actions.js';

const SCRIPT = SCRIPT_VIEW + SCRIPT_ACTIONS;

export function renderPage(p: { nonce: string; token: string; csrf: string; tenant: string | null }): string {
  const n = escapeHtml(p.nonce);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="fkb-token" content="${escapeHtml(p.token)}">
<meta name="fkb-csrf" content="${escapeHtml(p.csrf)}">
<title>fk-backfill review</title>
<style nonce="${n}">${CSS}</style>
</head><body>
<header><h1>fk-backfill review</h1><span id="counts">loading…</span><span class="meta" id="plan"></span>
<span class="tenant">${p.tenant === null ? 'all tenants' : `tenant ${escapeHtml(p.tenant)}`}</span>
<span class="help"><kbd>a</kbd> accept top · <kbd>1</kbd>-<kbd>5</kbd> pick · <kbd>n</kbd> never · <kbd>c</kbd> create · <kbd>m</kbd> search masters · <kbd>s</kbd> skip · <kbd>u</kbd> undo · <kbd>j</kbd>/<kbd>k</kbd> move — on the focused name</span>
<span id="msg" role="status" aria-live="polite"></span></header>
<div class="bar">
<label>link <select id="f-link"></select></label>
<label id="tenant-wrap">tenant <select id="f-tenant"></select></label>
<label>band <select id="f-band"></select></label>
<label>state <select id="f-state"></select></label>
<label>decision <select id="f-decision"></select></label>
<label>score ≥ <input id="f-min" type="number" min="0" max="1" step="0.01"></label>
<label>≤ <input id="f-max" type="number" min="0" max="1" step="0.01"></label>
<label>search <input id="f-q" type="search" placeholder="name contains"></label>
<label>sort <select id="f-sort"><option value="">default</option><option value="rows">rows</option><option value="amount">amount</option><option value="score">score</option><option value="name">name</option></select></label>
<label>order <select id="f-dir"><option value="">default</option><option value="desc">high → low / Z → A</option><option value="asc">low → high / A → Z</option></select></label>
<label>per page <select id="f-size"><option value="">100</option><option value="50">50</option><option value="300">300</option><option value="1000">1000</option></select></label>
</div>
<div class="bar">
<label>accept all in this view with score ≥ <input id="bulk-min" type="number" min="0" max="1" step="0.01"></label> <button id="bulk">preview bulk accept</button>
<button id="replan">re-plan</button>
<button id="apply" class="primary">Apply…</button>
<span id="applied" role="status"></span>
</div>
<div id="bulk-panel" class="panel" hidden></div>
<div id="apply-panel" class="panel" hidden></div>
<nav class="pager" aria-label="pages"><button id="prev">‹ prev</button><span id="page-info"></span><button id="next">next ›</button></nav>
<main id="queue"></main>
<script nonce="${n}">${SCRIPT}</script>
</body></html>
`;
}
