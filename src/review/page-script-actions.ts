/**
 * The second half of the review page's one script (the closure page-script-view.ts opens): decisions,
 * undo, the keyboard, filters and paging, bulk accept, re-plan and apply.
 */
export const SCRIPT_ACTIONS = String.raw`  // ---------------------------------------------------------------- decisions
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
  function pick(i, k, top) {
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
    // accept top names no key: the server takes candidate 1 of its plan (and refuses an ambiguous name)
    decide(i, top ? { action: 'accept' } : { action: 'alias', targetKey: c.key });
  }
  function acceptTop(i) {
    var it = state.items[i]; if (!it) return;
    var off = noTop(it); if (off !== null) { msg('"' + it.name + '": accept top is off: ' + off); return; }
    pick(i, 0, true);
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
    if (k === 'a' || (k === 'Enter' && onCard)) { e.preventDefault(); state.t0 = performance.now(); acceptTop(i); }
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
