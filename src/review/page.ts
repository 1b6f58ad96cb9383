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

const CSS = `
*{box-sizing:border-box}body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{position:sticky;top:0;background:#1d2330;color:#fff;padding:6px 16px;display:flex;gap:6px 16px;align-items:center;flex-wrap:wrap;z-index:2}
header h1{font-size:16px;margin:0}#counts{font-weight:600}#msg{color:#ffd479;flex-basis:100%;min-height:0}#msg:empty{display:none}
.bar{display:flex;gap:6px 10px;flex-wrap:wrap;align-items:center;padding:6px 16px;background:#fff;border-bottom:1px solid #dde}
label{font-size:12px;color:#445}input,select,button{font:inherit}input[type=number]{width:5em}
button{border:1px solid #778;border-radius:4px;background:#fff;padding:2px 8px;cursor:pointer;color:#1d2330}button.primary{background:#2456d6;color:#fff;border-color:#2456d6}
button.danger{background:#b42318;color:#fff;border-color:#b42318}button:disabled{opacity:.5;cursor:default}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.panel{margin:0 16px;padding:8px 12px;background:#fffbe8;border:1px solid #e5c96b;border-radius:6px}.panel ul{margin:4px 0;padding-left:18px}
main{padding:10px 16px;display:flex;flex-direction:column;gap:10px}
.item{background:#fff;border:1px solid #dde;border-radius:6px;padding:10px 12px}.item.sel{border-color:#2456d6;box-shadow:0 0 0 2px #2456d6}
.item:focus{outline:none}.item:focus-visible{outline:3px solid #f59e0b}
.item.decided{background:#f4fbf6}.head{display:flex;gap:4px 10px;align-items:baseline;flex-wrap:wrap}
.name{font-size:16px;font-weight:600;white-space:pre-wrap;overflow-wrap:anywhere}.tag{font-size:11px;padding:1px 6px;border-radius:8px;background:#eef}
.tag.saving{background:#e6ecfb;font-size:12px}header .meta{color:#c8cdd8}.tag.review{background:#fff4d6}.tag.ambiguous{background:#ffe2e0}.tag.unmatched{background:#e8e8e8}.tag.decision{background:#d9f5e0;font-size:12px}
.meta{color:#445;font-size:12px}.cands{margin:6px 0 0;padding:0;list-style:none;display:flex;flex-direction:column;gap:4px}
.cand{display:grid;grid-template-columns:2em minmax(10em,1fr) 8em 3.5em auto auto;gap:4px 8px;align-items:center}
.cname{overflow-wrap:anywhere}.cnum{display:block;font-size:11px;color:#445}
.score{height:10px;background:#e6e8ee;border-radius:5px;overflow:hidden}.score>div{height:100%;background:#2456d6}
.score.low>div{background:#c98a00}details{font-size:12px;color:#334}summary{cursor:pointer}
.wf{display:grid;grid-template-columns:minmax(8em,max-content) 8em 4em;gap:2px 8px;align-items:center;margin:4px 0}
.wf .b{height:8px;background:#e6e8ee;position:relative}.wf .b>div{position:absolute;top:0;height:100%;background:#2456d6}.wf .b>div.neg{background:#b42318}
.wf .v{text-align:right;font-variant-numeric:tabular-nums}.wf .tot{font-weight:600}.toks{margin:2px 0}.toks b{color:#176b2c}.toks s{color:#b42318}
.actions{display:flex;gap:6px;margin-top:6px;flex-wrap:wrap}kbd{border:1px solid #aab;border-radius:3px;padding:0 3px;font-size:11px}
.confirm{margin-top:6px;padding:6px;background:#fff4d6;border-radius:4px}
.help{font-size:12px;color:#ccd}.pager{display:flex;gap:8px;align-items:center;padding:6px 16px}
@media (max-width:600px){
 header{padding:4px 8px;gap:2px 8px}header h1{font-size:14px}.help,.kbdhint,.cand kbd,header .tenant{display:none}#plan{display:none}
 .bar{padding:4px 8px;gap:4px 6px}main{padding:8px;gap:8px}.item{padding:8px}.panel{margin:0 8px}
 .cand{grid-template-columns:1fr auto;border-top:1px solid #eef;padding-top:4px}.cand .score{grid-column:1}.cand .num{grid-column:2}
 .cand details{grid-column:1 / -1}.cand .pick{grid-column:2;grid-row:1}.wf{grid-template-columns:1fr 5em 3.5em}
 .actions button{flex:1 1 40%}
}
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var meta = function (n) { return document.querySelector('meta[name="' + n + '"]').getAttribute('content'); };
  var TOKEN = meta('fkb-token'), CSRF = meta('fkb-csrf');
  var FACETS = ['band', 'state', 'decision', 'link', 'tenant'];
  var PARAMS = ['link', 'tenant', 'band', 'state', 'decision', 'min', 'max', 'q', 'sort', 'dir', 'offset', 'size'];
  var state = { q: null, items: [], cur: 0, undo: [], plan: null, pending: null, bulk: null, applyPreview: null, t0: 0 };
  window.fkbTimings = [];
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = String(text); return e; }
  function msg(t) { $('msg').textContent = t || ''; }
  function fmt(x, d) { return x === null || x === undefined ? '' : Number(x).toFixed(d === undefined ? 3 : d); }

  // ---------------------------------------------------------------- URL state
  function readUrl() {
    var u = new URLSearchParams(location.search);
    // a page size given in the URL that the list does not offer is added to it (else it was dropped silently)
    var sz = u.get('size'), so = $('f-size');
    if (sz && /^[0-9]+$/.test(sz) && !Array.prototype.some.call(so.options, function (o) { return o.value === sz; })) { var o = el('option', null, sz); o.value = sz; so.appendChild(o); }
    ['min', 'max', 'q', 'sort', 'dir', 'size'].forEach(function (k) { if (u.get(k) !== null) $('f-' + k).value = u.get(k); });
    state.offset = Number(u.get('offset') || 0) || 0;
    state.sel = {};
    FACETS.forEach(function (k) { state.sel[k] = u.get(k) || ''; });
  }
  function params() {
    var p = {};
    FACETS.forEach(function (k) { if (state.sel[k]) p[k] = state.sel[k]; });
    ['min', 'max', 'q', 'sort', 'dir', 'size'].forEach(function (k) { var v = $('f-' + k).value; if (v !== '') p[k] = v; });
    if (state.offset > 0) p.offset = String(state.offset);
    return p;
  }
  function writeUrl() {
    var u = new URLSearchParams(); u.set('token', TOKEN);
    var p = params(); Object.keys(p).forEach(function (k) { u.set(k, p[k]); });
    history.replaceState(null, '', location.pathname + '?' + u.toString());
  }
  function filterBody() { var p = params(); var f = {}; ['link', 'tenant', 'band', 'state', 'decision', 'min', 'max', 'q'].forEach(function (k) { if (p[k] !== undefined) f[k] = p[k]; }); return f; }

  function api(method, path, body) {
    var init = { method: method, headers: { 'X-FKB-Token': TOKEN }, credentials: 'same-origin' };
    if (method === 'POST') { init.headers['Content-Type'] = 'application/json'; init.headers['X-FKB-CSRF'] = CSRF; init.body = JSON.stringify(body || {}); }
    return fetch(path, init).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error((j.error && j.error.message) || ('HTTP ' + r.status)); return j; });
    });
  }
  function queueUrl(extra) {
    var p = params(), u = new URLSearchParams();
    Object.keys(p).forEach(function (k) { u.set(k, p[k]); });
    if (state.plan) u.set('plan', state.plan);
    Object.keys(extra || {}).forEach(function (k) { u.set(k, extra[k]); });
    return '/api/queue?' + u.toString();
  }

  // ---------------------------------------------------------------- loading
  /** A load the person asked for (filters, paging, plan, apply) waits for the writes asked before it. */
  function loadAfterWrites(focusFirst) { return chain.then(function () { return load(focusFirst); }); }
  function load(focusFirst) {
    writeUrl();
    return api('GET', queueUrl()).then(function (q) {
      state.q = q; state.items = q.items; state.plan = q.planRunId; state.pending = null;
      if (q.items.length === 0 && q.total > 0 && state.offset > 0) { state.offset = Math.max(0, Math.floor((q.total - 1) / q.limit) * q.limit); return load(focusFirst); }
      if (state.cur >= q.items.length) state.cur = Math.max(0, q.items.length - 1);
      renderHeader(q); renderAll();
      // focus the current card if it is still open, else the next open one (a key press then never re-decides a decided name)
      if (focusFirst) focusCard(q.items[state.cur] && q.items[state.cur].decision ? nextOpen(state.cur) : state.cur);
    }).catch(function (e) { msg(e.message); });
  }
  /**
   * After a decision the page moves the counts itself, exactly as the database would count them: the
   * name's facet values before and after (only state and decision change) are taken out of and put
   * into every facet whose other selections it matches, and out of and into the total. No recount of
   * the whole queue runs behind a decision (on 10,000 names it made the next decision wait ~0.5 s).
   */
  function facetVals(it) {
    return { band: it.outcome, state: it.decision ? 'decided' : 'open', decision: it.decision ? it.decision.action : 'none', link: it.link, tenant: it.scopeKey.length ? (it.scopeKey[0] === null ? '' : it.scopeKey[0]) : '' };
  }
  function recount(it, before, after) {
    var q = state.q; if (!q) return;
    function match(k, v) { var s = state.sel[k]; return !s || s.split(',').indexOf(v[k]) >= 0; }
    function others(k, v) { return FACETS.every(function (o) { return o === k || match(o, v); }); }
    function adj(k, value, d) {
      var list = q.facets[k] || (q.facets[k] = []), e = list.filter(function (x) { return x.value === value; })[0];
      if (!e) { e = { value: value, names: 0, rows: 0 }; list.push(e); list.sort(function (x, y) { return x.value < y.value ? -1 : x.value > y.value ? 1 : 0; }); }
      e.names += d; e.rows += d * it.rows;
    }
    // a value present in the queue is listed even when no name of it matches the other selections (as the database lists it)
    FACETS.forEach(function (k) { if (others(k, before)) adj(k, before[k], -1); adj(k, after[k], others(k, after) ? 1 : 0); });
    var all = function (v) { return FACETS.every(function (k) { return match(k, v); }); };
    if (all(before)) { q.total -= 1; q.totalRows -= it.rows; }
    if (all(after)) { q.total += 1; q.totalRows += it.rows; }
    var st = function (v) { return q.facets.state.filter(function (x) { return x.value === v; })[0] || { names: 0, rows: 0 }; };
    var d = st('decided'), o = st('open');
    q.counts = { names: d.names + o.names, decided: d.names, remaining: o.names, rows: d.rows + o.rows, rowsDecided: d.rows, rowsRemaining: o.rows };
    renderHeader(q);
  }
  function selected(v) { return FACETS.every(function (k) { var s = state.sel[k]; return !s || s.split(',').indexOf(v[k]) >= 0; }); }
  /**
   * Where the next page starts: names decided on this page that left the selection (e.g. under "open")
   * are no longer counted before it, so no open name is skipped.
   */
  function nextOffset() { return state.offset + inView(); }
  /** Cards of this page still in the view (a card decided here may have left it, e.g. under "open"). */
  function inView() { return state.items.filter(function (it) { return selected(facetVals(it)); }).length; }
  /** Sets a name's decision (null = open) and moves the counts with it. */
  function setDecision(it, decision) { if (state.items.indexOf(it) < 0) { it.decision = decision; return; } var before = facetVals(it); it.decision = decision; recount(it, before, facetVals(it)); }
  /** Writes run one after another, in the order they were asked for (a key press is never dropped). */
  var chain = Promise.resolve();
  function enqueue(fn) { var p = chain.then(fn); chain = p.then(function () {}, function () {}); return p; }
  function renderHeader(q) {
    var c = q.counts;
    $('counts').textContent = 'decided ' + c.decided + ' / remaining ' + c.remaining + ' names (' + c.rowsDecided + ' / ' + c.rowsRemaining + ' rows)';
    $('plan').textContent = 'plan ' + q.planRunId;
    // cards decided on this page that left the view (e.g. under "open") stay shown but are not counted
    var shown = inView(), left = state.items.length - shown;
    var to = Math.min(q.total, q.offset + shown);
    $('page-info').textContent = (shown === 0 ? 'none of the ' + q.total + ' names on this page' : 'names ' + (q.offset + 1) + '\u2013' + to + ' of ' + q.total) + ' (' + q.totalRows + ' rows; queue ' + q.queue.names + ' names)' +
      (left > 0 ? '; ' + left + ' decided here left this view' : '');
    $('prev').disabled = q.offset === 0; $('next').disabled = nextOffset() >= q.total;
    FACETS.forEach(function (k) { fillFacet(k, q.facets[k] || []); });
    $('tenant-wrap').hidden = (q.facets.tenant || []).length < 2 && !state.sel.tenant;
  }
  function fillFacet(k, values) {
    var s = $('f-' + k), cur = state.sel[k];
    while (s.options.length > 0) s.remove(0);
    var all = el('option', null, 'all'); all.value = ''; s.appendChild(all);
    var seen = false;
    values.forEach(function (v) {
      var o = el('option', null, (v.value === '' ? '(none)' : v.value) + ' \u00b7 ' + v.names); o.value = v.value; s.appendChild(o); if (v.value === cur) seen = true;
    });
    if (cur && !seen) { var o = el('option', null, cur + ' \u00b7 0'); o.value = cur; s.appendChild(o); }
    s.value = cur;
  }
  function linkInfo(entity) { return (state.q.links.filter(function (l) { return l.entity === entity; })[0]) || { autoLinkAt: 1, reviewAt: 1 }; }

  // ---------------------------------------------------------------- cards
  function renderAll() {
    var main = $('queue'); main.textContent = '';
    if (state.items.length === 0) { main.appendChild(el('p', 'meta', 'Nothing to review with these filters.')); return; }
    var frag = document.createDocumentFragment();
    state.items.forEach(function (it, i) { frag.appendChild(card(it, i)); });
    main.appendChild(frag);
  }
  function cardEl(i) { return document.querySelector('section.item[data-index="' + i + '"]'); }
  /** Re-renders one card in place (the rest of the page is untouched). */
  function rerender(i, keepFocus) {
    var old = cardEl(i); if (!old) return null;
    var hadFocus = old.contains(document.activeElement);
    var n = card(state.items[i], i); old.parentNode.replaceChild(n, old);
    if (hadFocus && keepFocus !== false) n.focus();
    return n;
  }
  function masterLabel(m, fallbackKey) {
    if (!m) return fallbackKey || '?';
    return (m.name || '?') + (m.number ? ' (' + m.number + ')' : '') + ' \u00b7 key ' + m.key + (m.active ? '' : ' \u00b7 inactive');
  }
  function card(it, i) {
    var d = el('section', 'item' + (i === state.cur ? ' sel' : '') + (it.decision ? ' decided' : ''));
    d.tabIndex = 0;
    d.setAttribute('data-index', String(i)); d.setAttribute('data-name', it.name); d.setAttribute('data-link', it.link);
    d.setAttribute('aria-label', it.name + ', ' + it.outcome + (it.decision ? ', decided ' + it.decision.action : ''));
    var h = el('div', 'head');
    h.appendChild(el('span', 'name', it.name));
    h.appendChild(el('span', 'tag ' + it.outcome, it.outcome));
    h.appendChild(el('span', 'meta', it.link + (it.scopeKey.length ? ' \u00b7 ' + it.scopeKey.join('/') : '')));
    h.appendChild(el('span', 'meta rows', it.rows + ' row' + (it.rows === 1 ? '' : 's') + (it.amount !== null ? ' \u00b7 amount ' + it.amount.toFixed(2) : '') + (it.score !== null ? ' \u00b7 score ' + fmt(it.score) : '')));
    d.appendChild(h);
    if (it.decision) {
      var dec = it.decision, tag = el('div', 'tag decision');
      var what = dec.action === 'alias' ? 'linked to ' + masterLabel(dec.target, dec.targetKey) : dec.action === 'never' ? 'never link' : 'create a master';
      tag.textContent = 'decided: ' + what + ' \u2014 by ' + (dec.decidedBy || '?') + (dec.decidedAt ? ' at ' + dec.decidedAt.slice(0, 19) : '');
      d.appendChild(tag);
    }
    if (it.saving) d.appendChild(el('div', 'tag saving', 'saving: ' + (it.saving === 'alias' ? 'link' : it.saving === 'create' ? 'create a master' : 'never link') + '\u2026'));
    d.appendChild(el('div', 'meta', 'documents: ' + (it.sampleDocuments.join(', ') || '\u2014') + (it.reason ? ' \u00b7 ' + it.reason : '')));
    var info = linkInfo(it.link);
    var ul = el('ol', 'cands');
    it.candidates.slice(0, 5).forEach(function (c, k) {
      var li = el('li', 'cand');
      li.appendChild(el('kbd', null, String(k + 1)));
      var nm = el('span', 'cname', c.name);
      nm.appendChild(el('span', 'cnum', (c.number ? c.number + ' \u00b7 ' : '') + 'key ' + c.key + (c.active ? '' : ' \u00b7 inactive') +
        (c.linkedRows !== undefined ? ' \u00b7 ' + c.linkedRows + ' row' + (c.linkedRows === 1 ? '' : 's') + ' linked' : '')));
      li.appendChild(nm);
      var bar = el('div', 'score' + (c.score !== null && c.score < info.autoLinkAt ? ' low' : '')), fill = el('div');
      fill.style.width = Math.round(Math.max(0, Math.min(1, c.score || 0)) * 100) + '%';
      bar.appendChild(fill); bar.title = 'auto-link at ' + info.autoLinkAt + ', review from ' + info.reviewAt;
      li.appendChild(bar);
      li.appendChild(el('span', 'num', c.score === null ? '' : fmt(c.score)));
      li.appendChild(why(it, c));
      var b = el('button', 'pick', 'pick'); b.setAttribute('aria-label', 'pick ' + c.name + (c.number ? ' ' + c.number : ''));
      b.addEventListener('click', function () { pick(i, k); }); li.appendChild(b);
      ul.appendChild(li);
    });
    if (it.candidates.length === 0) ul.appendChild(el('li', 'meta', 'no candidates'));
    d.appendChild(ul);
    var act = el('div', 'actions');
    [['accept top', 'a', function () { pick(i, 0); }], ['never', 'n', function () { never(i); }], ['create master', 'c', function () { create(i); }], ['skip', 's', function () { skip(i); }]].forEach(function (x) {
      var b = el('button', null, x[0]); var h2 = el('span', 'kbdhint', ' (' + x[1] + ')'); b.appendChild(h2);
      b.setAttribute('data-act', x[1]); b.addEventListener('click', x[2]); act.appendChild(b);
      if (x[1] === 'a' && it.candidates.length === 0) b.disabled = true;
    });
    var sm = el('button', null, 'search all masters'); sm.appendChild(el('span', 'kbdhint', ' (m)')); sm.setAttribute('data-act', 'm');
    sm.addEventListener('click', function () { openSearch(i); }); act.appendChild(sm);
    if (it.decision) { var u = el('button', null, 'undo decision'); u.addEventListener('click', function () { revokeOne(it.decision.id); }); act.appendChild(u); }
    d.appendChild(act);
    var hist = el('details', 'history'); hist.appendChild(el('summary', null, 'decision history'));
    hist.addEventListener('toggle', function () { if (hist.open) loadHistory(it, hist); });
    d.appendChild(hist);
    if (state.pending && state.pending.i === i) {
      var p = state.pending, cf = el('div', 'confirm');
      var c = it.candidates[p.k];
      cf.appendChild(el('div', null, 'Score ' + fmt(c.score) + ' is below review-at ' + info.reviewAt + ': link ' + it.rows + ' row(s) of "' + it.name + '" to ' + masterLabel(c) + '?'));
      var yes = el('button', 'danger', 'accept anyway'); yes.setAttribute('data-confirm', 'yes'); yes.addEventListener('click', function () { state.pending = null; decide(i, { action: 'alias', targetKey: c.key }); });
      var no = el('button', null, 'cancel'); no.addEventListener('click', function () { state.pending = null; rerender(i); focusCard(i); });
      cf.appendChild(yes); cf.appendChild(document.createTextNode(' ')); cf.appendChild(no);
      d.appendChild(cf);
    }
    d.addEventListener('focusin', function () { setCur(i); });
    return d;
  }
  function loadHistory(it, det) {
    var u = new URLSearchParams({ link: it.link, scope: JSON.stringify(it.scopeKey), name: it.name });
    api('GET', '/api/history?' + u.toString()).then(function (r) {
      while (det.childNodes.length > 1) det.removeChild(det.lastChild);
      var ul = el('ul', 'meta');
      if (r.history.length === 0) ul.appendChild(el('li', null, 'no decision yet'));
      r.history.forEach(function (h) {
        var what = h.action === 'alias' ? 'linked to ' + masterLabel(h.target, h.targetKey) : h.action === 'never' ? 'never link' : 'create a master';
        ul.appendChild(el('li', null, h.decidedAt.slice(0, 19) + ' · ' + (h.decidedBy || '?') + ': ' + what + (h.revokedAt ? ' · revoked ' + h.revokedAt.slice(0, 19) : ' · in force')));
      });
      det.appendChild(ul);
    }).catch(function (e) { msg(e.message); });
  }
  /** "Search all masters": pick a master that is not among the candidates (same scope; active ones can be chosen). */
  function openSearch(i) {
    var it = state.items[i], n = cardEl(i); if (!it || !n) return;
    var box = n.querySelector('.msearch');
    if (!box) {
      box = el('div', 'msearch confirm');
      var lab = el('label', null, 'master name, number or key '); var inp = el('input'); inp.type = 'search'; lab.appendChild(inp); box.appendChild(lab);
      var out = el('ul', 'mresults'); box.appendChild(out);
      var tm = null;
      inp.addEventListener('input', function () {
        clearTimeout(tm);
        tm = setTimeout(function () {
          var u = new URLSearchParams({ link: it.link, scope: JSON.stringify(it.scopeKey), q: inp.value });
          api('GET', '/api/masters?' + u.toString()).then(function (r) {
            out.textContent = '';
            if (r.masters.length === 0 && inp.value.trim() !== '') out.appendChild(el('li', 'meta', 'no master matches'));
            r.masters.forEach(function (m) {
              var li = el('li'); li.appendChild(el('span', null, masterLabel(m) + ' '));
              var b = el('button', null, 'link to this'); b.disabled = !m.active; b.setAttribute('data-key', m.key);
              b.addEventListener('click', function () { decide(i, { action: 'alias', targetKey: m.key }); });
              li.appendChild(b); out.appendChild(li);
            });
          }).catch(function (e) { msg(e.message); });
        }, 200);
      });
      n.appendChild(box);
    }
    box.querySelector('input').focus();
  }
  /** The "why" of a score: each signal's contribution (a waterfall that sums to the score) and the words. */
  function why(it, c) {
    var det = el('details'); det.appendChild(el('summary', null, 'why'));
    var wf = el('div', 'wf'), sum = 0;
    (c.contributions || []).forEach(function (x) {
      wf.appendChild(el('span', null, x.label + (x.raw !== undefined ? ' ' + fmt(x.raw, 2) : '')));
      var b = el('div', 'b'), f = el('div', x.value < 0 ? 'neg' : '');
      f.style.left = Math.round(Math.max(0, Math.min(1, x.value < 0 ? sum + x.value : sum)) * 100) + '%';
      f.style.width = Math.round(Math.min(1, Math.abs(x.value)) * 100) + '%';
      b.appendChild(f); wf.appendChild(b);
      wf.appendChild(el('span', 'v', (x.value >= 0 ? '+' : '') + fmt(x.value)));
      sum += x.value;
    });
    if ((c.contributions || []).length > 0) { wf.appendChild(el('span', 'tot', 'score')); wf.appendChild(el('span')); wf.appendChild(el('span', 'v tot', fmt(c.score))); }
    det.appendChild(wf);
    var s = c.signals || {};
    if (s.matchedTokens !== undefined) {
      var t1 = el('div', 'toks'); t1.appendChild(el('span', null, 'this name: ')); t1.appendChild(el('span', null, it.name));
      var t2 = el('div', 'toks'); t2.appendChild(el('span', null, 'master: ')); t2.appendChild(el('span', null, c.name));
      var t3 = el('div', 'toks'); t3.appendChild(el('span', null, 'matched words: ')); t3.appendChild(el('b', null, s.matchedTokens || '\u2014'));
      var t4 = el('div', 'toks'); t4.appendChild(el('span', null, 'unmatched: this name ')); t4.appendChild(el('s', null, s.unmatchedName || '\u2014'));
      t4.appendChild(el('span', null, ' \u00b7 master ')); t4.appendChild(el('s', null, s.unmatchedMaster || '\u2014'));
      [t1, t2, t3, t4].forEach(function (t) { det.appendChild(t); });
    }
    if (s.rule !== undefined) det.appendChild(el('div', 'toks', 'rule: ' + s.rule));
    return det;
  }
  function setCur(i) {
    if (state.cur === i) return;
    var o = cardEl(state.cur); if (o) o.classList.remove('sel');
    state.cur = i; var n = cardEl(i); if (n) n.classList.add('sel');
  }
  function focusCard(i) { var n = cardEl(i); if (n) { setCur(i); n.focus(); n.scrollIntoView({ block: 'nearest' }); } }
  /** The card keyboard shortcuts act on: the one holding focus, else the last one that did. */
  function currentIndex() {
    var a = document.activeElement, s = a && a.closest ? a.closest('section.item') : null;
    if (s) return Number(s.getAttribute('data-index'));
    return state.items.length ? state.cur : -1;
  }
  function nextOpen(i) {
    var items = state.items;
    for (var k = 1; k <= items.length; k++) { var j = (i + k) % items.length; if (!items[j].decision && !items[j].saving) return j; }
    return Math.min(i + 1, items.length - 1);
  }

  // ---------------------------------------------------------------- decisions
  /**
   * A decision: the card shows "saving" and focus moves to the next open card at once; the write runs
   * after any earlier one (never dropped, never reordered); the card shows the recorded decision when
   * the database has it, or the error (and is open again).
   */
  function decide(i, body) {
    var it = state.items[i]; if (!it) return;
    if (it.saving) { msg('"' + it.name + '" is still being saved'); return; }
    var t0 = state.t0 || performance.now(); state.t0 = 0;
    body.link = it.link; body.scopeKey = it.scopeKey; body.name = it.name;
    it.saving = body.action; state.pending = null;
    rerender(i, false); focusCard(nextOpen(i));
    return enqueue(function () {
      return api('POST', '/api/decide', body).then(function (r) {
        it.saving = null; setDecision(it, r.decision);
        if (state.items[i] !== it) i = -1;
        // the same decision again writes nothing: nothing to undo (u then undoes the step before)
        if (r.changed) state.undo.push({ ids: [r.decision.id], restore: r.replaced || [], name: it.name, link: it.link, scope: JSON.stringify(it.scopeKey) });
        rerender(i);
        window.fkbTimings.push(performance.now() - t0);
        msg('decided "' + it.name + '": ' + (r.decision.action === 'alias' ? 'linked to ' + masterLabel(r.decision.target, r.decision.targetKey) : r.decision.action));
      }, function (e) { it.saving = null; if (state.items[i] === it) rerender(i); msg('"' + it.name + '" not saved: ' + e.message); });
    });
  }
  function pick(i, k) {
    var it = state.items[i]; if (!it) return;
    var c = it.candidates[k]; if (!c) { msg('no candidate ' + (k + 1) + ' for "' + it.name + '"'); return; }
    var info = linkInfo(it.link);
    if ((c.score === null || c.score < info.reviewAt) && !(state.pending && state.pending.i === i && state.pending.k === k)) {
      state.pending = { i: i, k: k }; var n = rerender(i, false);
      var yes = n && n.querySelector('button[data-confirm]'); if (yes) yes.focus();
      msg('"' + it.name + '": score ' + fmt(c.score) + ' is below review-at ' + info.reviewAt + ' \u2014 confirm or cancel');
      return;
    }
    state.pending = null;
    decide(i, { action: 'alias', targetKey: c.key });
  }
  function never(i) { decide(i, { action: 'never' }); }
  function create(i) {
    var it = state.items[i]; if (!it) return;
    if (it.saving) { msg('"' + it.name + '" is still being saved'); return; }
    it.saving = 'create'; rerender(i, false); focusCard(nextOpen(i));
    msg('creating a master for "' + it.name + '"\u2026');
    return enqueue(function () {
      return api('POST', '/api/create', { link: it.link, scopeKey: it.scopeKey, name: it.name }).then(function (r) {
        it.saving = null; setDecision(it, r.decision); if (state.items[i] === it) rerender(i);
        if (r.decision) state.undo.push({ ids: [r.decision.id], restore: [], name: it.name, link: it.link, scope: JSON.stringify(it.scopeKey) });
        msg('created master ' + masterLabel({ name: r.created.name, number: r.created.number, key: r.created.key, active: true }) + ' in ' + r.created.table +
          ' and linked "' + it.name + '" to it; planned again (run ' + r.planRunId + '): Apply links its rows');
      }, function (e) { it.saving = null; if (state.items[i] === it) rerender(i); msg('create master: ' + e.message); });
    });
  }
  function skip(i) { if (state.items.length) focusCard(nextOpen(i)); }
  function indexOfName(u) { return state.items.findIndex(function (x) { return x.name === u.name && x.link === u.link && JSON.stringify(x.scopeKey) === u.scope; }); }
  /** Undoes decision id: the decisions it replaced come back (undo of a re-decision gives the earlier one back). */
  function revokeOne(id) {
    return enqueue(function () {
      var u = state.undo.filter(function (x) { return !x.bulk && x.ids[0] === id; })[0];
      return api('POST', '/api/revoke', { id: id, restore: u ? u.restore : [] }).then(function (r) {
        state.undo = state.undo.filter(function (x) { return x.bulk || x.ids[0] !== id; });
        var i = indexOfName({ name: r.name, link: r.link, scope: JSON.stringify(r.scopeKey) }), it = state.items[i];
        if (it && it.decision && it.decision.id === id) { setDecision(it, r.restored || null); rerender(i); focusCard(i); }
        msg('undone: ' + r.action + ' for "' + r.name + '"' + (r.restored ? '; back to the earlier decision (' + (r.restored.action === 'alias' ? 'linked to ' + masterLabel(r.restored.target, r.restored.targetKey) : r.restored.action) + ')' : ''));
      }, function (e) { msg(e.message); });
    });
  }
  /** Undoes the last decision or bulk accept, once every write asked for before has landed. */
  function undoLast() {
    return enqueue(function () {}).then(function () {
      var u = state.undo.pop();
      if (u === undefined) { msg('nothing to undo'); return; }
      if (!u.bulk) { state.undo.push(u); return revokeOne(u.ids[0]); }
      return enqueue(function () {
        return api('POST', '/api/revoke', { ids: u.ids, inForceOnly: true }).then(function (r) {
          msg('undone: bulk accept of ' + r.revoked + ' names' + (r.kept ? ' (' + r.kept + ' decided again since keep that decision)' : ''));
          return load(true);
        }, function (e) { state.undo.push(u); msg(e.message); });
      });
    });
  }

  // ---------------------------------------------------------------- keyboard
  document.addEventListener('keydown', function (e) {
    var t = e.target, tag = t && t.tagName;
    // Escape leaves the "search all masters" box (and closes it), back to its card
    if (e.key === 'Escape' && t && t.closest && t.closest('.msearch')) { var sec = t.closest('section.item'), box = t.closest('.msearch'); box.parentNode.removeChild(box); if (sec) sec.focus(); return; }
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key, onCard = t && t.classList && t.classList.contains('item');
    // Enter and Space on a control (button, "why" toggle) activate that control, nothing else.
    if ((k === 'Enter' || k === ' ') && !onCard) return;
    var i = currentIndex();
    if (k === 'u') { e.preventDefault(); undoLast(); return; }
    if (i < 0) return;
    if (k === 'a' || (k === 'Enter' && onCard)) { e.preventDefault(); state.t0 = performance.now(); pick(i, 0); }
    else if (k >= '1' && k <= '5') { e.preventDefault(); state.t0 = performance.now(); pick(i, Number(k) - 1); }
    else if (k === 'n') { e.preventDefault(); state.t0 = performance.now(); never(i); }
    else if (k === 'c') { e.preventDefault(); create(i); }
    else if (k === 'm') { e.preventDefault(); openSearch(i); }
    else if (k === 's') { e.preventDefault(); skip(i); }
    else if (k === 'j' || k === 'ArrowDown') { e.preventDefault(); focusCard(Math.min(i + 1, state.items.length - 1)); }
    else if (k === 'k' || k === 'ArrowUp') { e.preventDefault(); focusCard(Math.max(i - 1, 0)); }
  });

  // ---------------------------------------------------------------- filters, paging
  function reset() { state.offset = 0; state.cur = 0; state.bulk = null; $('bulk-panel').hidden = true; }
  FACETS.forEach(function (k) { $('f-' + k).addEventListener('change', function () { state.sel[k] = $('f-' + k).value; reset(); loadAfterWrites(); }); });
  ['f-sort', 'f-dir', 'f-size'].forEach(function (id) { $(id).addEventListener('change', function () { reset(); loadAfterWrites(); }); });
  ['f-min', 'f-max', 'f-q'].forEach(function (id) { $(id).addEventListener('input', function () { clearTimeout(state.t); state.t = setTimeout(function () { reset(); loadAfterWrites(); }, 250); }); });
  $('prev').addEventListener('click', function () { state.offset = Math.max(0, state.offset - state.q.limit); state.cur = 0; loadAfterWrites(true); });
  $('next').addEventListener('click', function () { chain.then(function () { state.offset = nextOffset(); state.cur = 0; return load(true); }); });

  // ---------------------------------------------------------------- bulk
  $('bulk').addEventListener('click', function () {
    var min = $('bulk-min').value; if (min === '') { msg('give a score'); return; }
    chain.then(function () { return api('POST', '/api/bulk/preview', { minScore: Number(min), filter: filterBody(), plan: state.plan }); }).then(function (r) {
      state.bulk = { minScore: Number(min), filter: filterBody(), digest: r.digest, count: r.count };
      var p = $('bulk-panel'); p.textContent = ''; p.hidden = false;
      p.appendChild(el('div', null, 'Accept the best candidate of ' + r.count + ' open name(s) (' + r.rows + ' rows) in this view with score \u2265 ' + min +
        (r.skipped ? '; ' + r.skipped + ' more above the score are left (ambiguous or inactive master)' : '') + ':'));
      var ul = el('ul'); r.sample.forEach(function (s) { ul.appendChild(el('li', null, s.name + ' \u2192 ' + s.master + (s.number ? ' (' + s.number + ')' : '') + ' \u00b7 ' + fmt(s.score))); });
      if (r.count > r.sample.length) ul.appendChild(el('li', null, '\u2026 and ' + (r.count - r.sample.length) + ' more'));
      p.appendChild(ul);
      var go = el('button', 'danger', 'accept ' + r.count); go.id = 'bulk-go'; go.disabled = r.count === 0;
      var no = el('button', null, 'cancel'); no.id = 'bulk-cancel';
      go.addEventListener('click', runBulk); no.addEventListener('click', function () { p.hidden = true; state.bulk = null; });
      p.appendChild(go); p.appendChild(document.createTextNode(' ')); p.appendChild(no); go.focus();
    }).catch(function (e) { msg(e.message); });
  });
  function runBulk() {
    var b = state.bulk; if (!b) return; $('bulk-panel').hidden = true; state.bulk = null;
    return enqueue(function () {
      return api('POST', '/api/bulk', { minScore: b.minScore, filter: b.filter, digest: b.digest, plan: state.plan }).then(function (r) {
        if (r.ids.length) state.undo.push({ bulk: true, ids: r.ids });
        msg('bulk: accepted ' + r.accepted + ' (press u to undo the whole bulk)'); return load(true);
      }, function (e) { msg(e.message); });
    });
  }

  // ---------------------------------------------------------------- plan, apply
  $('replan').addEventListener('click', function () { chain.then(function () { return api('POST', '/api/plan', {}); }).then(function (r) { state.plan = null; msg('planned: run ' + r.runId); return load(); }).catch(function (e) { msg(e.message); }); });
  $('apply').addEventListener('click', function () {
    msg('planning (decisions first) to count what Apply would link\u2026');
    chain.then(function () { return api('POST', '/api/apply/preview', {}); }).then(function (r) {
      state.applyPreview = r; state.plan = null;
      var p = $('apply-panel'); p.textContent = ''; p.hidden = false;
      p.appendChild(el('div', null, 'Plan ' + r.planRunId + ':'));
      var ul = el('ul');
      ul.appendChild(el('li', null, 'people\u2019s decisions: ' + r.decisions.rows + ' row(s) of ' + r.decisions.names + ' name(s) will be linked'));
      ul.appendChild(el('li', null, 'machine links (not reviewed here): ' + r.machine.rows + ' row(s) of ' + r.machine.names + ' name(s)'));
      ul.appendChild(el('li', null, 'left NULL: ' + r.left.rows + ' row(s) of ' + r.left.names + ' name(s) (review, ambiguous, unmatched, never, create)'));
      p.appendChild(ul);
      var go = el('button', 'danger', 'apply decisions only (' + r.decisions.rows + ' rows)'); go.id = 'apply-go'; go.disabled = r.decisions.rows === 0;
      var all = el('button', null, 'apply decisions + machine links (' + (r.decisions.rows + r.machine.rows) + ' rows)'); all.id = 'apply-all';
      var no = el('button', null, 'cancel'); no.id = 'apply-cancel';
      go.addEventListener('click', function () { runApply('decisions'); });
      all.addEventListener('click', function () { runApply('all'); });
      no.addEventListener('click', function () { p.hidden = true; msg(''); });
      [go, all, no].forEach(function (b) { p.appendChild(b); p.appendChild(document.createTextNode(' ')); });
      msg(''); go.focus(); return load();
    }).catch(function (e) { msg(e.message); });
  });
  function runApply(only) {
    var r = state.applyPreview; if (!r) return; $('apply-panel').hidden = true; msg('applying\u2026');
    api('POST', '/api/apply', { planRunId: r.planRunId, only: only }).then(function (x) {
      $('applied').textContent = 'applied run ' + x.runId + ' (' + (only === 'all' ? 'decisions + machine links' : 'decisions only') + '): ' + x.totalUpdated + ' row(s) linked (undo: fk-backfill undo --run ' + x.runId + ')';
      msg(''); state.undo = []; state.plan = null; state.applyPreview = null; return load();
    }).catch(function (e) { msg(e.message); });
  }
  readUrl();
  load(true);
})();
`;

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
