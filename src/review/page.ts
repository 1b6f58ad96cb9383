/**
 * The review page: static HTML + one nonce'd script. Every name reaches the DOM through textContent
 * (never innerHTML), so names are always shown as text; the server-side values (token, CSRF token,
 * tenant) go through escapeHtml.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
*{box-sizing:border-box}body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{position:sticky;top:0;background:#1d2330;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center;flex-wrap:wrap;z-index:2}
header h1{font-size:16px;margin:0}#counts{font-weight:600}#msg{color:#ffd479}
.bar{display:flex;gap:8px;flex-wrap:wrap;align-items:center;padding:8px 16px;background:#fff;border-bottom:1px solid #dde}
label{font-size:12px;color:#556}input,select,button{font:inherit}input[type=number]{width:5em}
button{border:1px solid #99a;border-radius:4px;background:#fff;padding:2px 8px;cursor:pointer}button.primary{background:#2456d6;color:#fff;border-color:#2456d6}
button.danger{background:#b42318;color:#fff;border-color:#b42318}
main{padding:12px 16px;display:flex;flex-direction:column;gap:10px}
.item{background:#fff;border:1px solid #dde;border-radius:6px;padding:10px 12px}.item.sel{outline:3px solid #2456d6}
.item.decided{opacity:.7}.head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.name{font-size:16px;font-weight:600;white-space:pre-wrap}.tag{font-size:11px;padding:1px 6px;border-radius:8px;background:#eef}
.tag.review{background:#fff4d6}.tag.ambiguous{background:#ffe2e0}.tag.unmatched{background:#e8e8e8}.tag.decision{background:#d9f5e0}
.meta{color:#556;font-size:12px}.cands{margin:6px 0 0;padding:0;list-style:none;display:flex;flex-direction:column;gap:4px}
.cand{display:grid;grid-template-columns:2em minmax(12em,1fr) 10em 4em minmax(4em,auto) auto;gap:8px;align-items:center}
.score{height:10px;background:#e6e8ee;border-radius:5px;overflow:hidden}.score>div{height:100%;background:#2456d6}
.score.low>div{background:#c98a00}details{font-size:12px;color:#334}details dl{display:grid;grid-template-columns:max-content 1fr;gap:0 10px;margin:4px 0}
dt{font-weight:600}dd{margin:0}.actions{display:flex;gap:6px;margin-top:6px;flex-wrap:wrap}kbd{border:1px solid #aab;border-radius:3px;padding:0 3px;font-size:11px}
.help{font-size:12px;color:#ccd}
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var meta = function (n) { return document.querySelector('meta[name="' + n + '"]').getAttribute('content'); };
  var TOKEN = meta('fkb-token'), CSRF = meta('fkb-csrf');
  var state = { q: null, sel: 0, undo: [], busy: false };
  var SIGNALS = {
    via: 'compared with a master name or with a name already linked to it (alias)',
    rule: 'rule that matched',
    tokenScore: 'word overlap, rare words weigh more (IDF)',
    coverageName: 'share of this name\'s words found in the master',
    coverageMaster: 'share of the master\'s words found in this name',
    charSim: 'character similarity (mean of Jaro-Winkler and Levenshtein)',
    jaroWinkler: 'Jaro-Winkler similarity of the compact names',
    levenshtein: 'edit-distance similarity of the compact names',
    phonetic: 'share of words that sound alike (Metaphone)',
    legalForm: 'legal forms (Inc, GmbH, Ltd …) agree or disagree',
    compactEqual: 'equal once spaces and punctuation are removed',
    wordConflict: 'a distinguishing word differs (e.g. North vs South): the score is capped',
    matchedTokens: 'words matched (a~b = near match)',
    unmatchedName: 'words of this name without a match',
    unmatchedMaster: 'words of the master without a match'
  };
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = String(text); return e; }
  function msg(t) { $('msg').textContent = t || ''; }
  function filter() {
    return { link: $('f-link').value, tenant: $('f-tenant').value, band: $('f-band').value, min: $('f-min').value, max: $('f-max').value, q: $('f-q').value, state: $('f-state').value };
  }
  function api(method, path, body) {
    var init = { method: method, headers: { 'X-FKB-Token': TOKEN }, credentials: 'same-origin' };
    if (method === 'POST') { init.headers['Content-Type'] = 'application/json'; init.headers['X-FKB-CSRF'] = CSRF; init.body = JSON.stringify(body || {}); }
    return fetch(path, init).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error((j.error && j.error.message) || ('HTTP ' + r.status)); return j; });
    });
  }
  function load(keepName) {
    var f = filter(), qs = new URLSearchParams();
    Object.keys(f).forEach(function (k) { if (f[k] !== '') qs.set(k, f[k]); });
    return api('GET', '/api/queue?' + qs.toString()).then(function (q) {
      state.q = q; fillSelect('f-link', q.links.map(function (l) { return l.entity; })); fillSelect('f-tenant', q.tenants);
      if (state.sel >= q.items.length) state.sel = Math.max(0, q.items.length - 1);
      render();
    }).catch(function (e) { msg(e.message); });
  }
  function fillSelect(id, values) {
    var s = $(id), cur = s.value;
    if (s.options.length - 1 === values.length) return;
    while (s.options.length > 1) s.remove(1);
    values.forEach(function (v) { var o = el('option', null, v); o.value = v; s.appendChild(o); });
    s.value = cur;
  }
  function linkInfo(entity) { return (state.q.links.filter(function (l) { return l.entity === entity; })[0]) || { autoLinkAt: 1, reviewAt: 1 }; }
  function render() {
    var q = state.q, main = $('queue');
    main.textContent = '';
    var c = q.counts;
    $('counts').textContent = 'decided ' + c.decided + ' / remaining ' + c.remaining + ' names (' + c.rowsDecided + ' / ' + c.rowsRemaining + ' rows)' + (q.truncated ? ' — first ' + q.items.length + ' shown' : '');
    $('plan').textContent = 'plan ' + q.planRunId;
    if (q.items.length === 0) { main.appendChild(el('p', 'meta', 'Nothing to review with these filters.')); return; }
    q.items.forEach(function (it, i) { main.appendChild(card(it, i)); });
  }
  function card(it, i) {
    var d = el('section', 'item' + (i === state.sel ? ' sel' : '') + (it.decision ? ' decided' : ''));
    d.setAttribute('data-index', String(i)); d.setAttribute('data-name', it.name); d.setAttribute('data-link', it.link);
    var h = el('div', 'head');
    h.appendChild(el('span', 'name', it.name));
    h.appendChild(el('span', 'tag ' + it.outcome, it.outcome));
    h.appendChild(el('span', 'meta', it.link + (it.scopeKey.length ? ' · ' + it.scopeKey.join('/') : '')));
    h.appendChild(el('span', 'meta rows', it.rows + ' row' + (it.rows === 1 ? '' : 's') + (it.amount !== null ? ' · amount ' + it.amount.toFixed(2) : '')));
    if (it.decision) h.appendChild(el('span', 'tag decision', 'decided: ' + it.decision.action + (it.decision.targetKey ? ' → ' + candLabel(it, it.decision.targetKey) : '') + ' by ' + (it.decision.decidedBy || '?')));
    d.appendChild(h);
    d.appendChild(el('div', 'meta', 'documents: ' + (it.sampleDocuments.join(', ') || '—') + (it.reason ? ' · ' + it.reason : '')));
    var info = linkInfo(it.link);
    var ul = el('ol', 'cands');
    it.candidates.slice(0, 5).forEach(function (c, k) {
      var li = el('li', 'cand');
      li.appendChild(el('kbd', null, String(k + 1)));
      li.appendChild(el('span', 'cname', c.name + (c.number ? '  (' + c.number + ')' : '') + (c.active ? '' : ' [inactive]')));
      var bar = el('div', 'score' + (c.score !== null && c.score < info.autoLinkAt ? ' low' : '')), fill = el('div');
      fill.style.width = Math.round(Math.max(0, Math.min(1, c.score || 0)) * 100) + '%';
      bar.appendChild(fill); bar.title = 'auto-link at ' + info.autoLinkAt + ', review from ' + info.reviewAt;
      li.appendChild(bar);
      li.appendChild(el('span', 'num', c.score === null ? '' : c.score.toFixed(3)));
      var det = el('details'); det.appendChild(el('summary', null, 'why'));
      var dl = el('dl');
      Object.keys(c.signals || {}).forEach(function (s) {
        var dt = el('dt', null, s + ' = ' + String(c.signals[s])); dt.title = SIGNALS[s] || '';
        dl.appendChild(dt); dl.appendChild(el('dd', null, SIGNALS[s] || ''));
      });
      dl.appendChild(el('dt', null, 'key')); dl.appendChild(el('dd', null, c.key));
      det.appendChild(dl); li.appendChild(det);
      var b = el('button', null, 'pick'); b.addEventListener('click', function () { state.sel = i; pick(k); }); li.appendChild(b);
      ul.appendChild(li);
    });
    if (it.candidates.length === 0) ul.appendChild(el('li', 'meta', 'no candidates'));
    d.appendChild(ul);
    var act = el('div', 'actions');
    [['accept top (a)', function () { pick(0); }], ['never (n)', never], ['create master', create], ['skip (s)', skip]].forEach(function (x) {
      var b = el('button', null, x[0]); b.addEventListener('click', function () { state.sel = i; x[1](); }); act.appendChild(b);
    });
    if (it.decision) { var u = el('button', null, 'undo decision'); u.addEventListener('click', function () { revoke(it.decision.id); }); act.appendChild(u); }
    d.appendChild(act);
    d.addEventListener('click', function () { if (state.sel !== i) { state.sel = i; highlight(); } });
    return d;
  }
  function candLabel(it, key) { var c = it.candidates.filter(function (x) { return x.key === key; })[0]; return c ? c.name : key; }
  function current() { return state.q && state.q.items[state.sel]; }
  function highlight() {
    document.querySelectorAll('.item').forEach(function (n) { n.classList.toggle('sel', Number(n.getAttribute('data-index')) === state.sel); });
    var n = document.querySelector('.item.sel'); if (n) n.scrollIntoView({ block: 'nearest' });
  }
  function nextOpen() {
    var items = state.q.items;
    for (var k = 1; k <= items.length; k++) { var j = (state.sel + k) % items.length; if (!items[j].decision) { state.sel = j; return; } }
  }
  function act(body) {
    var it = current(); if (!it || state.busy) return;
    state.busy = true;
    body.link = it.link; body.scopeKey = it.scopeKey; body.name = it.name;
    return api('POST', '/api/decide', body).then(function (r) {
      state.undo.push(r.decision.id); msg('decided "' + it.name + '": ' + r.decision.action);
      var name = it.name; return load().then(function () {
        var idx = state.q.items.findIndex(function (x) { return x.name === name && x.link === it.link; });
        if (idx >= 0) state.sel = idx; nextOpen(); render(); highlight();
      });
    }).catch(function (e) { msg(e.message); }).then(function () { state.busy = false; });
  }
  function pick(k) { var it = current(); if (!it) return; var c = it.candidates[k]; if (!c) { msg('no candidate ' + (k + 1)); return; } act({ action: 'alias', targetKey: c.key }); }
  function never() { act({ action: 'never' }); }
  function create() { act({ action: 'create' }); }
  function skip() { if (!state.q || state.q.items.length === 0) return; nextOpen(); highlight(); }
  function revoke(id) {
    return api('POST', '/api/revoke', { id: id }).then(function (r) {
      state.undo = state.undo.filter(function (x) { return x !== id; }); msg('undone: ' + r.action + ' for "' + r.name + '"'); return load();
    }).catch(function (e) { msg(e.message); });
  }
  function undoLast() { var id = state.undo.pop(); if (id === undefined) { msg('nothing to undo'); return; } revoke(id); }
  document.addEventListener('keydown', function (e) {
    var t = e.target && e.target.tagName;
    if (t === 'INPUT' || t === 'SELECT' || t === 'TEXTAREA' || e.ctrlKey || e.metaKey || e.altKey) return;
    if (t === 'BUTTON' && e.key === 'Enter') return;
    var k = e.key;
    if (k === 'a' || k === 'Enter') { e.preventDefault(); pick(0); }
    else if (k >= '1' && k <= '5') { e.preventDefault(); pick(Number(k) - 1); }
    else if (k === 'n') { e.preventDefault(); never(); }
    else if (k === 's') { e.preventDefault(); skip(); }
    else if (k === 'u') { e.preventDefault(); undoLast(); }
    else if (k === 'j' || k === 'ArrowDown') { e.preventDefault(); if (state.q && state.sel < state.q.items.length - 1) { state.sel++; highlight(); } }
    else if (k === 'k' || k === 'ArrowUp') { e.preventDefault(); if (state.sel > 0) { state.sel--; highlight(); } }
  });
  ['f-link', 'f-tenant', 'f-band', 'f-state'].forEach(function (id) { $(id).addEventListener('change', function () { state.sel = 0; load(); }); });
  ['f-min', 'f-max', 'f-q'].forEach(function (id) { $(id).addEventListener('input', function () { state.sel = 0; clearTimeout(state.t); state.t = setTimeout(load, 250); }); });
  $('bulk').addEventListener('click', function () {
    var min = $('bulk-min').value; if (min === '') { msg('give a score'); return; }
    var f = filter();
    api('POST', '/api/bulk', { minScore: Number(min), filter: f }).then(function (r) {
      msg('bulk: accepted ' + r.accepted + ', skipped ' + r.skipped + ' (ambiguous or inactive)'); return load();
    }).catch(function (e) { msg(e.message); });
  });
  $('replan').addEventListener('click', function () { api('POST', '/api/plan', {}).then(function (r) { msg('planned: run ' + r.runId); return load(); }).catch(function (e) { msg(e.message); }); });
  $('apply').addEventListener('click', function () { $('apply-confirm').hidden = false; $('apply').hidden = true; msg('Apply plans again (decisions first) and links every planned row, with the CLI\u2019s guards. Confirm?'); });
  $('apply-cancel').addEventListener('click', function () { $('apply-confirm').hidden = true; $('apply').hidden = false; msg(''); });
  $('apply-go').addEventListener('click', function () {
    $('apply-confirm').hidden = true; $('apply').hidden = false; msg('applying…');
    api('POST', '/api/apply', {}).then(function (r) {
      $('applied').textContent = 'applied run ' + r.runId + ': ' + r.totalUpdated + ' row(s) linked (undo: fk-backfill undo --run ' + r.runId + ')';
      msg(''); state.undo = []; return load();
    }).catch(function (e) { msg(e.message); });
  });
  load();
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
<span>${p.tenant === null ? 'all tenants' : `tenant ${escapeHtml(p.tenant)}`}</span>
<span class="help"><kbd>a</kbd>/<kbd>Enter</kbd> accept top · <kbd>1</kbd>-<kbd>5</kbd> pick · <kbd>n</kbd> never · <kbd>s</kbd> skip · <kbd>u</kbd> undo · <kbd>j</kbd>/<kbd>k</kbd> move</span>
<span id="msg" role="status"></span></header>
<div class="bar">
<label>link <select id="f-link"><option value="">all</option></select></label>
<label>tenant <select id="f-tenant"><option value="">all</option></select></label>
<label>band <select id="f-band"><option value="">all</option><option>review</option><option>ambiguous</option><option>unmatched</option></select></label>
<label>score ≥ <input id="f-min" type="number" min="0" max="1" step="0.01"></label>
<label>≤ <input id="f-max" type="number" min="0" max="1" step="0.01"></label>
<label>show <select id="f-state"><option value="all">all</option><option value="open">open</option><option value="decided">decided</option></select></label>
<label>search <input id="f-q" type="search" placeholder="name contains"></label>
<span>| accept all above score <input id="bulk-min" type="number" min="0" max="1" step="0.01"> in this filter <button id="bulk">bulk accept</button></span>
<button id="replan">re-plan</button>
<button id="apply" class="primary">Apply…</button>
<span id="apply-confirm" hidden><button id="apply-go" class="danger">Confirm apply</button> <button id="apply-cancel">cancel</button></span>
<span id="applied"></span>
</div>
<main id="queue"></main>
<script nonce="${n}">${SCRIPT}</script>
</body></html>
`;
}
