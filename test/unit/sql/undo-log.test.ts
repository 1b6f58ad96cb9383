import { describe, expect, it } from 'vitest';
import type { LinkShape } from '../../../src/sql/link.js';
import { undoRowsStatement, undoStatement, type UndoLogRow } from '../../../src/sql/undo.js';

/** No touched column (undo checks names against the plan), a citext name column. */
const link: LinkShape = {
  sourceSql: '"erp"."Orders"',
  targetSql: '"crm"."Customers"',
  key: 'id',
  keys: ['id'],
  keyTypes: ['uuid'],
  fk: 'customer_id',
  name: 'customer_name',
  targetKey: 'id',
  targetName: 'name',
  scope: ['tenant_id'],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: null,
  nameType: 'citext',
};

const row = (k: string, master: string, names: string[] | null): UndoLogRow => ({
  k,
  old_value: null,
  new_value: master,
  table_name: 'orders',
  column_name: 'customer_id',
  touched_column: null,
  touched_old: null,
  changed_at: '2026-12-08 00:00:00.123456+00',
  planned_scopes: names === null ? null : names.map(() => '{1}'),
  planned_names: names,
});

describe('undo: the change log of a refused batch, read once and passed back to its split', () => {
  it("a batch's change-log rows in the log's order, each with the plan's linked entries of its master", () => {
    expect(undoRowsStatement(link, { targetRunId: '7', linkName: 'so', setRange: { after: '3:10', upTo: '4:5' }, plan: '6' })).toEqual({
      text: `SELECT c.row_key AS k, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at::text AS changed_at, e.scopes AS planned_scopes, e.names AS planned_names
  FROM (SELECT (cs.id * 4294967296 + b.lo - 1 + x.ord)::int8 AS id, cs.run_id, cs.link, cs.table_name, x.row_key, cs.column_name,
          x.old_value, x.new_value, cs.touched_column, x.touched_old, coalesce(x.linked_at, cs.changed_at) AS changed_at, cs.id AS set_id,
          (b.lo - 1 + x.ord)::int8 AS ord
     FROM fk_backfill.change_sets cs
    CROSS JOIN LATERAL (SELECT (CASE WHEN cs.id = $3::int8 THEN $5::int8 + 1 ELSE 1 END)::int AS lo, (CASE WHEN cs.id = $4::int8 THEN $6::int8 ELSE cardinality(cs.row_keys) END)::int AS hi) b
    CROSS JOIN LATERAL unnest(cs.row_keys[b.lo:b.hi], cs.old_values[b.lo:b.hi], cs.new_values[b.lo:b.hi], cs.touched_old[b.lo:b.hi], cs.linked_at[b.lo:b.hi]) WITH ORDINALITY
          AS x(row_key, old_value, new_value, touched_old, linked_at, ord)
    WHERE cs.run_id = $1::int8 AND cs.link = $2 AND cs.id >= $3::int8 AND cs.id <= $4::int8) c
  LEFT JOIN (SELECT e.target_key::uuid AS master, array_agg(e.scope_key::text) AS scopes, array_agg(e.source_name) AS names
               FROM fk_backfill.plan_entries e
              WHERE e.run_id = $7::int8 AND e.link = $2 AND e.outcome = 'linked'
              GROUP BY 1) e ON e.master = c.new_value::uuid
 WHERE c.run_id = $1::int8 AND c.link = $2 AND c.set_id IS NOT NULL
 ORDER BY c.set_id, c.ord`,
      values: ['7', 'so', '3', '4', '10', '5', '6'],
    });
  });

  it('a whole link (one transaction) through the view; no plan entries where updated_at tells an edit', () => {
    expect(
      undoRowsStatement({ ...link, touch: { column: 'updated_at', type: 'timestamptz' } }, { targetRunId: '7', linkName: 'so', plan: '6' }),
    ).toEqual({
      text: `SELECT c.row_key AS k, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at::text AS changed_at, NULL::text[] AS planned_scopes, NULL::text[] AS planned_names
  FROM fk_backfill.changes c
 WHERE c.run_id = $1::int8 AND c.link = $2 AND c.set_id IS NOT NULL
 ORDER BY c.set_id, c.ord`,
      values: ['7', 'so'],
    });
  });

  it("a split's statement over rows passed as values, checked against their masters' planned names (each entry once)", () => {
    const log = [row('a', 'm1', ['Acme', 'ACME']), row('b', 'm1', ['Acme', 'ACME']), row('c', 'm2', null)];
    const st = undoStatement(link, { targetRunId: '7', runId: '9', linkName: 'so', plan: '6', log }, { tenant: null });
    expect(st.text.slice(0, st.text.indexOf('), upd AS ('))).toBe(`WITH fkb_planned AS MATERIALIZED (
  SELECT $12::text[]::uuid[] AS masters, $13::text[] AS scopes, $14::text[]::citext[] AS names
), c AS (
  SELECT c.id, c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at
    FROM (SELECT x.ord AS id, $2::int8 AS run_id, $3::text AS link, x.table_name, x.row_key, x.column_name, x.old_value,
          x.new_value, x.touched_column, x.touched_old, x.changed_at::timestamptz AS changed_at, 0::int8 AS set_id, x.ord
     FROM (SELECT $4::text[] AS k, $5::text[] AS old_value, $6::text[] AS new_value, $7::text[] AS table_name, $8::text[] AS column_name, $9::text[] AS touched_column, $10::text[] AS touched_old, $11::text[] AS changed_at OFFSET 0) l
    CROSS JOIN LATERAL unnest(l.k, l.old_value, l.new_value, l.table_name, l.column_name, l.touched_column, l.touched_old, l.changed_at) WITH ORDINALITY
          AS x(row_key, old_value, new_value, table_name, column_name, touched_column, touched_old, changed_at, ord)) c
   WHERE c.run_id = $2::int8 AND c.link = $3 AND c.set_id IS NOT NULL
`);
    const at = '2026-12-08 00:00:00.123456+00';
    expect(st.values).toEqual([
      '9',
      '7',
      'so',
      ['a', 'b', 'c'],
      [null, null, null],
      ['m1', 'm1', 'm2'],
      ['orders', 'orders', 'orders'],
      ['customer_id', 'customer_id', 'customer_id'],
      [null, null, null],
      [null, null, null],
      [at, at, at],
      ['m1', 'm1'],
      ['{1}', '{1}'],
      ['Acme', 'ACME'],
    ]);
  });
});
