import { describe, expect, it } from 'vitest';
import {
  activeParseStatement,
  canonicalTenantStatement,
  replicaIdentityMissingStatement,
  rowSecurityHidesStatement,
  rowSecurityOfStatement,
  statusValuesMissingStatement,
  columnRightsStatement,
  columnarPartsStatement,
  sessionRightsStatement,
  tableColumnsStatement,
  tableSpellingsStatement,
  tenantFoundStatement,
  tenantHintStatement,
  uniqueKeysStatement,
  updateTriggersStatement,
  fkChecksStatement,
  fkConstraintsOfColumnStatement,
  deferrableConstraintsStatement,
  unreadableColumnsStatement,
  tableOwnerStatement,
} from '../../../src/sql/context.js';

describe('context statements (whole text)', () => {
  it('finds a table named apart from case, in the schema named apart from case or on the search_path', () => {
    expect(tableSpellingsStatement('ref', 'payers')).toEqual({
      text: `SELECT n.nspname::text AS schema, c.relname::text AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE lower(c.relname) = lower($2) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND (CASE WHEN $1::text IS NULL THEN pg_table_is_visible(c.oid) ELSE lower(n.nspname) = lower($1::text) END)
        ORDER BY n.nspname, c.relname LIMIT 3`,
      values: ['ref', 'payers'],
    });
  });
  it("a table's columns, by its qualified name", () => {
    const st = tableColumnsStatement('"erp"."Sales Orders"');
    expect(st.values).toEqual(['"erp"."Sales Orders"']);
    expect(st.text).toBe(`SELECT c.oid::int8 AS oid, c.relkind::text AS relkind, a.attname::text AS attname,
              format_type(a.atttypid, a.atttypmod) AS type, a.atttypid::int8 AS typeoid,
              a.attgenerated::text AS generated, a.attidentity::text AS identity, a.attnotnull AS not_null,
              (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = c.oid AND d.adnum = a.attnum) AS default_expr,
              format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL) AS base_type,
              CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE format_type(a.atttypid, a.atttypmod) END AS base_full,
              (SELECT NOT co.collisdeterministic FROM pg_collation co WHERE co.oid = a.attcollation) AS nondeterministic,
              (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
                WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation) AS collation,
              (SELECT array_agg(i.inhrelid::regclass::text ORDER BY i.inhrelid::regclass::text) FROM pg_inherits i
                WHERE i.inhparent = c.oid AND c.relkind = 'r') AS children
         FROM pg_class c
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_type t ON t.oid = a.atttypid
        WHERE c.oid = to_regclass($1)`);
  });
  it("a table's unique keys, by oid", () => {
    const st = uniqueKeysStatement(42);
    expect(st.values).toEqual([42]);
    expect(st.text).toBe(`SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols
         FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
          AND k.ord <= i.indnkeyatts
        GROUP BY i.indexrelid, i.indisprimary
        ORDER BY i.indisprimary DESC, count(*), i.indexrelid`);
  });
  it("a table's row triggers of the user's that fire on the columns apply sets, on it and its partitions, by name, BEFORE or not, whether one may set the touched column, raise, set other columns or write a table", () => {
    expect(updateTriggersStatement(42, ['customer_id', 'updated_at'], 'updated_at')).toEqual({
      text: `SELECT g.tgname::text AS name, bool_or(g.tgtype & 2 = 2) AS before,
              bool_or($3::text IS NOT NULL AND (l.lanname NOT IN ('plpgsql', 'sql') OR strpos(lower(f.prosrc), lower($3::text)) > 0
                                                OR strpos(lower(encode(g.tgargs, 'escape')), lower($3::text)) > 0)) AS touches,
              bool_or(l.lanname NOT IN ('plpgsql', 'sql')
                      OR (l.lanname = 'plpgsql' AND f.prosrc ~* '\\mraise\\M(?!\\s+(debug|log|info|notice|warning)\\M)')) AS raises,
              coalesce(max(w.assigns), '{}') AS assigns,
              bool_or(l.lanname NOT IN ('plpgsql', 'sql')
                      OR f.prosrc ~* '(^|;|\\mthen\\M|\\melse\\M|\\mbegin\\M|\\mloop\\M)\\s*(insert|update|delete|merge|execute)\\M') AS writes_tables
         FROM pg_trigger g
         JOIN pg_proc f ON f.oid = g.tgfoid
         JOIN pg_language l ON l.oid = f.prolang
         LEFT JOIN LATERAL (
              SELECT array_agg(DISTINCT x.col ORDER BY x.col) AS assigns
                FROM (SELECT btrim(m[1], '"') AS col
                        FROM regexp_matches(f.prosrc, '(?:;|\\mthen\\M|\\melse\\M|\\mbegin\\M|\\mloop\\M)\\s*new\\s*\\.\\s*("[^"]+"|\\w+)\\s*:?=', 'gi') m) x
               WHERE g.tgtype & 2 = 2 AND l.lanname = 'plpgsql' AND lower(x.col) <> ALL (SELECT lower(c) FROM unnest($2::text[]) c)) w ON true
        WHERE (g.tgrelid = $1::oid OR g.tgrelid IN (SELECT x.relid FROM pg_partition_tree($1::oid) x))
          AND NOT g.tgisinternal AND g.tgenabled <> 'D' AND g.tgtype & 1 = 1 AND g.tgtype & 16 = 16
          AND (cardinality(g.tgattr::int2[]) = 0
               OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = g.tgrelid AND a.attnum = ANY (g.tgattr::int2[]) AND a.attname = ANY ($2::text[])))
        GROUP BY 1
        ORDER BY 1`,
      values: [42, ['customer_id', 'updated_at'], 'updated_at'],
    });
  });
  it('the CHECK constraints over the columns apply sets, with their expressions; none over a system or generated column', () => {
    expect(fkChecksStatement(42, ['customer_id', 'updated_at'])).toEqual({
      text: `SELECT c.conname::text AS name, pg_get_expr(c.conbin, c.conrelid) AS expr,
       ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) ORDER BY a.attnum) AS columns
  FROM pg_constraint c
 WHERE c.conrelid = $1::oid AND c.contype = 'c'
   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) AND a.attname = ANY ($2::text[]))
   AND NOT EXISTS (SELECT 1 FROM unnest(c.conkey) k WHERE k < 0)
   AND NOT EXISTS (SELECT 1 FROM pg_attribute g WHERE g.attrelid = c.conrelid AND g.attnum = ANY (c.conkey) AND g.attgenerated <> '')
 ORDER BY c.conname`,
      values: [42, ['customer_id', 'updated_at']],
    });
  });
  it('session and column rights', () => {
    expect(sessionRightsStatement()).toEqual({
      text: `SELECT current_setting('transaction_read_only') AS ro, current_user::text AS who`,
      values: [],
    });
    expect(columnarPartsStatement(7)).toEqual({
      text: `WITH RECURSIVE t(oid) AS (SELECT $1::oid UNION ALL SELECT i.inhrelid FROM pg_inherits i JOIN t ON i.inhparent = t.oid)
SELECT c.oid::regclass::text AS name FROM t JOIN pg_class c ON c.oid = t.oid JOIN pg_am am ON am.oid = c.relam
 WHERE am.amname = 'columnar' ORDER BY 1`,
      values: [7],
    });
    expect(columnRightsStatement(7, 'customer_id')).toEqual({
      text: `SELECT has_table_privilege($1::oid, 'SELECT') AS sel, has_column_privilege($1::oid, $2::text, 'UPDATE') AS upd`,
      values: [7, 'customer_id'],
    });
  });
  it('a tenant is looked up in source and target, its hint in a bounded sample of the target', () => {
    expect(tenantFoundStatement('"erp"."Sales Orders"', '"customers"', 'tenant id', 'T1')).toEqual({
      text: `SELECT EXISTS (SELECT 1 FROM "erp"."Sales Orders" WHERE "tenant id" = $1) OR EXISTS (SELECT 1 FROM "customers" WHERE "tenant id" = $1) AS found`,
      values: ['T1'],
    });
    const st = tenantHintStatement('"customers"', 'tenant_id', 't1');
    expect(st.values).toEqual(['t1']);
    expect(st.text).toBe(`SELECT x.v, lower(x.v) = lower($1) AS same_ci
         FROM (SELECT DISTINCT y.v FROM (SELECT t."tenant_id"::text AS v FROM "customers" t WHERE t."tenant_id" IS NOT NULL LIMIT 100000) y) x
        ORDER BY lower(x.v) = lower($1) DESC, x.v LIMIT 10`);
  });
  it('an active status predicate is parsed against the master table, never run (AND false)', () => {
    expect(activeParseStatement('"crm"."accounts"', { column: 'state', activeWhen: { notIn: ['closed', "it's"] } })).toEqual({
      text: `SELECT 1 FROM "crm"."accounts" t WHERE (t."state" NOT IN ('closed', 'it''s')) IS NOT FALSE AND false`,
      values: [],
    });
  });
  it("a status predicate's values no master holds, in the config's order, the values one bound array; a join (Citus refuses the correlated NOT EXISTS)", () => {
    expect(statusValuesMissingStatement('"crm"."accounts"', 'State', ['Closed', "it's"])).toEqual({
      text: `SELECT x.v FROM unnest($1::text[]) WITH ORDINALITY AS x(v, i)
  LEFT JOIN (SELECT DISTINCT t."State"::text AS v FROM "crm"."accounts" t WHERE t."State"::text = ANY($1::text[])) h ON h.v = x.v
 WHERE h.v IS NULL
 ORDER BY x.i`,
      values: [['Closed', "it's"]],
    });
  });
  it('the FOREIGN KEYs over the FK column (not the copies for a partitioned target), each with the column it pairs the FK with, and whether it references the target or a partition or parent of it', () => {
    expect(fkConstraintsOfColumnStatement(42, 'customer_id', 7)).toEqual({
      text: `SELECT c.conname::text AS name, c.confrelid::regclass::text AS ref_table, r.attname::text AS ref_column,
       (c.confrelid = $3::oid OR c.confrelid IN (SELECT x.relid FROM pg_partition_ancestors($3::oid) x)
        OR $3::oid IN (SELECT x.relid FROM pg_partition_ancestors(c.confrelid) x)) AS same_table
  FROM pg_constraint c
  JOIN unnest(c.conkey, c.confkey) AS k(src, ref) ON true
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.src
  JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = k.ref
 WHERE c.conrelid = $1::oid AND c.contype = 'f' AND a.attname = $2
   AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.oid = c.conparentid AND p.conrelid = c.conrelid)
 ORDER BY c.conname`,
      values: [42, 'customer_id', 7],
    });
  });
  it('whether this role owns a table, and who does', () => {
    expect(tableOwnerStatement(42)).toEqual({
      text: `SELECT pg_has_role(c.relowner, 'USAGE') AS own, c.relowner::regrole::text AS owner, current_user::text AS me FROM pg_class c WHERE c.oid = $1::oid`,
      values: [42],
    });
  });
  it('the columns of a table the role may not SELECT, in the order asked', () => {
    expect(unreadableColumnsStatement(42, ['id', 'is_active'])).toEqual({
      text: `SELECT c AS col FROM unnest($2::text[]) WITH ORDINALITY AS x(c, i) WHERE NOT has_column_privilege($1::oid, c, 'SELECT') ORDER BY i`,
      values: [42, ['id', 'is_active']],
    });
  });
  it('whether a table has DEFERRABLE constraints', () => {
    expect(deferrableConstraintsStatement(42)).toEqual({
      text: `SELECT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = $1::oid AND c.condeferrable) AS any`,
      values: [42],
    });
  });
  it('a tenant as its type spells it, the value bound', () => {
    expect(canonicalTenantStatement('integer', '01')).toEqual({ text: 'SELECT ($1::integer)::text AS v', values: ['01'] });
  });
  it("what row-level security leaves this role of a table: any row (of the tenant), the catalog's rows and bytes of the table or its leaf partitions, the settings its policies read that this session has not set", () => {
    const catalog = `
       ARRAY(SELECT DISTINCT m[1] FROM pg_policy y
               CROSS JOIN LATERAL regexp_matches(concat_ws(' ', pg_get_expr(y.polqual, y.polrelid), pg_get_expr(y.polwithcheck, y.polrelid)), 'current_setting\\(''([A-Za-z0-9_.]+)''', 'g') m
              WHERE y.polrelid = $1::oid AND coalesce(current_setting(m[1], true), '') = ''
              ORDER BY 1) AS unset
  FROM (SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::int8 AS estimate, coalesce(sum(pg_relation_size(c.oid)), 0)::int8 AS bytes
          FROM pg_class c
         WHERE c.oid IN (SELECT p.relid FROM pg_partition_tree($1::regclass) p WHERE p.isleaf) OR (c.oid = $1::oid AND c.relkind <> 'p')) l`;
    expect(rowSecurityHidesStatement(16384, '"Ops Büro"."Vendor Master"', { column: 'tenant id', tenant: 'T1' })).toEqual({
      text: `SELECT EXISTS (SELECT 1 FROM "Ops Büro"."Vendor Master" t WHERE t."tenant id" = $2) AS seen, l.estimate::text AS estimate, l.bytes::text AS bytes,${catalog}`,
      values: [16384, 'T1'],
    });
    expect(rowSecurityHidesStatement(16384, 'orders')).toEqual({
      text: `SELECT EXISTS (SELECT 1 FROM orders t) AS seen, l.estimate::text AS estimate, l.bytes::text AS bytes,${catalog}`,
      values: [16384],
    });
  });
  it('the parts of a table a publication of UPDATEs covers without a replica identity, with a unique index REPLICA IDENTITY USING INDEX takes', () => {
    expect(replicaIdentityMissingStatement(16384)).toEqual({
      text: `SELECT format('%I.%I', n.nspname, c.relname) AS part, array_agg(DISTINCT p.pubname::text ORDER BY p.pubname::text) AS pubs,
       (SELECT ic.relname::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
           AND NOT EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid AND t.attnum = ANY (i.indkey) AND NOT t.attnotnull)
         ORDER BY ic.relname LIMIT 1) AS index
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (SELECT a.relid FROM pg_partition_ancestors(c.oid) a UNION SELECT c.oid) a
  JOIN pg_class ac ON ac.oid = a.relid
  JOIN pg_namespace an ON an.oid = ac.relnamespace
  JOIN pg_publication_tables pt ON pt.schemaname = an.nspname AND pt.tablename = ac.relname
  JOIN pg_publication p ON p.pubname = pt.pubname AND p.pubupdate
 WHERE (c.oid IN (SELECT t.relid FROM pg_partition_tree($1::regclass) t WHERE t.isleaf) OR (c.oid = $1::oid AND c.relkind <> 'p'))
   AND CASE c.relreplident
         WHEN 'n' THEN true
         WHEN 'd' THEN NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
         WHEN 'i' THEN NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)
         ELSE false END
 GROUP BY c.oid, n.nspname, c.relname
 ORDER BY 1`,
      values: [16384],
    });
  });
  it('row-level security on a table for this role: active, forced on its owner, and owned by this role', () => {
    expect(rowSecurityOfStatement(16384)).toEqual({
      text: `SELECT row_security_active(c.oid) AS rls, c.relforcerowsecurity AS forced, pg_has_role(c.relowner, 'USAGE') AS owner FROM pg_class c WHERE c.oid = $1::oid`,
      values: [16384],
    });
  });
});
