import { assertCountsAddUp, type ApplyResult } from '../apply/result.js';
import type { RefusedRow } from '../store/refused.js';
import type { BackfillSummary } from '../apply/backfill.js';
import type { PlanResult, EntityResult } from '../planning/plan.js';
import type { StatusReport } from '../status/status.js';
import { skipReasonsText } from '../apply/skips.js';
import { assertUndoCountsAddUp, type UndoResult } from '../undo/result.js';
import type { VerifyReport } from '../verify/verify.js';
import { table } from './output.js';
import { quotedName } from '../render/table.js';
import { unlinkedTally } from '../planning/unlinked.js';
import { assertNotActiveAddsUp, notActiveText } from '../status/not-active.js';

export function statusTable(s: StatusReport): string {
  const warn = [...(s.warnings ?? []).map((w) => `\nWarning: ${w}`), ...(s.notices ?? []).map((n) => `\nNotice: ${n}`)].join('');
  // a link with its own `active`: its rows left out as not active in a column of their own, the counts checked to add up
  const off = s.total.notActive !== undefined;
  const counts = (l: StatusReport['total'] & { entityType?: string; activeWhen?: string }): (string | number)[] => {
    if (!off) return [l.nullFks];
    const c = { entityType: l.entityType ?? 'TOTAL', total: l.totalRecords, populated: l.populatedFks, nullFks: l.nullFks };
    assertNotActiveAddsUp({ ...c, notActive: l.notActive ?? 0 });
    return [l.nullFks, l.notActive === undefined ? '-' : l.notActive];
  };
  return (
    table(
      ['Entity Type', 'Table', 'Total Records', 'NULL FKs', ...(off ? ['Not Active'] : []), 'Populated FKs', 'Population Rate'],
      s.links.map((l) => [l.entityType, l.table, l.totalRecords, ...counts(l), l.populatedFks, l.populationRate]),
      { totalRow: ['TOTAL', '', s.total.totalRecords, ...counts(s.total), s.total.populatedFks, s.total.populationRate] },
    ) +
    s.links
      .map((l) => (l.activeWhen === undefined ? '' : `\n${l.entityType}: NULL FKs are of active rows only (${l.activeWhen})`))
      .join('') +
    warn
  );
}

function entityTable(results: EntityResult[]): string {
  return table(
    ['Entity Type', 'Total', 'NULL FK', 'Matched', 'Ambiguous', 'Review', 'Unmatched', 'Updated', 'Match Rate'],
    results.map((r) => [
      r.entityType,
      r.totalRecords,
      r.recordsWithNullFK,
      r.recordsMatched,
      r.recordsAmbiguous,
      r.recordsReview,
      r.recordsUnmatched - r.recordsAmbiguous - r.recordsReview,
      r.recordsUpdated,
      r.matchRate,
    ]),
  );
}

function unmatchedList(results: EntityResult[], explain: boolean, allTenants = false): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.unmatchedRecords.length === 0) continue;
    const t = unlinkedTally(r); // what is printed adds up: not linked = listed + beyond the list + moved meanwhile
    const beyond = t.beyond > 0 ? `; ${t.beyond} more beyond the first ${t.lines} line(s) (--max-records)` : '';
    const moved =
      t.moved === 0
        ? ''
        : t.moved > 0
          ? `; ${t.moved} not listed: written since the plan counted them`
          : `; ${-t.moved} listed but not counted: written since the plan counted them`;
    lines.push(
      `\nNot linked — ${r.entityType}: ${r.recordsUnmatched} row(s); below, ${t.listed} of them in ${t.lines} line(s)${beyond}${moved}:`,
    );
    // all tenants planned: each line says whose it is, even when the lines shown are one tenant's (a document number
    // repeats across tenants: "Document 1" alone could not be placed; a new user's trial)
    const scoped =
      (allTenants && r.unmatchedRecords.some((u) => u.scopeKey.length > 0)) ||
      new Set(r.unmatchedRecords.map((u) => JSON.stringify(u.scopeKey))).size > 1;
    lines.push(
      table(
        [...(scoped ? ['Scope'] : []), 'Document', 'Name', 'Rows', 'Outcome', 'Why', 'Candidates'],
        r.unmatchedRecords.map((u) => [
          ...(scoped ? [u.scopeKey.map((v) => v ?? '(none)').join(', ')] : []),
          u.documentNumber ?? '-',
          u.entityName === null ? '(no name)' : quotedName(u.entityName),
          u.rows,
          u.outcome,
          u.reason,
          candidateList(u.candidates as Candidate[], explain),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

function signalText(signals: Record<string, unknown> | null | undefined): string {
  if (signals === null || signals === undefined) return '';
  return Object.entries(signals)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(3)) : String(v)}`)
    .join(' ');
}

function inferredList(results: EntityResult[], explain: boolean): string {
  const lines: string[] = [];
  for (const r of results) {
    // the total, not the names listed: --max-records 0 lists none, and this line is the main warning about inferred links
    if (r.inferredLinksTotal === 0) continue;
    if (!explain || r.inferredLinks.length === 0) {
      const by = Object.entries(r.linkedByMethod)
        .filter(([m]) => m !== 'exact')
        .map(([m, n]) => `${n} by ${m}`);
      lines.push(
        `${r.entityType}: ${r.inferredLinksTotal} name(s) linked other than by exact equality, their rows ${by.join(', ')} — ${
          explain ? 'none listed: --max-records 0' : 'see them with --explain'
        }`,
      );
      continue;
    }
    lines.push(
      `\nLinked other than by exact equality — ${r.entityType}${r.inferredLinksTruncated ? ` (first ${r.inferredLinks.length})` : ''}:`,
    );
    lines.push(
      table(
        ['Name', 'Rows', 'Master', 'Method', 'Score', 'Signals'],
        r.inferredLinks.map((l) => [
          quotedName(l.name),
          l.rows,
          `${l.targetName ?? ''} [${l.targetKey}]`,
          l.method,
          l.score === null ? '' : l.score.toFixed(3),
          signalText(l.signals),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

export function planText(p: PlanResult, explain = false): string {
  const out = [
    `Plan ${p.runId} (dry run${p.tenantId === null ? ', all tenants' : `, tenant ${p.tenantId}`}) — nothing written to your tables.`,
    '',
    entityTable(p.results),
  ];
  const acc = p.results.filter((r) => r.accuracy !== undefined);
  for (const r of acc) {
    const a = r.accuracy as { samples: number; precision: number | null; recall: number | null };
    if (a.samples > 0)
      out.push(
        `${r.entityType}: estimated on ${a.samples} already-linked names: precision ${a.precision === null ? 'n/a' : (a.precision * 100).toFixed(2) + '%'}, recall ${a.recall === null ? 'n/a' : (a.recall * 100).toFixed(2) + '%'}`,
      );
    // said, not left out: a user reading the README looks for it
    else out.push(`${r.entityType}: no precision/recall estimate: no name is linked by its FK yet to test the matching on`);
  }
  out.push(...notActiveLines(p.results));
  out.push(inferredList(p.results, explain));
  out.push(unmatchedList(p.results, explain, p.tenantId === null));
  for (const n of p.notices ?? []) out.push(`Notice: ${n}`);
  out.push('', `Apply exactly this plan: fk-backfill apply --plan ${p.runId} --yes`);
  return out.join('\n');
}

/** Per link with its own `active`: the NULL-FK rows the plan left out as not active (checked: none more than the rows). */
function notActiveLines(results: EntityResult[]): string[] {
  return results.flatMap((r) => {
    if (r.recordsNotActive === undefined) return [];
    const c = { entityType: r.entityType, total: r.totalRecords, nullFks: r.recordsWithNullFK, notActive: r.recordsNotActive };
    return [notActiveText({ ...c, populated: r.totalRecords - r.recordsWithNullFK - r.recordsNotActive }, 'FK')];
  });
}

export function backfillText(s: BackfillSummary): string {
  return [
    `${s.dryRun ? 'Dry run' : 'Live run'}: ${s.totalRecordsProcessed} record(s) with NULL FK, ${s.totalRecordsUpdated} updated, match rate ${s.overallMatchRate}`,
    '',
    entityTable(s.results),
    unmatchedList(s.results, false),
  ].join('\n');
}

export function applyText(a: ApplyResult): string {
  assertCountsAddUp(a.results); // what is printed adds up: planned = updated - beyond the plan + skipped + not yet processed
  const stopped = a.status === 'stopped';
  const rows = a.results.map((r) => [r.entityType, r.table, r.planned, r.updated, r.skipped, ...(stopped ? [r.notYetProcessed ?? 0] : [])]);
  if (a.alreadyAppliedBy !== undefined) {
    return [
      `Nothing to do: plan ${a.planRunId} was already applied by run ${a.alreadyAppliedBy} (run ${a.runId} changed no row).`,
      ...(a.notices ?? []).map((n) => `Notice: ${n}`),
    ].join('\n');
  }
  return [
    `Applied plan ${a.planRunId} as run ${a.runId}: ${a.totalUpdated} row(s) updated${stopped ? `; stopped: ${a.totalNotYetProcessed ?? 0} planned row(s) not yet processed` : ''}.`,
    '',
    table(['Entity Type', 'Table', 'Planned', 'Updated', 'Skipped', ...(stopped ? ['Not yet processed'] : [])], rows),
    ...a.results.flatMap((r) => (r.skipReasons === undefined ? [] : [`  ${r.entityType} skipped: ${skipReasonsText(r.skipReasons)}`])),
    ...a.results.flatMap((r) =>
      r.refusedSoFar === undefined
        ? refusedLines({ ...r, all: r.skipReasons?.refusedByTable ?? 0 }, a.runId, 'left NULL')
        : refusedLines(
            { ...r, all: r.refusedSoFar },
            a.runId,
            `left NULL so far (among those not yet processed; \`apply --resume ${a.runId}\` counts them as skipped)`,
          ),
    ),
    ...a.results.flatMap((r) => lockedLines(r, a.runId)),
    ...a.results.flatMap((r) =>
      r.beyondPlan === undefined
        ? []
        : [
            `  ${r.entityType}: ${r.beyondPlan} of the updated row(s) were not in the plan (added or renamed to a planned name since it was made; linked by its decision for that name)`,
          ],
    ),
    '',
    ...reconnectedLine(a.reconnected),
    ...(a.notices ?? []).map((n) => `Notice: ${n}`),
    // a run that changed nothing has nothing to undo
    ...(a.totalUpdated > 0 ? [`Undo: fk-backfill undo --run ${a.runId} --yes`] : []),
  ].join('\n');
}

/** A run that lost its connection and went on: said once in its result, beside the stderr lines of each loss. */
function reconnectedLine(n: number | undefined): string[] {
  return n === undefined || n === 0
    ? []
    : [`Reconnected ${n} time(s) after a lost connection (each walked on from the last committed batch).`];
}

export function undoText(u: UndoResult): string {
  assertUndoCountsAddUp(u.results); // what is printed adds up: changed = reverted + skipped + not yet processed
  if (u.alreadyUndoneBy !== undefined)
    return [
      `Nothing to revert: run ${u.undoneRunId} was already undone by run ${u.alreadyUndoneBy} (run ${u.runId} changed no row).`,
      ...(u.notices ?? []).map((n) => `Notice: ${n}`),
    ].join('\n');
  const stopped = u.status === 'stopped';
  const notFound = u.results.reduce((a, r) => a + (r.notFound ?? 0), 0);
  const refused = u.results.reduce((a, r) => a + (r.refusedByTable ?? 0), 0);
  // a masters run's lines are masters, left for the reasons its notices give (referenced, edited, re-made since)
  const masters = u.results.length > 0 && u.results.every((r) => r.entityType === 'masters');
  const already = u.results.reduce((a, r) => a + (r.alreadyReverted ?? 0), 0);
  const by = [...new Set(u.results.flatMap((r) => r.alreadyRevertedBy ?? []))].sort((a, b) => Number(a) - Number(b));
  const rewritten = u.results.reduce((a, r) => a + (r.rewrittenSince ?? 0), 0);
  const why =
    u.totalSkipped === 0
      ? ''
      : masters
        ? 'left: see the notices'
        : [
            ...(already > 0 ? [`${already} already set back by undo run ${by.join(', ')}`] : []),
            ...(rewritten > 0 ? [`${rewritten} written again since by ${laterRuns(u.results.flatMap((r) => r.rewrittenBy ?? []))}`] : []),
            ...(refused + already + rewritten < u.totalSkipped
              ? [`${already + rewritten > 0 ? 'the rest ' : ''}changed since${notFound > 0 ? `; ${notFound} of them no longer found` : ''}`]
              : []),
            ...(refused > 0 ? [`${refused} refused by the table, left linked`] : []),
          ].join('; ');
  const unit = masters ? 'master(s)' : 'row(s)';
  return [
    `Undo run ${u.runId} reverted run ${u.undoneRunId}: ${u.totalReverted} ${unit} set back, ${u.totalSkipped} skipped${why === '' ? '' : ` (${why})`}${stopped ? `; stopped: ${u.totalNotYetProcessed ?? 0} row(s) not yet processed` : ''}.`,
    '',
    table(
      ['Entity Type', 'Table', 'Changed by run', 'Reverted', 'Skipped', ...(stopped ? ['Not yet processed'] : [])],
      u.results.map((r) => [r.entityType, r.table, r.changed, r.reverted, r.skipped, ...(stopped ? [r.notYetProcessed ?? 0] : [])]),
    ),
    ...u.results.flatMap((r) => refusedLines({ ...r, all: r.refusedByTable ?? 0 }, u.runId, 'left linked')),
    ...u.results.flatMap((r) => rewrittenLines(r, u.undoneRunId)),
    ...u.results.flatMap((r) => editedLines(r, u.undoneRunId)),
    ...reconnectedLine(u.reconnected),
    ...(u.notices ?? []).map((n) => `Notice: ${n}`),
  ].join('\n');
}

/** Later runs by id, each once: `apply run 10, guard run 8`. */
function laterRuns(rs: readonly { run: string; kind: string }[]): string {
  const runs = new Map(rs.map((x) => [x.run, x.kind]));
  return [...runs.entries()]
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([run, kind]) => `${kind} run ${run}`)
    .join(', ');
}

/** Skipped rows another run wrote after this one: which runs, how many each, and the undo that sets them back. */
function rewrittenLines(r: UndoResult['results'][number], runId: string): string[] {
  const by = r.rewrittenBy ?? [];
  if ((r.rewrittenSince ?? 0) === 0 || by.length === 0) return [];
  const undoable = by.filter((x) => x.kind !== 'undo');
  return [
    `  ${r.entityType}: ${r.rewrittenSince} skipped row(s) were written again after run ${runId} by ${by.map((x) => `${x.kind} run ${x.run} (${x.rows})`).join(', ')}: left as that run wrote them${
      undoable.length === 0
        ? ''
        : `; ${undoable.length === 1 ? 'its undo sets' : 'their undos set'} them back: ${undoable.map((x) => `fk-backfill undo --run ${x.run} --yes`).join(', ')}`
    }`,
  ];
}

/** The first skipped rows whose FK no longer holds what the run wrote: what it holds now. */
function editedLines(r: UndoResult['results'][number], runId: string): string[] {
  const shown = r.editedSince ?? [];
  if (shown.length === 0) return [];
  return [
    `  ${r.entityType}: skipped, their ${r.table} row changed since run ${runId} wrote it (the first ${shown.length}):`,
    ...shown.map((x) =>
      x.renamed !== undefined
        ? `    ${r.table} row ${x.key}: FK still ${x.now ?? 'NULL'} as run ${runId} wrote it, but the row was renamed since (now "${x.renamed}", not a name the plan linked to ${x.now ?? 'NULL'})`
        : x.touched !== undefined
          ? `    ${r.table} row ${x.key}: FK still ${x.now ?? 'NULL'} as run ${runId} wrote it, but the row was written since (updated ${x.touched ?? 'NULL'})`
          : `    ${r.table} row ${x.key}: now ${x.now ?? 'NULL'} (run ${runId} wrote ${x.wrote ?? 'NULL'})`,
    ),
  ];
}

export function verifyText(v: VerifyReport): string {
  // a link with its own `active`: the NULL FKs of rows not active in a column of their own, checked to add up
  const off = v.links.some((l) => l.notActive !== undefined);
  const notActive = (l: VerifyReport['links'][number]): (string | number)[] => {
    if (!off) return [];
    if (l.notActive === undefined || l.linked === undefined) return ['-'];
    const c = { entityType: l.entityType, total: l.totalRecords, populated: l.linked, nullFks: l.nullFks };
    assertNotActiveAddsUp({ ...c, notActive: l.notActive });
    return [l.notActive];
  };
  const rows = v.links.map((l) => [
    l.entityType,
    l.totalRecords,
    l.nullFks,
    ...notActive(l),
    l.orphans,
    l.crossScope,
    l.constraint === null ? 'none' : `${l.constraint.name} (${l.constraint.onDelete}${l.constraint.validated ? '' : ', not valid'})`,
    l.index === null ? 'none' : l.index.name,
    l.restrictVerified === null ? 'n/a' : l.restrictVerified ? 'yes' : 'no',
  ]);
  const problems = v.links.flatMap((l) => l.problems.map((p) => `  ✗ ${l.entityType}: ${p}`));
  const warnings = v.links.flatMap((l) => l.warnings.map((w) => `  ! ${l.entityType}: ${w}`));
  return [
    table(
      [
        'Entity Type',
        'Total',
        'NULL FKs',
        ...(off ? ['Not Active'] : []),
        'Orphans',
        'Cross-tenant',
        'Constraint',
        'FK index',
        'Delete refused',
      ],
      rows,
    ),
    '',
    v.ok
      ? `OK: every FK ${v.notices === undefined ? '' : 'of the links above '}populated, valid, tenant-consistent and protected as configured.`
      : `Problems:\n${problems.join('\n')}`,
    ...(warnings.length > 0 ? ['', `Warnings:\n${warnings.join('\n')}`] : []),
    ...(v.notices ?? []).map((n) => `Notice: ${n}`),
  ].join('\n');
}

/** The rows the table refused, one line each (the first few; all in fk_backfill.refused_rows). */
function refusedLines(
  r: { entityType: string; table: string; refused?: readonly RefusedRow[]; all: number },
  runId: string,
  left: string,
): string[] {
  const shown = r.refused ?? [];
  const all = r.all;
  if (shown.length === 0) return [];
  return [
    `  ${r.entityType}: the table refused ${all} row(s), ${left}${all > shown.length ? ` (the first ${shown.length}; all in fk_backfill.refused_rows, run ${runId})` : ''}:`,
    ...shown.map((x) => `    ${r.table} row ${x.key}: ${x.message}`),
  ];
}

/** The first rows another session kept locked through every retry (their keys: what to look for in pg_locks). */
function lockedLines(
  r: { entityType: string; table: string; locked?: readonly RefusedRow[]; skipReasons?: { lockedByOtherSession: number } },
  runId: string,
): string[] {
  const shown = r.locked ?? [];
  if (shown.length === 0) return [];
  const all = r.skipReasons?.lockedByOtherSession ?? shown.length;
  return [
    `  ${r.entityType}: ${all} row(s) stayed locked by another session, left NULL${all > shown.length ? ` (the first ${shown.length}; all in fk_backfill.refused_rows, run ${runId}, sqlstate 55P03)` : ''}: ${shown.map((x) => `${r.table} row ${x.key}`).join(', ')}`,
  ];
}

type Candidate = { key?: string; name?: string; score?: number; active?: boolean; signals?: Record<string, unknown> };

/**
 * A not-linked row's first candidates: name, (inactive), score; with --explain each one's key and signals. Two that
 * share a name (an ambiguous exact name: `Twin Corp; Twin Corp`) show their keys too, or no one could tell them apart.
 */
function candidateList(cands: Candidate[], explain: boolean | undefined): string {
  const shown = cands.slice(0, explain ? 5 : 3);
  const twice = new Set(shown.map((c) => c.name).filter((n, i, all) => n !== undefined && all.indexOf(n) !== i));
  return shown
    .map(
      (c) =>
        `${c.name ?? c.key}${c.active === false ? ' (inactive)' : ''}${c.score !== undefined && c.score !== null ? ` (${Number(c.score).toFixed(3)})` : ''}${
          explain ? ` [${c.key}] ${signalText(c.signals)}` : twice.has(c.name) ? ` [${c.key}]` : ''
        }`,
    )
    .join('; ');
}
