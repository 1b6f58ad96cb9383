/**
 * Undo: reverts a run's change sets, batch by batch: exactly the rows it wrote that still hold its value.
 */
import { ident } from './quote.js';
import {
  idCols,
  type LinkShape,
  OWN,
  Params,
  rowKeyMatch,
  rowKeyText,
  type ScopeFilter,
  scopeWhere,
  type Statement,
  touchedText,
  withChangedCount,
} from './link.js';
import { keptFollowUp, keptRow } from './kept.js';
import type { BoundRow } from './walk.js';
import { refusedBy, refusedRowsCte } from './checks.js';
import { runTimeZone } from './batch.js';
import { citusPlannedNames, namedAsPlanned, plannedNamesCte } from './undo-names.js';
import { loggedRows, plannedOf, position, slicedChanges, type UndoLogRow } from './undo-log.js';

export { type UndoLogRow, undoRowsStatement } from './undo-log.js';

/**
 * Reverts what run `targetRunId` wrote into one link: only rows that still hold the value it wrote;
 * restores the touched column (updated_at) too. Logs the reversal under `runId`. Reads the rows of change
 * sets only (`set_id IS NOT NULL`): a guard link still in guard_links, also shown by the view, has no
 * position yet and is not counted as changed (undo moves them into change sets before it starts).
 */
export function undoStatement(
  link: LinkShape,
  a: {
    targetRunId: string;
    runId: string;
    linkName: string;
    /** A range of change log positions 'SET:ORD' (see undoBoundStatement): the batches of a batched undo. */
    setRange?: { after: string | null; upTo: string };
    /**
     * Other runs wrote into this link after the target (laterWritesStatement said so): leave the rows they
     * wrote after it, whose value may equal the target's without being the target's (re-linked by a later
     * apply after someone cleared it). Without any, the statement skips that anti-join.
     */
    laterWrites?: boolean;
    /** Only these change-log row keys (rowKeyText): a batch the table refused rows of, split (src/batch/refused.ts). */
    keys?: readonly string[];
    /**
     * Only these change-log rows, as undoRowsStatement read them in the batch's transaction, passed as values instead of
     * read again (a split of a refused batch, src/batch/refused.ts): each statement of the split read the batch's change
     * sets again, whose arrays (~1 MB of keys for a 20,000-row set) are taken whole out of TOAST before they are sliced,
     * ~20 ms a statement whatever its rows.
     */
    log?: readonly UndoLogRow[];
    /**
     * A Citus distributed source: the batch's values of its distribution column (undoDistributionValuesStatement),
     * so that its UPDATE reaches only their shards.
     */
    shards?: { column: string; type: string; values: readonly string[] };
    /**
     * The plan the run applied (store/plans.ts appliedPlanOf): where updated_at cannot tell an edit (namedAsPlanned),
     * a row is set back only while its name and scope are still those of an entry the plan linked to its FK's master.
     */
    plan?: string;
    /**
     * Row-level security applies to the source for this role: the change log's keys are typed once in \`c\`, materialized,
     * so the UPDATE joins plain columns. Under a policy the planner may not use an index for a join clause holding a
     * cast that is not leakproof (\`s.id = c.row_key::uuid\`): every batch read the whole table and joined it with the
     * batch's rows in a nested loop (a new user's trial: 500 rows of a 117,000-row table under a tenant policy, 56 s a
     * batch against 0.5 s).
     */
    rowSecurity?: boolean;
  },
  f: ScopeFilter,
): Statement {
  const u = undoParams(a);
  if (link.citus !== undefined) return citusUndoStatement(link, u, f, a.shards, a.plan);
  const { p, target, linkName, withs, from, setRange } = u;
  const fk = ident(link.fk);
  // the old touched value comes back only while the row still holds the one apply wrote (its transaction's now(),
  // the change set's changed_at): an edit since (the application's own updated_at) is kept
  const touchValue =
    link.touch === null
      ? null
      : `CASE WHEN c.touched_column IS NULL OR s.${ident(link.touch.column)} IS DISTINCT FROM ${appliedTouch(link.touch, target)} THEN s.${ident(link.touch.column)} ELSE c.touched_old::${link.touch.type} END`;
  const touchSet = touchValue === null ? '' : `, ${ident(link.touch!.column)} = ${touchValue}`;
  const unedited =
    untouchedSince(link, 's', { recorded: 'c.touched_column IS NOT NULL', applied: appliedTouch(link.touch, target) }, u) +
    namedAsPlanned(link, 's', a.plan);
  const typed = a.rowSecurity === true ? idCols(link) : [];
  const keyMatch =
    typed.length === 0 ? rowKeyMatch('s', link, 'c.row_key') : typed.map((k, i) => `s.${ident(k.col)} = c.fkb_k${i + 1}`).join(' AND ');
  const typedKeys = typed
    .map((k, i) => `${typed.length === 1 ? 'c.row_key' : `(c.row_key::text[])[${i + 1}]`}::${k.type} AS fkb_k${i + 1}, `)
    .join('');
  const log = `c AS${typed.length === 0 ? '' : ' MATERIALIZED'} (
  SELECT ${typedKeys}c.id, c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at
    FROM ${from}
   WHERE c.run_id = ${target}::int8 AND c.link = ${linkName} AND c.set_id IS NOT NULL${setRange}
)`;
  const checks = link.fkChecks ?? [];
  // CHECK constraints over the FK (one added since the apply that refuses a NULL FK): the rows they would refuse are
  // found by their expressions over each row as undo would write it, recorded and left linked (sql/apply.ts does the
  // same for apply); the rest set back. What they cannot see (a trigger) is found by splitting (src/batch/refused.ts).
  const screened =
    checks.length === 0
      ? ''
      : `, ${refusedRowsCte({
          runId: u.runId,
          linkName,
          rowKey: 'x.row_key',
          refused: 'x.refused_by',
          from: `(SELECT c.row_key, ${refusedBy(link, checks, p, 'to_jsonb(s)', `c.old_value::${link.fkType}`, touchValue)} AS refused_by
            FROM c JOIN ${link.sourceSql} s ON ${keyMatch} AND s.${fk} = c.new_value::${link.fkType}${unedited}${scopeWhere('s', link, f, p)}) x`,
          where: 'x.refused_by IS NOT NULL',
          left: 'linked',
        })}`;
  const keep =
    checks.length === 0 ? '' : ` AND ${refusedBy(link, checks, p, 'to_jsonb(s)', `c.old_value::${link.fkType}`, touchValue)} IS NULL`;
  // a kept row's touched values (sql/kept.ts), in text form: the one this statement wrote (the log's old one, where the
  // row held the apply's time; else it wrote none: NULL, nothing set back) and the apply's, to set back
  const tt = link.touch === null ? null : link.touch.type;
  const wrote =
    tt === null
      ? 'NULL'
      : `CASE WHEN ${touchedText('upd.fkb_wrote')} IS NOT DISTINCT FROM ${touchedText(`upd.fkb_old_touch::${tt}`)} THEN ${touchedText('upd.fkb_wrote')} END`;
  const given = a.log === undefined ? undefined : plannedOf(a.log);
  const text = `WITH ${withs}${plannedNamesCte(link, { p, id: a.plan, given }, linkName)}${log}${screened}, upd AS (
  UPDATE ${link.sourceSql} s
     SET ${fk} = c.old_value::${link.fkType}${touchSet}
    FROM c
   WHERE ${keyMatch} AND s.${fk} = c.new_value::${link.fkType}${unedited}${scopeWhere('s', link, f, p)}${keep}
  RETURNING ${rowKeyText('s', link)} AS row_key, c.new_value, c.old_value, c.table_name, c.column_name, ${reverted(link, 'c.old_value')} AS fkb_reverted,
            s.${fk} AS fkb_fk${link.touch === null ? '' : `, s.${ident(link.touch.column)} AS fkb_wrote, c.touched_old AS fkb_old_touch, ${appliedTouch(link.touch, target)} AS fkb_back`}
)
${undoChangeSet(u, keptRow('upd.row_key', 'upd.fkb_fk::text', wrote, tt === null ? 'NULL' : touchedText('upd.fkb_back')))}`;
  return { text, values: p.values, followUp: keptFollowUp(link, f, { runId: a.runId, linkName: a.linkName, kind: 'undo' }) };
}

/**
 * The value the apply wrote into a touched column of `type`: its transaction's now(), the change set's changed_at. A
 * type without a time zone (timestamp, date) got it in the apply session's TimeZone, recorded with the run
 * (store/runs.ts createRun); read in this session's zone it would differ whenever the two differ (a database's or
 * role's default changed since, a client that sets its own), and the row's old updated_at would not come back.
 */
export function appliedTouch(touch: { type: string; zoned?: boolean } | null, target: string, at = 'c.changed_at'): string {
  if (touch === null) return 'NULL';
  const { type } = touch;
  if (touch.zoned ?? /with time zone|timestamptz/i.test(type)) return `${at}::${type}`;
  return `(${at} AT TIME ZONE ${runTimeZone(target)})::${type}`;
}

/**
 * ` AND <the row was not written since by anyone but fk-backfill>`: where the apply recorded the touched column
 * (updated_at), the row still holds the time the apply wrote, or the time of another change set of fk-backfill's on
 * the same table (a later run of another link on these rows: undo that run first for each row's own updated_at). A
 * row the application wrote since (an edit, or deleted and inserted again under the same key: a new user's trial)
 * holds its own time: it is left as it is, counted as changed since, and named by the skipped rows' sample. Not
 * where a BEFORE UPDATE trigger of the table may set the column itself (`touch.byTrigger`): every row would differ,
 * and the FK alone decides, as before.
 */
export function untouchedSince(
  link: LinkShape,
  s: string,
  c: { recorded: string; applied: string },
  u: { target: string; linkName: string },
): string {
  if (link.touch === null || link.touch.byTrigger === true) return '';
  const tc = `${s}.${ident(link.touch.column)}`;
  return ` AND (NOT (${c.recorded}) OR ${tc} IS NOT DISTINCT FROM ${c.applied} OR ${tc} IN (SELECT ${appliedTouch(link.touch, u.target, 'o.changed_at')} FROM ${OWN}.change_sets o
        WHERE o.touched_column IS NOT NULL AND o.table_name IN (SELECT y.table_name FROM ${OWN}.change_sets y WHERE y.run_id = ${u.target}::int8 AND y.link = ${u.linkName})))`;
}

/** An undo statement's parameters in the order both shapes bind them, and its change-log range. */
function undoParams(a: {
  targetRunId: string;
  runId: string;
  linkName: string;
  setRange?: { after: string | null; upTo: string };
  laterWrites?: boolean;
  keys?: readonly string[];
  log?: readonly UndoLogRow[];
}): { p: Params; runId: string; target: string; linkName: string; withs: string; from: string; setRange: string } {
  const p = new Params();
  const runId = p.add(a.runId);
  const target = p.add(a.targetRunId);
  const linkName = p.add(a.linkName);
  const later = a.laterWrites === true;
  // computed once (a materialized CTE of one row), looked up per change-log row
  const withs = later ? rewritesCte({ runId, target, linkName }) : '';
  const rows =
    a.log !== undefined
      ? loggedRows(a.log, { target, linkName }, p)
      : a.setRange === undefined
        ? `${OWN}.changes`
        : slicedChanges(a.setRange, { target, linkName }, p);
  const from = `${rows} c${later ? ' CROSS JOIN w' : ''}`;
  // a batch's range is the slice itself (slicedChanges)
  const setRange =
    (a.keys === undefined ? '' : ` AND c.row_key = ANY(${p.add(a.keys)}::text[])`) +
    (later ? ' AND NOT coalesce((w.at ->> c.row_key)::timestamptz >= c.changed_at, false)' : '');
  return { p, runId, target, linkName, withs, from, setRange };
}

/**
 * Writes into the link by runs other than the target and this undo, from the target's first change set on, in time:
 * a guard run's links are moved into change sets (each keeping its time) when its undo starts, behind every set
 * written meanwhile (a trial: the guard's undo set back a row an apply had linked again since). Runs on one link
 * never overlap (the live lock), so their times order their writes.
 */
function laterWrites(u: { runId: string; target: string; linkName: string }): string {
  return `SELECT l.row_key, l.changed_at FROM ${OWN}.changes l
          WHERE l.link = ${u.linkName} AND l.run_id <> ${u.target}::int8 AND l.run_id <> ${u.runId}::int8
            AND l.changed_at >= (SELECT min(t.changed_at) FROM ${OWN}.change_sets t WHERE t.run_id = ${u.target}::int8 AND t.link = ${u.linkName})`;
}

/**
 * The later writes into the link, as a map from row key to the latest one's time, looked up per change-log row: as
 * a correlated NOT EXISTS, then as a LEFT JOIN estimated at a few rows, it became a nested loop (an undo of 44,655
 * rows after three later runs took 8 minutes; 120 M comparisons in a 20,000-row batch, 100 s, against 0.4 s).
 */
function rewritesCte(u: { runId: string; target: string; linkName: string }): string {
  return `w AS MATERIALIZED (
  SELECT jsonb_object_agg(l.row_key, l.at) AS at
    FROM (SELECT l.row_key, max(l.changed_at) AS at FROM (${laterWrites(u)}) l GROUP BY l.row_key) l
), `;
}

/**
 * The values of a Citus source's distribution column in a batch's range of the change log: key part `part` (1-based)
 * of its composite row keys, each once. Read on the coordinator, passed to the batch as a constant (undoStatement's
 * `shards`).
 */
export function undoDistributionValuesStatement(
  a: { targetRunId: string; linkName: string; setRange: { after: string | null; upTo: string } },
  part: number,
): Statement<{ v: string[] | null }> {
  const p = new Params();
  const target = p.add(a.targetRunId);
  const linkName = p.add(a.linkName);
  const text = `SELECT array_agg(DISTINCT (c.row_key::text[])[${p.add(part)}::int]) AS v FROM ${slicedChanges(a.setRange, { target, linkName }, p)} c`;
  return { text, values: p.values };
}

/** Whether another run (not `runId`, the undo itself) wrote into the link after the target run: \`later\`. */
export function laterWritesStatement(a: { targetRunId: string; runId: string; linkName: string }): Statement<{ later: boolean }> {
  const p = new Params();
  const runId = p.add(a.runId);
  const target = p.add(a.targetRunId);
  const linkName = p.add(a.linkName);
  return { text: `SELECT EXISTS (${laterWrites({ runId, target, linkName })}) AS later`, values: p.values };
}

/**
 * Apply runs after `targetRunId`, not undone, that also set the touched column (updated_at) of rows it changed:
 * undone before them, those rows keep the time they wrote, and their undo then sets back this run's time (each
 * logged the time it found). Undone last applied first, every row gets its own updated_at back. Runs that changed
 * other rows of the table are not named (a new user's trial: a notice for two runs with no row in common).
 */
export function laterTouchRunsStatement(targetRunId: string): Statement<{ run: string; table_name: string }> {
  return {
    // each side unnested on its own, joined on (table, row key), undone runs left out first: one statement hashed on the
    // table alone and compared every key pair (a trial: 427 s before an 11,045-row undo began, 541 k rows applied after)
    text: `WITH mine AS MATERIALIZED (
  SELECT DISTINCT t.table_name, k.row_key
    FROM ${OWN}.change_sets t CROSS JOIN LATERAL unnest(t.row_keys) AS k(row_key)
   WHERE t.run_id = $1::int8 AND t.touched_column IS NOT NULL
), theirs AS MATERIALIZED (
  SELECT cs.run_id, cs.table_name, k.row_key
    FROM ${OWN}.change_sets cs
    JOIN ${OWN}.runs r ON r.id = cs.run_id AND r.kind = 'apply'
   CROSS JOIN LATERAL unnest(cs.row_keys) AS k(row_key)
   WHERE cs.run_id <> $1::int8 AND cs.touched_column IS NOT NULL
     AND cs.id > (SELECT min(t.id) FROM ${OWN}.change_sets t WHERE t.run_id = $1::int8)
     AND NOT EXISTS (SELECT 1 FROM ${OWN}.runs u WHERE u.kind = 'undo' AND u.status = 'done' AND u.target_run_id = cs.run_id)
)
SELECT DISTINCT x.run_id::text AS run, x.table_name
  FROM theirs x JOIN mine m ON m.table_name = x.table_name AND m.row_key = x.row_key
 ORDER BY 1, 2`,
    values: [targetRunId],
  };
}

/**
 * The change set of an undo statement (the rows of \`upd\` it set back), and its \`changed\` count: not the rows a
 * BEFORE UPDATE trigger kept linked (\`fkb_reverted\` false: sql/kept.ts), returned as \`kept\` where \`kept\` says how.
 */
function undoChangeSet(u: { runId: string; linkName: string }, kept?: string): string {
  const insert = `INSERT INTO ${OWN}.change_sets (run_id, link, table_name, column_name, method, row_keys, old_values, new_values)
SELECT ${u.runId}::int8, ${u.linkName}::text, min(upd.table_name), min(upd.column_name), 'undo', array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.old_value)
  FROM upd
 WHERE upd.fkb_reverted
HAVING count(*) > 0`;
  return withChangedCount(insert, kept === undefined ? { written: 'upd.fkb_reverted' } : { written: 'upd.fkb_reverted', row: kept });
}

/** The row's FK, as the UPDATE left it, is the value the undo set back (`old`): not where a trigger kept it. */
function reverted(link: LinkShape, old: string): string {
  return `s.${ident(link.fk)} IS NOT DISTINCT FROM ${old}::${link.fkType}`;
}

/**
 * undoStatement on a Citus source: the change log rows are read and typed on the coordinator (the CTE
 * `c`: key parts, old and new values and the old touched value cast to their columns' types), so the
 * UPDATE on the shards compares and assigns plain columns (Citus refuses a STABLE cast of a column,
 * such as text to timestamptz, in an UPDATE) and returns the logged row key as it is. The name check
 * (namedAsPlanned's, where updated_at cannot tell an edit) is a join in `c` too: each log row with the
 * names the plan linked to its master in the row's tenant, read off its key (citusPlannedNames).
 */
function citusUndoStatement(
  link: LinkShape,
  u: ReturnType<typeof undoParams>,
  f: ScopeFilter,
  shards?: { column: string; type: string; values: readonly string[] },
  plan?: string,
): Statement {
  const { p, target, linkName, withs, from, setRange } = u;
  const fk = ident(link.fk);
  const cols = idCols(link);
  const named = citusPlannedNames(link, { p, id: plan }, linkName);
  const keyParts = cols
    .map((c, i) => (cols.length === 1 ? `c.row_key::${c.type} AS fkb_k1` : `(c.row_key::text[])[${i + 1}]::${c.type} AS fkb_k${i + 1}`))
    .join(', ');
  const tc = link.touch === null ? null : ident(link.touch.column);
  const text = `WITH ${withs}c AS (
  SELECT c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, ${keyParts},
         c.old_value::${link.fkType} AS fkb_old, c.new_value::${link.fkType} AS fkb_new${
           link.touch === null
             ? ''
             : `,
         c.touched_column IS NOT NULL AS fkb_touch, c.touched_old::${link.touch.type} AS fkb_touched, ${appliedTouch(link.touch, target)} AS fkb_applied`
         }${named.columns}
    FROM ${from}${named.join}
   WHERE c.run_id = ${target}::int8 AND c.link = ${linkName} AND c.set_id IS NOT NULL${setRange}
), upd AS (
  UPDATE ${link.sourceSql} s
     SET ${fk} = c.fkb_old${tc === null ? '' : `, ${tc} = CASE WHEN c.fkb_touch AND s.${tc} IS NOT DISTINCT FROM c.fkb_applied THEN c.fkb_touched ELSE s.${tc} END`}
    FROM c
   WHERE ${cols.map((col, i) => `s.${ident(col.col)} = c.fkb_k${i + 1}`).join(' AND ')} AND s.${fk} = c.fkb_new${untouchedSince(link, 's', { recorded: 'c.fkb_touch', applied: 'c.fkb_applied' }, u)}${named.where}${scopeWhere('s', link, f, p)}${
     // the batch's values of the distribution column as a constant: Citus prunes the UPDATE to their shards (joined to
     // the change log alone, every batch ran on all 32 shards, each hashing its whole shard: an undo took 4× its apply)
     shards === undefined ? '' : ` AND s.${ident(shards.column)} = ANY(${p.add(shards.values)}::${shards.type}[])`
   }
  RETURNING c.row_key, c.new_value, c.old_value, c.table_name, c.column_name, s.${fk} IS NOT DISTINCT FROM c.fkb_old AS fkb_reverted
)
${undoChangeSet(u)}`;
  return { text, values: p.values };
}

/**
 * Upper bound of the next batch of an undo: the position 'SET:ORD' of the `limit`-th changed row of the
 * run and link after position `after`, walking the change sets in id order (index (run_id, link, id))
 * and each set's rows in order. Used with `undoStatement`'s setRange.
 *
 * Counted from the sets' sizes, never their rows: numbering the rows of the view `changes` unnested every
 * array of every set left and sorted them, once per batch (0.85 s per batch of a 900 k-row undo, 40 % of it).
 * Each set left counts its rows after `after` (all of them but in the set `after` points into); the bound lies
 * in the first set where the running count reaches `limit`, or at the end of the last set.
 */
export function undoBoundStatement(a: { targetRunId: string; linkName: string }, after: string | null, limit: number): Statement<BoundRow> {
  const p = new Params();
  const run = p.add(a.targetRunId);
  const link = p.add(a.linkName);
  let first = '1';
  let from = '';
  if (after !== null) {
    const [set, ord] = position(after);
    const sp = p.add(set);
    first = `CASE WHEN cs.id = ${sp}::int8 THEN ${p.add(ord)}::int8 + 1 ELSE 1 END`;
    from = ` AND cs.id >= ${sp}::int8`;
  }
  const lim = p.add(limit);
  // per set: its first row after `after`, the rows from there (rest) and the running count up to its end (total)
  const text = `SELECT s.set_id::text || ':' || (s.first - 1 + least(s.rest, ${lim}::int8 - (s.total - s.rest)))::text AS up_to,
       least(s.total, ${lim}::int8) AS n
  FROM (SELECT c.set_id, c.first, c.size - c.first + 1 AS rest, sum(c.size - c.first + 1) OVER (ORDER BY c.set_id)::int8 AS total
          FROM (SELECT cs.id AS set_id, ${first} AS first, cardinality(cs.row_keys)::int8 AS size
                  FROM ${OWN}.change_sets cs
                 WHERE cs.run_id = ${run}::int8 AND cs.link = ${link}${from}) c) s
 WHERE s.rest > 0 AND s.total - s.rest < ${lim}::int8
 ORDER BY s.set_id DESC
 LIMIT 1`;
  return { text, values: p.values };
}
