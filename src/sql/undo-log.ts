/**
 * Undo's change log as statements read it: a batch's slice of the change sets, and the rows of a refused batch read once
 * and passed back as values to the statements of its split (src/batch/refused.ts).
 */
import { BackfillError } from '../errors.js';
import { type LinkShape, OWN, Params, type Statement } from './link.js';
import { type PlannedNames, plannedOfMasters } from './undo-names.js';

/**
 * A change-log row of an undo batch, its values as text (`k`: the row key): what undoStatement's `log` passes back;
 * with the plan's linked entries of its master where undo checks names (plannedOfMasters), else NULL.
 */
export interface UndoLogRow {
  planned_scopes: string[] | null;
  planned_names: string[] | null;
  k: string;
  old_value: string | null;
  new_value: string | null;
  table_name: string;
  column_name: string;
  touched_column: string | null;
  touched_old: string | null;
  /** As text, read and cast back in one transaction (its TimeZone and DateStyle): the exact instant, microseconds too. */
  changed_at: string;
}

/**
 * The change-log rows an undo batch (or a whole link, without `setRange`) may set back: what a batch the table
 * refused a row of is split over (src/batch/refused.ts), in the log's order, with their values (undoStatement's `log`).
 */
export function undoRowsStatement(
  link: LinkShape,
  a: { targetRunId: string; linkName: string; setRange?: { after: string | null; upTo: string }; plan?: string },
): Statement<UndoLogRow> {
  const p = new Params();
  const target = p.add(a.targetRunId);
  const linkName = p.add(a.linkName);
  const from = a.setRange === undefined ? `${OWN}.changes` : slicedChanges(a.setRange, { target, linkName }, p);
  const named = plannedOfMasters(link, { p, id: a.plan }, linkName);
  const text = `SELECT c.row_key AS k, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at::text AS changed_at${named.columns}
  FROM ${from} c${named.join}
 WHERE c.run_id = ${target}::int8 AND c.link = ${linkName} AND c.set_id IS NOT NULL
 ORDER BY c.set_id, c.ord`;
  return { text, values: p.values };
}

/**
 * Change-log rows passed as values (UndoLogRow), with the columns of the view `changes` that undoStatement reads. The
 * arrays come through a subquery the planner keeps (OFFSET 0), so it estimates their rows as it does a change set's
 * (a few) and looks each row up by its key: with their real count (an unnest of constants) a split statement of 5,000
 * rows hashed the whole table, testing each row's planned name, 6 s against 30 ms.
 */
export function loggedRows(log: readonly UndoLogRow[], u: { target: string; linkName: string }, p: Params): string {
  const cols = ['k', 'old_value', 'new_value', 'table_name', 'column_name', 'touched_column', 'touched_old', 'changed_at'] as const;
  // prettier-ignore
  const arrays = cols.map((k) => `${p.add(log.map((r) => r[k]))}::text[] AS ${k}`).join(', ');
  return `(SELECT x.ord AS id, ${u.target}::int8 AS run_id, ${u.linkName}::text AS link, x.table_name, x.row_key, x.column_name, x.old_value,
          x.new_value, x.touched_column, x.touched_old, x.changed_at::timestamptz AS changed_at, 0::int8 AS set_id, x.ord
     FROM (SELECT ${arrays} OFFSET 0) l
    CROSS JOIN LATERAL unnest(${cols.map((k) => `l.${k}`).join(', ')}) WITH ORDINALITY
          AS x(row_key, old_value, new_value, table_name, column_name, touched_column, touched_old, changed_at, ord))`;
}

/** The plan's linked entries of the masters of `log`'s rows, each once (undoStatement's `fkb_planned` for a split). */
export function plannedOf(log: readonly UndoLogRow[]): PlannedNames {
  const seen = new Set<string>();
  const out = { masters: [] as string[], scopes: [] as string[], names: [] as string[] };
  for (const r of log) {
    const [scopes, names] = [r.planned_scopes ?? [], r.planned_names ?? []];
    for (let i = 0; i < scopes.length; i++) {
      const id = JSON.stringify([r.new_value, scopes[i], names[i]]);
      if (r.new_value === null || seen.has(id)) continue;
      seen.add(id);
      out.masters.push(r.new_value);
      out.scopes.push(scopes[i]!);
      out.names.push(names[i]!);
    }
  }
  return out;
}

/**
 * The rows of a batch's range of the change log, as the view `changes` gives them, with each set's arrays sliced to the
 * range before they are unnested. Through the view a batch unnested the whole of every set it touched: on Citus, where
 * an undo's batches stay a few hundred rows, one 23,500-row set was unnested again for each of them (a new user's
 * trial: an undo of 385,500 rows took 26 minutes, its apply 16 s).
 */
export function slicedChanges(r: { after: string | null; upTo: string }, u: { target: string; linkName: string }, p: Params): string {
  const [lastSet, lastOrd] = position(r.upTo);
  const [firstSet, firstOrd] = r.after === null ? [null, null] : position(r.after);
  const fs = firstSet === null ? null : p.add(firstSet);
  const ls = p.add(lastSet);
  const lo = fs === null ? '1' : `CASE WHEN cs.id = ${fs}::int8 THEN ${p.add(firstOrd)}::int8 + 1 ELSE 1 END`;
  const hi = `CASE WHEN cs.id = ${ls}::int8 THEN ${p.add(lastOrd)}::int8 ELSE cardinality(cs.row_keys) END`;
  const sl = (col: string): string => `cs.${col}[b.lo:b.hi]`;
  return `(SELECT (cs.id * 4294967296 + b.lo - 1 + x.ord)::int8 AS id, cs.run_id, cs.link, cs.table_name, x.row_key, cs.column_name,
          x.old_value, x.new_value, cs.touched_column, x.touched_old, coalesce(x.linked_at, cs.changed_at) AS changed_at, cs.id AS set_id,
          (b.lo - 1 + x.ord)::int8 AS ord
     FROM ${OWN}.change_sets cs
    CROSS JOIN LATERAL (SELECT (${lo})::int AS lo, (${hi})::int AS hi) b
    CROSS JOIN LATERAL unnest(${sl('row_keys')}, ${sl('old_values')}, ${sl('new_values')}, ${sl('touched_old')}, ${sl('linked_at')}) WITH ORDINALITY
          AS x(row_key, old_value, new_value, touched_old, linked_at, ord)
    WHERE cs.run_id = ${u.target}::int8 AND cs.link = ${u.linkName}${fs === null ? '' : ` AND cs.id >= ${fs}::int8`} AND cs.id <= ${ls}::int8)`;
}

/** A change log position 'SET:ORD' (set id, 1-based position in the set). */
export function position(pos: string): [string, string] {
  const m = /^(\d+):(\d+)$/.exec(pos);
  if (m === null) throw new BackfillError('INTEGRITY', `not a change log position: ${pos} (the run's checkpoint is damaged)`);
  return [m[1]!, m[2]!];
}
