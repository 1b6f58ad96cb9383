import { describe, expect, it } from 'vitest';
import type { LinkShape } from '../../../src/sql/link.js';
import { laterWritesStatement, laterTouchRunsStatement, undoBoundStatement, undoStatement } from '../../../src/sql/undo.js';
import {
  alreadyRevertedStatement,
  rewrittenSinceStatement,
  undoEditedSampleStatement,
  undoNotFoundStatement,
} from '../../../src/sql/undo-skips.js';

/** A composite row key, a scoped link, a touched column; identifiers that must be quoted. */
const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"crm"."Customers"',
  key: 'id',
  keys: ['id', 'Line No'],
  keyTypes: ['uuid', 'int4'],
  fk: 'Customer ID',
  name: 'customer name',
  targetKey: 'id',
  targetName: 'name',
  scope: ['tenant id'],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: { column: 'Updated At', type: 'timestamp with time zone' },
};

/** An undo's change set and counts; `touched`: the link has a touched column (a kept row's values, sql/kept.ts). */
const changeSet = (touched: boolean): string => `, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, method, row_keys, old_values, new_values)
SELECT $1::int8, $3::text, min(upd.table_name), min(upd.column_name), 'undo', array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.old_value)
  FROM upd
 WHERE upd.fkb_reverted
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.fkb_reverted)::int8 AS changed,
       (SELECT json_agg(json_build_object('k', upd.row_key, 'fk', upd.fkb_fk::text, 'wrote', ${touched ? "CASE WHEN (to_jsonb(upd.fkb_wrote) #>> '{}') IS NOT DISTINCT FROM (to_jsonb(upd.fkb_old_touch::timestamp with time zone) #>> '{}') THEN (to_jsonb(upd.fkb_wrote) #>> '{}') END" : 'NULL'}, 'back', ${touched ? "(to_jsonb(upd.fkb_back) #>> '{}')" : 'NULL'})) FROM upd WHERE NOT (upd.fkb_reverted)) AS kept`;

describe('undo statements (whole text)', () => {
  it("one batch: change-log positions in (after, upTo], each set's arrays sliced to them before they are unnested, rows rewritten by a later run left alone, composite key taken apart typed, updated_at restored only while it is the one apply wrote, a row whose updated_at no fk-backfill run wrote left alone, tenant filter", () => {
    expect(
      undoStatement(
        link,
        { targetRunId: '5', runId: '9', linkName: 'so', setRange: { after: '12:340', upTo: '14:20' }, laterWrites: true },
        { tenant: 'T1' },
      ),
    ).toMatchObject({
      text: `WITH w AS MATERIALIZED (
  SELECT jsonb_object_agg(l.row_key, l.at) AS at
    FROM (SELECT l.row_key, max(l.changed_at) AS at FROM (SELECT l.row_key, l.changed_at FROM fk_backfill.changes l
          WHERE l.link = $3 AND l.run_id <> $2::int8 AND l.run_id <> $1::int8
            AND l.changed_at >= (SELECT min(t.changed_at) FROM fk_backfill.change_sets t WHERE t.run_id = $2::int8 AND t.link = $3)) l GROUP BY l.row_key) l
), c AS (
  SELECT c.id, c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at
    FROM (SELECT (cs.id * 4294967296 + b.lo - 1 + x.ord)::int8 AS id, cs.run_id, cs.link, cs.table_name, x.row_key, cs.column_name,
          x.old_value, x.new_value, cs.touched_column, x.touched_old, coalesce(x.linked_at, cs.changed_at) AS changed_at, cs.id AS set_id,
          (b.lo - 1 + x.ord)::int8 AS ord
     FROM fk_backfill.change_sets cs
    CROSS JOIN LATERAL (SELECT (CASE WHEN cs.id = $4::int8 THEN $6::int8 + 1 ELSE 1 END)::int AS lo, (CASE WHEN cs.id = $5::int8 THEN $7::int8 ELSE cardinality(cs.row_keys) END)::int AS hi) b
    CROSS JOIN LATERAL unnest(cs.row_keys[b.lo:b.hi], cs.old_values[b.lo:b.hi], cs.new_values[b.lo:b.hi], cs.touched_old[b.lo:b.hi], cs.linked_at[b.lo:b.hi]) WITH ORDINALITY
          AS x(row_key, old_value, new_value, touched_old, linked_at, ord)
    WHERE cs.run_id = $2::int8 AND cs.link = $3 AND cs.id >= $4::int8 AND cs.id <= $5::int8) c CROSS JOIN w
   WHERE c.run_id = $2::int8 AND c.link = $3 AND c.set_id IS NOT NULL AND NOT coalesce((w.at ->> c.row_key)::timestamptz >= c.changed_at, false)
), upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "Customer ID" = c.old_value::uuid, "Updated At" = CASE WHEN c.touched_column IS NULL OR s."Updated At" IS DISTINCT FROM c.changed_at::timestamp with time zone THEN s."Updated At" ELSE c.touched_old::timestamp with time zone END
    FROM c
   WHERE s."id" = (c.row_key::text[])[1]::uuid AND s."Line No" = (c.row_key::text[])[2]::int4 AND s."Customer ID" = c.new_value::uuid AND (NOT (c.touched_column IS NOT NULL) OR s."Updated At" IS NOT DISTINCT FROM c.changed_at::timestamp with time zone OR s."Updated At" IN (SELECT o.changed_at::timestamp with time zone FROM fk_backfill.change_sets o
        WHERE o.touched_column IS NOT NULL AND o.table_name IN (SELECT y.table_name FROM fk_backfill.change_sets y WHERE y.run_id = $2::int8 AND y.link = $3))) AND s."tenant id" = $8
  RETURNING ARRAY[s."id"::text, s."Line No"::text]::text AS row_key, c.new_value, c.old_value, c.table_name, c.column_name, s."Customer ID" IS NOT DISTINCT FROM c.old_value::uuid AS fkb_reverted,
            s."Customer ID" AS fkb_fk, s."Updated At" AS fkb_wrote, c.touched_old AS fkb_old_touch, c.changed_at::timestamp with time zone AS fkb_back
)
${changeSet(true)}`,
      values: ['9', '5', 'so', '12', '14', '340', '20', 'T1'],
    });
  });

  it('the whole run at once on an unscoped single-key link without a touched column: no range, no anti-join, no tenant filter', () => {
    expect(
      undoStatement(
        { ...link, keys: undefined, keyTypes: undefined, touch: null, scope: [] },
        { targetRunId: '5', runId: '9', linkName: 'so' },
        { tenant: 'T1' },
      ),
    ).toMatchObject({
      text: `WITH c AS (
  SELECT c.id, c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at
    FROM fk_backfill.changes c
   WHERE c.run_id = $2::int8 AND c.link = $3 AND c.set_id IS NOT NULL
), upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "Customer ID" = c.old_value::uuid
    FROM c
   WHERE s."id" = c.row_key::uuid AND s."Customer ID" = c.new_value::uuid
  RETURNING s."id"::text AS row_key, c.new_value, c.old_value, c.table_name, c.column_name, s."Customer ID" IS NOT DISTINCT FROM c.old_value::uuid AS fkb_reverted,
            s."Customer ID" AS fkb_fk
)
${changeSet(false)}`,
      values: ['9', '5', 'so'],
    });
  });

  it("row-level security on the source: the log's keys typed once in a materialized c, the UPDATE joined on plain columns (a policy keeps a cast join clause out of the index)", () => {
    expect(
      undoStatement({ ...link, touch: null }, { targetRunId: '5', runId: '9', linkName: 'so', rowSecurity: true }, { tenant: 'T1' }),
    ).toMatchObject({
      text: `WITH c AS MATERIALIZED (
  SELECT (c.row_key::text[])[1]::uuid AS fkb_k1, (c.row_key::text[])[2]::int4 AS fkb_k2, c.id, c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at
    FROM fk_backfill.changes c
   WHERE c.run_id = $2::int8 AND c.link = $3 AND c.set_id IS NOT NULL
), upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "Customer ID" = c.old_value::uuid
    FROM c
   WHERE s."id" = c.fkb_k1 AND s."Line No" = c.fkb_k2 AND s."Customer ID" = c.new_value::uuid AND s."tenant id" = $4
  RETURNING ARRAY[s."id"::text, s."Line No"::text]::text AS row_key, c.new_value, c.old_value, c.table_name, c.column_name, s."Customer ID" IS NOT DISTINCT FROM c.old_value::uuid AS fkb_reverted,
            s."Customer ID" AS fkb_fk
)
${changeSet(false)}`,
      values: ['9', '5', 'so', 'T1'],
    });
    // one key column: the key itself, typed
    expect(
      undoStatement(
        { ...link, keys: undefined, keyTypes: undefined, touch: null, scope: [] },
        { targetRunId: '5', runId: '9', linkName: 'so', rowSecurity: true },
        { tenant: null },
      ).text,
    ).toContain(`SELECT c.row_key::uuid AS fkb_k1, c.id,`);
  });

  it("no touched column and the applied plan given: a row is set back only while its scope and name are an entry the plan linked to its FK's master (the name cast to its column's type)", () => {
    const named = { ...link, keys: undefined, keyTypes: undefined, touch: null, nameType: 'citext' };
    // the entries as arrays of one materialized row, each row a probe of them hashed once (see namedAsPlanned)
    const planned = (p: string, l: string): string => `fkb_planned AS MATERIALIZED (
  SELECT array_agg(CASE WHEN e.outcome = 'linked' THEN e.target_key::uuid END) AS masters, array_agg(e.scope_key::text) AS scopes,
         array_agg(e.source_name::citext) AS names
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = ${p}::int8 AND e.link = ${l} AND e.outcome = 'linked'
), `;
    const plan = `(s."Customer ID", ARRAY[s."tenant id"::text]::text[]::text, s."customer name") IN (SELECT x.* FROM fkb_planned n, unnest(n.masters, n.scopes, n.names) x) IS TRUE`;
    expect(undoStatement(named, { targetRunId: '5', runId: '9', linkName: 'so', plan: '4' }, { tenant: null })).toMatchObject({
      text: `WITH ${planned('$4', '$3')}c AS (
  SELECT c.id, c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at
    FROM fk_backfill.changes c
   WHERE c.run_id = $2::int8 AND c.link = $3 AND c.set_id IS NOT NULL
), upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "Customer ID" = c.old_value::uuid
    FROM c
   WHERE s."id" = c.row_key::uuid AND s."Customer ID" = c.new_value::uuid AND ${plan}
  RETURNING s."id"::text AS row_key, c.new_value, c.old_value, c.table_name, c.column_name, s."Customer ID" IS NOT DISTINCT FROM c.old_value::uuid AS fkb_reverted,
            s."Customer ID" AS fkb_fk
)
${changeSet(false)}`,
      values: ['9', '5', 'so', '4'],
    });
    // where updated_at tells an edit, the plan is not read
    expect(
      undoStatement({ ...named, touch: link.touch }, { targetRunId: '5', runId: '9', linkName: 'so', plan: '4' }, { tenant: null }).text,
    ).not.toContain('plan_entries');
    // the skipped rows' sample names the row's name now where the plan's check refused it
    expect(undoEditedSampleStatement(named, { targetRunId: '5', linkName: 'so', plan: '4' }, { tenant: null }, 5)).toEqual({
      text: `WITH ${planned('$3', '$2')}c AS (
  SELECT DISTINCT ON (u.k) u.k, u.v, cs.touched_column IS NOT NULL AS rec, cs.changed_at
    FROM fk_backfill.change_sets cs CROSS JOIN LATERAL unnest(cs.row_keys, cs.new_values) AS u(k, v)
   WHERE cs.run_id = $1::int8 AND cs.link = $2
   ORDER BY u.k, cs.id DESC
), u AS (
  SELECT DISTINCT unnest(cs.row_keys) AS k
    FROM fk_backfill.change_sets cs JOIN fk_backfill.runs r ON r.id = cs.run_id
   WHERE r.kind = 'undo' AND r.target_run_id = $1::int8 AND cs.link = $2
), l AS (
  SELECT l.row_key AS k, max(l.changed_at) AS at FROM fk_backfill.changes l WHERE l.link = $2 AND l.run_id <> $1::int8 GROUP BY l.row_key
)
SELECT c.k AS key, c.v AS wrote, s."Customer ID"::text AS now, NULL AS touched, CASE WHEN NOT (true AND ${plan}) THEN s."customer name"::text END AS renamed
  FROM c JOIN "erp"."Sales Orders" s ON s."id" = c.k::uuid
 WHERE (s."Customer ID"::text IS DISTINCT FROM c.v OR NOT (true AND ${plan})) AND NOT EXISTS (SELECT 1 FROM u WHERE u.k = c.k)
   AND NOT EXISTS (SELECT 1 FROM l WHERE l.k = c.k AND l.at >= c.changed_at)
 ORDER BY c.k
 LIMIT $4::int8`,
      values: ['5', 'so', '4', 5],
    });
  });

  it('later writes: another run (neither the target nor this undo) wrote into the link after the target began', () => {
    expect(laterWritesStatement({ targetRunId: '5', runId: '9', linkName: 'so' })).toEqual({
      text: `SELECT EXISTS (SELECT l.row_key, l.changed_at FROM fk_backfill.changes l
          WHERE l.link = $3 AND l.run_id <> $2::int8 AND l.run_id <> $1::int8
            AND l.changed_at >= (SELECT min(t.changed_at) FROM fk_backfill.change_sets t WHERE t.run_id = $2::int8 AND t.link = $3)) AS later`,
      values: ['9', '5', 'so'],
    });
  });

  it("a batch's upper bound: the limit-th changed row's position after the last one, in change-set order", () => {
    expect(undoBoundStatement({ targetRunId: '5', linkName: 'so' }, null, 1000)).toEqual({
      text: `SELECT s.set_id::text || ':' || (s.first - 1 + least(s.rest, $3::int8 - (s.total - s.rest)))::text AS up_to,
       least(s.total, $3::int8) AS n
  FROM (SELECT c.set_id, c.first, c.size - c.first + 1 AS rest, sum(c.size - c.first + 1) OVER (ORDER BY c.set_id)::int8 AS total
          FROM (SELECT cs.id AS set_id, 1 AS first, cardinality(cs.row_keys)::int8 AS size
                  FROM fk_backfill.change_sets cs
                 WHERE cs.run_id = $1::int8 AND cs.link = $2) c) s
 WHERE s.rest > 0 AND s.total - s.rest < $3::int8
 ORDER BY s.set_id DESC
 LIMIT 1`,
      values: ['5', 'so', 1000],
    });
    expect(undoBoundStatement({ targetRunId: '5', linkName: 'so' }, '12:340', 1000)).toEqual({
      text: `SELECT s.set_id::text || ':' || (s.first - 1 + least(s.rest, $5::int8 - (s.total - s.rest)))::text AS up_to,
       least(s.total, $5::int8) AS n
  FROM (SELECT c.set_id, c.first, c.size - c.first + 1 AS rest, sum(c.size - c.first + 1) OVER (ORDER BY c.set_id)::int8 AS total
          FROM (SELECT cs.id AS set_id, CASE WHEN cs.id = $3::int8 THEN $4::int8 + 1 ELSE 1 END AS first, cardinality(cs.row_keys)::int8 AS size
                  FROM fk_backfill.change_sets cs
                 WHERE cs.run_id = $1::int8 AND cs.link = $2 AND cs.id >= $3::int8) c) s
 WHERE s.rest > 0 AND s.total - s.rest < $5::int8
 ORDER BY s.set_id DESC
 LIMIT 1`,
      values: ['5', 'so', '12', '340', 1000],
    });
    expect(() => undoBoundStatement({ targetRunId: '5', linkName: 'so' }, '12', 1000)).toThrow(
      "not a change log position: 12 (the run's checkpoint is damaged)",
    );
  });

  it('the rows a run changed that the table no longer shows the role (deleted, or hidden by row-level security), within the tenant', () => {
    expect(undoNotFoundStatement(link, { targetRunId: '5', linkName: 'so' }, { tenant: 'T1' })).toEqual({
      text: `WITH c AS (
  SELECT DISTINCT unnest(cs.row_keys) AS k FROM fk_backfill.change_sets cs WHERE cs.run_id = $2::int8 AND cs.link = $3
)
SELECT (SELECT count(*) FROM c LEFT JOIN "erp"."Sales Orders" s ON s."id" = (c.k::text[])[1]::uuid AND s."Line No" = (c.k::text[])[2]::int4 AND s."tenant id" = $4
         WHERE s."id" IS NULL)::int8 AS not_found,
       row_security_active($1::regclass) AS rls`,
      values: ['"erp"."Sales Orders"', '5', 'so', 'T1'],
    });
  });

  it('the first rows a run changed whose FK no longer holds what it wrote, or that the application wrote since (updated_at its own): key, written value, value now, updated_at now, within the tenant', () => {
    expect(undoEditedSampleStatement(link, { targetRunId: '5', linkName: 'so' }, { tenant: 'T1' }, 5)).toEqual({
      text: `WITH c AS (
  SELECT DISTINCT ON (u.k) u.k, u.v, cs.touched_column IS NOT NULL AS rec, cs.changed_at
    FROM fk_backfill.change_sets cs CROSS JOIN LATERAL unnest(cs.row_keys, cs.new_values) AS u(k, v)
   WHERE cs.run_id = $1::int8 AND cs.link = $2
   ORDER BY u.k, cs.id DESC
), u AS (
  SELECT DISTINCT unnest(cs.row_keys) AS k
    FROM fk_backfill.change_sets cs JOIN fk_backfill.runs r ON r.id = cs.run_id
   WHERE r.kind = 'undo' AND r.target_run_id = $1::int8 AND cs.link = $2
), l AS (
  SELECT l.row_key AS k, max(l.changed_at) AS at FROM fk_backfill.changes l WHERE l.link = $2 AND l.run_id <> $1::int8 GROUP BY l.row_key
)
SELECT c.k AS key, c.v AS wrote, s."Customer ID"::text AS now, s."Updated At"::text AS touched, NULL AS renamed
  FROM c JOIN "erp"."Sales Orders" s ON s."id" = (c.k::text[])[1]::uuid AND s."Line No" = (c.k::text[])[2]::int4 AND s."tenant id" = $3
 WHERE (s."Customer ID"::text IS DISTINCT FROM c.v OR NOT (true AND (NOT (c.rec) OR s."Updated At" IS NOT DISTINCT FROM c.changed_at::timestamp with time zone OR s."Updated At" IN (SELECT o.changed_at::timestamp with time zone FROM fk_backfill.change_sets o
        WHERE o.touched_column IS NOT NULL AND o.table_name IN (SELECT y.table_name FROM fk_backfill.change_sets y WHERE y.run_id = $1::int8 AND y.link = $2))))) AND NOT EXISTS (SELECT 1 FROM u WHERE u.k = c.k)
   AND NOT EXISTS (SELECT 1 FROM l WHERE l.k = c.k AND l.at >= c.changed_at)
 ORDER BY c.k
 LIMIT $4::int8`,
      values: ['5', 'so', 'T1', 5],
    });
  });

  it('the rows of a link another undo of the same run set back (before it, or while it was stopped), and those undo runs', () => {
    expect(alreadyRevertedStatement({ targetRunId: '5', runId: '9', linkName: 'so' })).toEqual({
      text: `WITH c AS (
  SELECT DISTINCT unnest(cs.row_keys) AS k FROM fk_backfill.change_sets cs WHERE cs.run_id = $1::int8 AND cs.link = $3
), u AS (
  SELECT DISTINCT unnest(cs.row_keys) AS k, cs.run_id
    FROM fk_backfill.change_sets cs JOIN fk_backfill.runs r ON r.id = cs.run_id
   WHERE r.kind = 'undo' AND r.target_run_id = $1::int8 AND r.id <> $2::int8 AND cs.link = $3
)
SELECT count(DISTINCT c.k)::int8 AS n, array_agg(DISTINCT u.run_id::text) AS by FROM c JOIN u ON u.k = c.k`,
      values: ['5', '9', 'so'],
    });
  });

  it('the rows of a link another run wrote after the target (an apply linking a cleared FK again, the guard), per run, not its own undos', () => {
    expect(rewrittenSinceStatement({ targetRunId: '5', runId: '9', linkName: 'so' })).toEqual({
      text: `WITH c AS (
  SELECT c.row_key AS k, max(c.changed_at) AS at FROM fk_backfill.changes c WHERE c.run_id = $1::int8 AND c.link = $3 GROUP BY c.row_key
), l AS (
  SELECT DISTINCT l.run_id, c.k
    FROM fk_backfill.changes l JOIN c ON c.k = l.row_key AND l.changed_at >= c.at JOIN fk_backfill.runs r ON r.id = l.run_id
   WHERE l.link = $3 AND l.run_id <> $1::int8 AND l.run_id <> $2::int8
     AND NOT (r.kind = 'undo' AND r.target_run_id IS NOT DISTINCT FROM $1::int8)
)
SELECT l.run_id::text AS run, r.kind, count(*)::int8 AS n, (SELECT count(DISTINCT l.k) FROM l)::int8 AS total
  FROM l JOIN fk_backfill.runs r ON r.id = l.run_id
 GROUP BY l.run_id, r.kind
 ORDER BY l.run_id`,
      values: ['5', '9', 'so'],
    });
  });

  it('a batch narrowed to some of its change-log row keys (a split on Citus)', () => {
    const st = undoStatement(link, { targetRunId: '7', runId: '9', linkName: 'so', keys: ['1', '22'] }, { tenant: null });
    expect(st.text).toContain(`WHERE c.run_id = $2::int8 AND c.link = $3 AND c.set_id IS NOT NULL AND c.row_key = ANY($4::text[])`);
    expect(st.values).toEqual(['9', '7', 'so', ['1', '22']]);
  });

  it('a source with a CHECK over the FK: the rows it would refuse are recorded and left linked, the rest set back, in one statement', () => {
    const st = undoStatement(
      { ...link, fkChecks: [{ name: 'orders_linked', expr: '("Customer ID" IS NOT NULL)' }] },
      { targetRunId: '7', runId: '9', linkName: 'so' },
      { tenant: 'T1' },
    );
    expect(st.text).toBe(`WITH c AS (
  SELECT c.id, c.row_key, c.old_value, c.new_value, c.table_name, c.column_name, c.touched_column, c.touched_old, c.changed_at
    FROM fk_backfill.changes c
   WHERE c.run_id = $2::int8 AND c.link = $3 AND c.set_id IS NOT NULL
), fkb_refused AS (
  INSERT INTO fk_backfill.refused_rows (run_id, link, row_key, sqlstate, constraint_name, message)
  SELECT $1::int8, $3::text, x.row_key, '23514', x.refused_by,
         'new row would violate check constraint "' || x.refused_by || '" (found before the update, the row left linked)'
    FROM (SELECT c.row_key, (SELECT CASE WHEN (("Customer ID" IS NOT NULL)) IS FALSE THEN $6::text END
       FROM jsonb_populate_record(NULL::"erp"."Sales Orders", to_jsonb(s) || jsonb_build_object($4::text, c.old_value::uuid, $5::text, CASE WHEN c.touched_column IS NULL OR s."Updated At" IS DISTINCT FROM c.changed_at::timestamp with time zone THEN s."Updated At" ELSE c.touched_old::timestamp with time zone END)) AS fkb_new_row) AS refused_by
            FROM c JOIN "erp"."Sales Orders" s ON s."id" = (c.row_key::text[])[1]::uuid AND s."Line No" = (c.row_key::text[])[2]::int4 AND s."Customer ID" = c.new_value::uuid AND (NOT (c.touched_column IS NOT NULL) OR s."Updated At" IS NOT DISTINCT FROM c.changed_at::timestamp with time zone OR s."Updated At" IN (SELECT o.changed_at::timestamp with time zone FROM fk_backfill.change_sets o
        WHERE o.touched_column IS NOT NULL AND o.table_name IN (SELECT y.table_name FROM fk_backfill.change_sets y WHERE y.run_id = $2::int8 AND y.link = $3))) AND s."tenant id" = $7) x
   WHERE x.refused_by IS NOT NULL
  ON CONFLICT (run_id, link, row_key) DO NOTHING
), upd AS (
  UPDATE "erp"."Sales Orders" s
     SET "Customer ID" = c.old_value::uuid, "Updated At" = CASE WHEN c.touched_column IS NULL OR s."Updated At" IS DISTINCT FROM c.changed_at::timestamp with time zone THEN s."Updated At" ELSE c.touched_old::timestamp with time zone END
    FROM c
   WHERE s."id" = (c.row_key::text[])[1]::uuid AND s."Line No" = (c.row_key::text[])[2]::int4 AND s."Customer ID" = c.new_value::uuid AND (NOT (c.touched_column IS NOT NULL) OR s."Updated At" IS NOT DISTINCT FROM c.changed_at::timestamp with time zone OR s."Updated At" IN (SELECT o.changed_at::timestamp with time zone FROM fk_backfill.change_sets o
        WHERE o.touched_column IS NOT NULL AND o.table_name IN (SELECT y.table_name FROM fk_backfill.change_sets y WHERE y.run_id = $2::int8 AND y.link = $3))) AND s."tenant id" = $11 AND (SELECT CASE WHEN (("Customer ID" IS NOT NULL)) IS FALSE THEN $10::text END
       FROM jsonb_populate_record(NULL::"erp"."Sales Orders", to_jsonb(s) || jsonb_build_object($8::text, c.old_value::uuid, $9::text, CASE WHEN c.touched_column IS NULL OR s."Updated At" IS DISTINCT FROM c.changed_at::timestamp with time zone THEN s."Updated At" ELSE c.touched_old::timestamp with time zone END)) AS fkb_new_row) IS NULL
  RETURNING ARRAY[s."id"::text, s."Line No"::text]::text AS row_key, c.new_value, c.old_value, c.table_name, c.column_name, s."Customer ID" IS NOT DISTINCT FROM c.old_value::uuid AS fkb_reverted,
            s."Customer ID" AS fkb_fk, s."Updated At" AS fkb_wrote, c.touched_old AS fkb_old_touch, c.changed_at::timestamp with time zone AS fkb_back
)
, ins AS (
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, method, row_keys, old_values, new_values)
SELECT $1::int8, $3::text, min(upd.table_name), min(upd.column_name), 'undo', array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.old_value)
  FROM upd
 WHERE upd.fkb_reverted
HAVING count(*) > 0
RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE upd.fkb_reverted)::int8 AS changed,
       (SELECT json_agg(json_build_object('k', upd.row_key, 'fk', upd.fkb_fk::text, 'wrote', CASE WHEN (to_jsonb(upd.fkb_wrote) #>> '{}') IS NOT DISTINCT FROM (to_jsonb(upd.fkb_old_touch::timestamp with time zone) #>> '{}') THEN (to_jsonb(upd.fkb_wrote) #>> '{}') END, 'back', (to_jsonb(upd.fkb_back) #>> '{}'))) FROM upd WHERE NOT (upd.fkb_reverted)) AS kept`);
    expect(st.values).toEqual([
      '9',
      '7',
      'so',
      'Customer ID',
      'Updated At',
      'orders_linked',
      'T1',
      'Customer ID',
      'Updated At',
      'orders_linked',
      'T1',
    ]);
  });
});

describe("later runs that set the same rows' updated_at (whole text)", () => {
  it('both sides unnested on their own and joined on (table, row key); runs undone already left out first', () => {
    expect(laterTouchRunsStatement('5')).toEqual({
      text: `WITH mine AS MATERIALIZED (
  SELECT DISTINCT t.table_name, k.row_key
    FROM fk_backfill.change_sets t CROSS JOIN LATERAL unnest(t.row_keys) AS k(row_key)
   WHERE t.run_id = $1::int8 AND t.touched_column IS NOT NULL
), theirs AS MATERIALIZED (
  SELECT cs.run_id, cs.table_name, k.row_key
    FROM fk_backfill.change_sets cs
    JOIN fk_backfill.runs r ON r.id = cs.run_id AND r.kind = 'apply'
   CROSS JOIN LATERAL unnest(cs.row_keys) AS k(row_key)
   WHERE cs.run_id <> $1::int8 AND cs.touched_column IS NOT NULL
     AND cs.id > (SELECT min(t.id) FROM fk_backfill.change_sets t WHERE t.run_id = $1::int8)
     AND NOT EXISTS (SELECT 1 FROM fk_backfill.runs u WHERE u.kind = 'undo' AND u.status = 'done' AND u.target_run_id = cs.run_id)
)
SELECT DISTINCT x.run_id::text AS run, x.table_name
  FROM theirs x JOIN mine m ON m.table_name = x.table_name AND m.row_key = x.row_key
 ORDER BY 1, 2`,
      values: ['5'],
    });
  });
});
