import { describe, expect, it } from 'vitest';
import { Params, type LinkShape } from '../../../src/sql/link.js';
import {
  applyLadderBoundStatement,
  applyLadderStatements,
  blockBoundStatement,
  plainRangeWhere,
  rowsPerDistributionValueStatement,
  sweepBoundStatement,
  walkRangeWhere,
  WHOLE_LINK,
} from '../../../src/sql/walk.js';

const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"customers"',
  key: 'Order ID',
  fk: 'customer_id',
  name: 'customer name',
  targetKey: 'id',
  targetName: 'customer_name',
  scope: ['tenant_id', 'branch'],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: null,
};

/** A range fragment and the parameters it bound after `before` earlier ones. */
function range(build: (p: Params) => string, ...before: unknown[]): { sql: string; values: unknown[] } {
  const p = new Params();
  for (const v of before) p.add(v);
  return { sql: build(p), values: p.values };
}

describe('walk range fragments (whole text)', () => {
  it('key walk (also the default): bounds as InitPlans of typed parameters, numbered after the ones already bound', () => {
    expect(range((p) => walkRangeWhere('key')('o', link, { after: 'A', upTo: 'B' }, p), 'x')).toEqual({
      sql: ` AND o."Order ID" > (SELECT $2::uuid) AND o."Order ID" <= (SELECT $3::uuid)`,
      values: ['x', 'A', 'B'],
    });
    expect(range((p) => walkRangeWhere(undefined)('o', link, { after: null, upTo: 'B' }, p))).toEqual({
      sql: ` AND o."Order ID" <= (SELECT $1::uuid)`,
      values: ['B'],
    });
    expect(range((p) => walkRangeWhere('key')('o', link, WHOLE_LINK, p))).toEqual({ sql: '', values: [] });
    expect(range((p) => walkRangeWhere(undefined)('o', link, undefined, p))).toEqual({ sql: '', values: [] });
  });
  it('ctid walk: heap blocks [after, upTo) as tids the planner folds (no InitPlan)', () => {
    expect(range((p) => walkRangeWhere('ctid')('o', link, { after: '10', upTo: '20' }, p))).toEqual({
      sql: ` AND o.ctid >= format('(%s,0)', $1::int8)::tid AND o.ctid < format('(%s,0)', $2::int8)::tid`,
      values: ['10', '20'],
    });
    expect(range((p) => walkRangeWhere('ctid')('o', link, { after: null, upTo: '20' }, p))).toEqual({
      sql: ` AND o.ctid < format('(%s,0)', $1::int8)::tid`,
      values: ['20'],
    });
    expect(range((p) => walkRangeWhere('ctid')('o', link, WHOLE_LINK, p))).toEqual({ sql: '', values: [] });
  });
  it('Citus: a key range as plain typed parameters', () => {
    expect(range((p) => plainRangeWhere('s', link, { after: 'A', upTo: 'B' }, p))).toEqual({
      sql: ` AND s."Order ID" > $1::uuid AND s."Order ID" <= $2::uuid`,
      values: ['A', 'B'],
    });
    expect(range((p) => plainRangeWhere('s', link, { after: 'A', upTo: null }, p))).toEqual({
      sql: ` AND s."Order ID" > $1::uuid`,
      values: ['A'],
    });
    expect(range((p) => plainRangeWhere('s', link, undefined, p))).toEqual({ sql: '', values: [] });
  });
});

describe('walk bound statements (whole text)', () => {
  it("the final sweep's bound: one row until the sweep has run", () => {
    expect(sweepBoundStatement(null, 1234)).toEqual({
      text: `SELECT 'all'::text AS up_to, $1::int8 AS n WHERE $2::text IS NULL`,
      values: [1234, null],
    });
    expect(sweepBoundStatement('all', 1234)).toEqual({
      text: `SELECT 'all'::text AS up_to, $1::int8 AS n WHERE $2::text IS NULL`,
      values: [1234, 'all'],
    });
  });

  it('ctid walk bound: pages blocks after `after` (at least one), stopped at the end block; rows estimated from the density', () => {
    const text = `SELECT x.up_to::text AS up_to, ceil((x.up_to - x.from_) * $2::float8)::int8 AS n
  FROM (SELECT $1::int8 AS from_, least($1::int8 + $3::int8, $4::int8) AS up_to) x
 WHERE x.up_to > x.from_`;
    expect(blockBoundStatement('100', 12.4, 105, 70.5)).toEqual({ text, values: ['100', 70.5, 12, 105] });
    // from block 0; never less than one block per batch
    expect(blockBoundStatement(null, 0.2, 5, 70)).toEqual({ text, values: ['0', 70, 1, 5] });
  });

  it('Citus: rows with a NULL FK per distribution value', () => {
    expect(rowsPerDistributionValueStatement(link, 'Tenant Key')).toEqual({
      text: `SELECT coalesce(count(*)::float8 / nullif(count(DISTINCT s."Tenant Key"), 0), 1) AS r FROM "erp"."Sales Orders" s WHERE s."customer_id" IS NULL`,
      values: [],
    });
  });
});

describe('key ladder (whole text)', () => {
  const keyed = { ...link, key: 'id' };
  it('every step-th key after the checkpoint within the tenant, into an unlogged table with an index', () => {
    expect(applyLadderStatements(keyed, { table: 'fk_backfill.l', step: 1000, after: 'K' }, { tenant: 'T1' })).toEqual([
      { text: 'DROP TABLE IF EXISTS fk_backfill.l', values: [] },
      { text: 'CREATE UNLOGGED TABLE fk_backfill.l (k uuid NOT NULL, n int8 NOT NULL)', values: [] },
      {
        text: `INSERT INTO fk_backfill.l (k, n)
SELECT x.k, x.n FROM (SELECT s."id" AS k, row_number() OVER (ORDER BY s."id") AS n
                        FROM "erp"."Sales Orders" s
                       WHERE true AND s."tenant_id" = $2 AND s."id" > $1::uuid) x
 WHERE x.n % $3::int8 = 0`,
        values: ['K', 'T1', 1000],
      },
      { text: 'CREATE INDEX ON fk_backfill.l (k)', values: [] },
      { text: 'ANALYZE fk_backfill.l', values: [] },
    ]);
    expect(applyLadderStatements(keyed, { table: 'fk_backfill.l', step: 1000, after: null }, { tenant: null })[2]).toEqual({
      text: `INSERT INTO fk_backfill.l (k, n)
SELECT x.k, x.n FROM (SELECT s."id" AS k, row_number() OVER (ORDER BY s."id") AS n
                        FROM "erp"."Sales Orders" s
                       WHERE true) x
 WHERE x.n % $1::int8 = 0`,
      values: [1000],
    });
  });

  it('bounds: below one rung, the live walk of the key alone; else the rung, falling back to the live walk past the last one', () => {
    const live = `SELECT x.k::text AS up_to, x.n::int8 AS n
  FROM (SELECT s."id" AS k, row_number() OVER (ORDER BY s."id") AS n
          FROM "erp"."Sales Orders" s
         WHERE true AND s."tenant_id" = $1 AND s."id" > $2::uuid
         ORDER BY s."id"
         LIMIT $3::int8) x
 ORDER BY x.n DESC
 LIMIT 1`;
    expect(applyLadderBoundStatement(keyed, { table: 'fk_backfill.l', step: 1000 }, 'K', 999, { tenant: 'T1' })).toEqual({
      text: live,
      values: ['T1', 'K', 999],
    });
    expect(applyLadderBoundStatement(keyed, { table: 'fk_backfill.l', step: 1000 }, 'K', 5500, { tenant: 'T1' })).toEqual({
      text: `(SELECT x.k::text AS up_to, (x.n - coalesce((SELECT b.n FROM fk_backfill.l b WHERE b.k <= $4::uuid ORDER BY b.k DESC LIMIT 1), 0))::int8 AS n
   FROM (SELECT l.k, l.n FROM fk_backfill.l l WHERE l.k > $4::uuid ORDER BY l.k LIMIT $5::int8) x
  ORDER BY x.k DESC
  LIMIT 1)
UNION ALL
(${live})
LIMIT 1`,
      values: ['T1', 'K', 5500, 'K', 5],
    });
    // from the start, for a slice ending at H: no base rung, both walks stop at H
    expect(applyLadderBoundStatement(keyed, { table: 'fk_backfill.l', step: 1000 }, null, 5500, { tenant: null }, 'H')).toEqual({
      text: `(SELECT x.k::text AS up_to, (x.n - 0)::int8 AS n
   FROM (SELECT l.k, l.n FROM fk_backfill.l l WHERE l.k <= $3::uuid ORDER BY l.k LIMIT $4::int8) x
  ORDER BY x.k DESC
  LIMIT 1)
UNION ALL
(SELECT x.k::text AS up_to, x.n::int8 AS n
  FROM (SELECT s."id" AS k, row_number() OVER (ORDER BY s."id") AS n
          FROM "erp"."Sales Orders" s
         WHERE true AND s."id" <= $1::uuid
         ORDER BY s."id"
         LIMIT $2::int8) x
 ORDER BY x.n DESC
 LIMIT 1)
LIMIT 1`,
      values: ['H', 5500, 'H', 5],
    });
  });
});
