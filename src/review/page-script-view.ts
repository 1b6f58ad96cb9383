/**
 * The first half of the review page's one script (one closure, continued by page-script-actions.ts; the
 * page concatenates the two): state, the URL, loading the queue, facets and counts, rendering cards.
 */
import { UNSEEN } from '../render/table.js';

export const SCRIPT_VIEW = String.raw`
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
  /** A name as the CLI's tables show it (render/table.ts shownName): quoted when blank, spaced at an end or holding an unseen character. */
  var UNSEEN = new RegExp(${JSON.stringify(UNSEEN.source)}, 'u'), UNSEEN_ALL = new RegExp(UNSEEN.source, 'gu');
  function shown(n) {
    var nfd = n.normalize('NFC') !== n;
    if (!/^\s|\s$/u.test(n) && !UNSEEN.test(n) && !nfd) return n;
    var esc = function (c) { return '\\u' + ('000' + c.codePointAt(0).toString(16)).slice(-4); };
    var q = JSON.stringify(n).replace(UNSEEN_ALL, esc);
    return nfd ? q.replace(/[\\u0300-\\u036f]/gu, esc) : q;
  }
  function masterLabel(m, fallbackKey) {
    if (!m) return fallbackKey || '?';
    return (m.name || '?') + (m.number ? ' (' + m.number + ')' : '') + ' \u00b7 key ' + m.key + (m.active ? '' : ' \u00b7 inactive');
  }
  /**
   * Why "accept top" is off for a name, or null: no candidate; ambiguous (candidate 1 is no better than 2: the server
   * refuses it too, as the CSV import and bulk accept do); candidate 1 inactive (the server refuses that master).
   */
  function noTop(it) {
    if (it.candidates.length === 0) return 'no candidate to accept';
    if (it.outcome === 'ambiguous') return 'ambiguous' + (it.reason ? ' (' + it.reason + ')' : '') + ': its candidates score alike; pick the one you mean';
    if (!it.candidates[0].active) return 'candidate 1 is inactive; pick another or search all masters';
    return null;
  }
  function card(it, i) {
    var d = el('section', 'item' + (i === state.cur ? ' sel' : '') + (it.decision ? ' decided' : ''));
    d.tabIndex = 0;
    d.setAttribute('data-index', String(i)); d.setAttribute('data-name', it.name); d.setAttribute('data-link', it.link);
    d.setAttribute('aria-label', shown(it.name) + ', ' + it.outcome + (it.decision ? ', decided ' + it.decision.action : ''));
    var h = el('div', 'head');
    h.appendChild(el('span', 'name', shown(it.name)));
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
    if (it.saving) d.appendChild(el('div', 'tag saving', 'saving: ' + (it.saving === 'alias' || it.saving === 'accept' ? 'link' : it.saving === 'create' ? 'create a master' : 'never link') + '\u2026'));
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
    var off = noTop(it), offId = 'noaccept-' + i;
    [['accept top', 'a', function () { acceptTop(i); }], ['never', 'n', function () { never(i); }], ['create master', 'c', function () { create(i); }], ['skip', 's', function () { skip(i); }]].forEach(function (x) {
      var b = el('button', null, x[0]); var h2 = el('span', 'kbdhint', ' (' + x[1] + ')'); b.appendChild(h2);
      b.setAttribute('data-act', x[1]); b.addEventListener('click', x[2]); act.appendChild(b);
      if (x[1] === 'a' && off !== null) { b.disabled = true; b.setAttribute('aria-describedby', offId); }
    });
    var sm = el('button', null, 'search all masters'); sm.appendChild(el('span', 'kbdhint', ' (m)')); sm.setAttribute('data-act', 'm');
    sm.addEventListener('click', function () { openSearch(i); }); act.appendChild(sm);
    if (it.decision) { var u = el('button', null, 'undo decision'); u.addEventListener('click', function () { revokeOne(it.decision.id); }); act.appendChild(u); }
    d.appendChild(act);
    if (off !== null && it.candidates.length > 0) { var no = el('div', 'meta noaccept', 'accept top is off: ' + off); no.id = offId; d.appendChild(no); }
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
      if (s.alias !== undefined) { t2.appendChild(el('span', null, ' \u00b7 through its known name ')); t2.appendChild(el('span', null, s.alias)); }
      var t3 = el('div', 'toks'); t3.appendChild(el('span', null, 'matched words: ')); t3.appendChild(el('b', null, s.matchedTokens || '\u2014'));
      var t4 = el('div', 'toks'); t4.appendChild(el('span', null, 'unmatched: this name ')); t4.appendChild(el('s', null, s.unmatchedName || '\u2014'));
      t4.appendChild(el('span', null, ' \u00b7 master ')); t4.appendChild(el('s', null, s.unmatchedMaster || '\u2014'));
      [t1, t2, t3, t4].forEach(function (t) { det.appendChild(t); });
    }
    if (s.rule !== undefined) det.appendChild(el('div', 'toks', 'rule: ' + s.rule));
    if (s.alias !== undefined && s.matchedTokens === undefined) det.appendChild(el('div', 'toks', 'through its known name: ' + s.alias));
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

`;
