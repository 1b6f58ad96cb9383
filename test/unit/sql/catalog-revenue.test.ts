import { describe, expect, it } from 'vitest';
import { revenueStatement, revenueTotalsStatement } from '../../../src/sql/catalog-revenue.js';
import type { LinkShape } from '../../../src/sql/link.js';

/** A composite row key, two scope columns (the second compared by its text form too), an amount column. */
const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"crm"."Customers"',
  key: 'id',
  keys: ['id', 'line no'],
  keyTypes: ['uuid', 'int4'],
  fk: 'customer_id',
  name: 'customer name',
  amount: 'Total Amount',
  targetKey: 'id',
  targetName: 'Name',
  scope: ['tenant id', 'branch'],
  scopeLoose: [false, true],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: null,
};

describe('revenue statements (whole text)', () => {
  it('per master (its key within its scope: keys numbered per tenant repeat): documents and amount by FK and by a name join, both within the scope; the tenant filter on masters and documents, the limit bound', () => {
    expect(revenueStatement(link, { tenant: 'T1' }, 25)).toEqual({
      text: `WITH m AS (
  SELECT t."id" AS k, t."Name" AS mname, t."tenant id", t."branch"
    FROM "crm"."Customers" t WHERE true AND t."tenant id" = $1
), d AS (
  SELECT ARRAY[s."id"::text, s."line no"::text]::text AS dk, s."customer_id" AS fk, s."customer name" AS dname, s."Total Amount"::numeric AS amt, s."tenant id", s."branch"
    FROM "erp"."Sales Orders" s WHERE true AND s."tenant id" = $2
), nm AS (
  SELECT m.k, m."tenant id", m."branch", d.dk, d.fk, d.amt, count(*) OVER (PARTITION BY d.dk) AS hits
    FROM m JOIN d ON d.dname = m.mname AND d."tenant id" = m."tenant id" AND d."branch"::text COLLATE "C" = m."branch"::text COLLATE "C"
), by_fk AS (
  SELECT m.k, m."tenant id", m."branch", count(*) AS n, sum(d.amt) AS amt,
         count(*) FILTER (WHERE d.dname IS DISTINCT FROM m.mname) AS missed_n,
         sum(d.amt) FILTER (WHERE d.dname IS DISTINCT FROM m.mname) AS missed_amt
    FROM m JOIN d ON d.fk = m.k AND d."tenant id" = m."tenant id" AND d."branch"::text COLLATE "C" = m."branch"::text COLLATE "C"
   GROUP BY m.k, m."tenant id", m."branch"
), by_name AS (
  SELECT nm.k, nm."tenant id", nm."branch", count(*) AS n, sum(nm.amt) AS amt,
         count(*) FILTER (WHERE nm.hits > 1 OR (nm.fk IS NOT NULL AND nm.fk <> nm.k)) AS wrong_n,
         sum(nm.amt) FILTER (WHERE nm.hits > 1 OR (nm.fk IS NOT NULL AND nm.fk <> nm.k)) AS wrong_amt
    FROM nm GROUP BY nm.k, nm."tenant id", nm."branch"
), r AS (
  SELECT ARRAY[m."tenant id"::text, m."branch"::text COLLATE "C"]::text[] AS scope_key, m.k::text AS key, m.mname AS name,
         coalesce(f.n, 0)::int8 AS fk_docs, coalesce(f.amt, 0)::numeric AS fk_amount,
         coalesce(b.n, 0)::int8 AS name_docs, coalesce(b.amt, 0)::numeric AS name_amount,
         coalesce(f.missed_n, 0)::int8 AS missed_docs, coalesce(f.missed_amt, 0)::numeric AS missed_amount,
         coalesce(b.wrong_n, 0)::int8 AS wrong_docs, coalesce(b.wrong_amt, 0)::numeric AS wrong_amount
    FROM m LEFT JOIN by_fk f ON f.k = m.k AND f."tenant id" IS NOT DISTINCT FROM m."tenant id" AND f."branch" IS NOT DISTINCT FROM m."branch" LEFT JOIN by_name b ON b.k = m.k AND b."tenant id" IS NOT DISTINCT FROM m."tenant id" AND b."branch" IS NOT DISTINCT FROM m."branch"
   WHERE f.n IS NOT NULL OR b.n IS NOT NULL
)
SELECT r.scope_key, r.key, r.name, r.fk_docs, r.fk_amount::text AS fk_amount, r.name_docs, r.name_amount::text AS name_amount,
       r.missed_docs, r.missed_amount::text AS missed_amount, r.wrong_docs, r.wrong_amount::text AS wrong_amount,
       count(*) OVER ()::int8 AS masters,
       (sum(r.name_docs) OVER ())::int8 AS total_name_docs, (sum(r.name_amount) OVER ())::text AS total_name_amount,
       (sum(r.missed_docs) OVER ())::int8 AS total_missed_docs, (sum(r.missed_amount) OVER ())::text AS total_missed_amount,
       (sum(r.wrong_docs) OVER ())::int8 AS total_wrong_docs, (sum(r.wrong_amount) OVER ())::text AS total_wrong_amount
  FROM r
 ORDER BY abs(r.fk_docs - r.name_docs) + r.missed_docs + r.wrong_docs DESC, r.fk_amount DESC, r.name, r.key
 LIMIT $3`,
      values: ['T1', 'T1', 25],
    });
  });
  it('totals of an unscoped link without an amount column: every row, no tenant filter to add, NULL amounts', () => {
    expect(
      revenueTotalsStatement({ ...link, scope: [], scopeLoose: undefined, amount: undefined, keys: undefined }, { tenant: 'T1' }),
    ).toEqual({
      text: `WITH m AS (
  SELECT t."id" AS k, t."Name" AS mname
    FROM "crm"."Customers" t WHERE true
), d AS (
  SELECT s."id"::text AS dk, s."customer_id" AS fk, s."customer name" AS dname, NULL::numeric AS amt
    FROM "erp"."Sales Orders" s WHERE true
)
SELECT count(*)::int8 AS docs, coalesce(sum(d.amt), 0)::text AS amount,
       count(*) FILTER (WHERE d.fkb_via_fk)::int8 AS linked_docs,
       coalesce(sum(d.amt) FILTER (WHERE d.fkb_via_fk), 0)::text AS linked_amount,
       count(*) FILTER (WHERE d.fk IS NULL)::int8 AS unlinked_docs,
       coalesce(sum(d.amt) FILTER (WHERE d.fk IS NULL), 0)::text AS unlinked_amount,
       count(*) FILTER (WHERE d.fk IS NOT NULL AND NOT d.fkb_via_fk)::int8 AS dangling_docs,
       coalesce(sum(d.amt) FILTER (WHERE d.fk IS NOT NULL AND NOT d.fkb_via_fk), 0)::text AS dangling_amount,
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.mname = d.dname))::int8 AS no_name_match_docs
  FROM (SELECT d.*, EXISTS (SELECT 1 FROM m WHERE m.k = d.fk) AS fkb_via_fk FROM d) d`,
      values: [],
    });
  });
  it('totals of the scoped link for one tenant: linked = an FK to a master of the same scope (else dangling), the name match within the scope', () => {
    expect(revenueTotalsStatement(link, { tenant: 'T1' })).toEqual({
      text: `WITH m AS (
  SELECT t."id" AS k, t."Name" AS mname, t."tenant id", t."branch"
    FROM "crm"."Customers" t WHERE true AND t."tenant id" = $1
), d AS (
  SELECT ARRAY[s."id"::text, s."line no"::text]::text AS dk, s."customer_id" AS fk, s."customer name" AS dname, s."Total Amount"::numeric AS amt, s."tenant id", s."branch"
    FROM "erp"."Sales Orders" s WHERE true AND s."tenant id" = $2
)
SELECT count(*)::int8 AS docs, coalesce(sum(d.amt), 0)::text AS amount,
       count(*) FILTER (WHERE d.fkb_via_fk)::int8 AS linked_docs,
       coalesce(sum(d.amt) FILTER (WHERE d.fkb_via_fk), 0)::text AS linked_amount,
       count(*) FILTER (WHERE d.fk IS NULL)::int8 AS unlinked_docs,
       coalesce(sum(d.amt) FILTER (WHERE d.fk IS NULL), 0)::text AS unlinked_amount,
       count(*) FILTER (WHERE d.fk IS NOT NULL AND NOT d.fkb_via_fk)::int8 AS dangling_docs,
       coalesce(sum(d.amt) FILTER (WHERE d.fk IS NOT NULL AND NOT d.fkb_via_fk), 0)::text AS dangling_amount,
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.mname = d.dname AND d."tenant id" = m."tenant id" AND d."branch"::text COLLATE "C" = m."branch"::text COLLATE "C"))::int8 AS no_name_match_docs
  FROM (SELECT d.*, EXISTS (SELECT 1 FROM m WHERE m.k = d.fk AND d."tenant id" = m."tenant id" AND d."branch"::text COLLATE "C" = m."branch"::text COLLATE "C") AS fkb_via_fk FROM d) d`,
      values: ['T1', 'T1'],
    });
  });

  it("documents the link's own active leaves out are not counted", () => {
    const base = revenueTotalsStatement(link, { tenant: 'T1' });
    const st = revenueTotalsStatement({ ...link, sourceActive: { column: 'voided', activeWhen: false } }, { tenant: 'T1' });
    const expected = base.text.replace(
      'FROM "erp"."Sales Orders" s WHERE true',
      'FROM "erp"."Sales Orders" s WHERE true AND s."voided" IS FALSE',
    );
    expect(expected).not.toBe(base.text);
    expect(st).toEqual({ text: expected, values: base.values });
  });
});
