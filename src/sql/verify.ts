/**
 * Verify: the integrity of a link's FKs (NULL, orphaned, across scopes) in one pass.
 */
import { activeExpr } from './active.js';
import { ident } from './quote.js';
import { BLANK_NAME_RE } from './plan.js';
import {
  type LinkShape,
  loose,
  notActiveCount,
  Params,
  type ScopeFilter,
  scopeJoin,
  scopeWhere,
  sourceActiveWhere,
  type Statement,
  textForm,
  masterScopeJoin,
  masterScopeWhere,
  onMaster,
  targetScope,
} from './link.js';

/**
 * NULL FKs (and of them, those of rows without a name: NULL or blank, or of no scope: nothing to link them by), FK values pointing nowhere, to a master of another scope only, to a master the active
 * predicate excludes. Each row is joined to its master by the whole key, scope included (the link's
 * scope columns, all on the master too): masters keyed by (tenant_id, id) repeat ids across tenants, and
 * a join on the id alone counted every row once per tenant holding that id and called its link
 * cross-tenant. Both joins read masters grouped by what they join on (a master table without a unique
 * key cannot multiply rows either) and hash on plain equalities (key and scope), no per-row query. A row
 * whose scope value is NULL belongs to no tenant: its FK is an orphan only when no master has the key
 * (as a composite FK, MATCH SIMPLE, checks nothing for it).
 */
export function integrityStatement(
  link: LinkShape,
  f: ScopeFilter,
): Statement<{
  total: unknown;
  null_fks: unknown;
  null_fks_no_name: unknown;
  null_fks_self: unknown;
  null_fks_no_scope: unknown;
  /** With the link's own `active`: NULL-FK rows left out as not active (the other null_fks counts are of active rows). */
  not_active?: unknown;
  linked?: unknown;
  orphans: unknown;
  cross_scope: unknown;
  unresolved: unknown;
  inactive_targets: unknown;
}> {
  const p = new Params();
  const fk = ident(link.fk);
  const tk = ident(link.targetKey);
  const scoped = link.scope.length > 0;
  const scopeCols = link.scope.map(ident);
  // the row's own master: same key, same scope (of the tenant's masters only; a loose scope value grouped
  // and compared by its text form too, so 'ACME' and 'acme' stay two scopes)
  const same = sameScopeJoin(link, f, p);
  // any master with that key, whatever its scope (so not filtered by the tenant): tells an orphan from a link to another
  // tenant. Under --tenant not read here: only the FKs no master of the tenant has need it (crossScopeStatement)
  const split = scoped && f.tenant !== null;
  const any =
    scoped && !split
      ? `
  LEFT JOIN (SELECT DISTINCT t.${tk} AS k FROM ${link.targetSql} t) o ON o.k = s.${fk}`
      : '';
  const scopeSet = scopeCols.map((c) => ` AND s.${c} IS NOT NULL`).join('');
  const noName = `(s.${ident(link.name)} IS NULL OR s.${ident(link.name)}::text COLLATE "C" ~ ${p.add(BLANK_NAME_RE)})`;
  const self = `s.${ident(link.name)} = s.${ident(link.targetName)}`;
  // a named row of no tenant (a scope column NULL): no master to link it to, as plan says (issue: a trial's verify
  // counted 845 such invoices as work left, exit 3 for ever)
  const noScope = scopeCols.map((c) => `s.${c} IS NULL`).join(' OR ');
  // NULL FKs of rows that count: an inactive source row (the link's own `active`) is counted apart, never as work left
  const nul = `s.${fk} IS NULL${sourceActiveWhere('s', link)}`;
  const text = `SELECT count(*)::int8 AS total,
       count(*) FILTER (WHERE ${nul})::int8 AS null_fks,
       count(*) FILTER (WHERE ${nul} AND ${noName})::int8 AS null_fks_no_name,
       ${link.selfTable === true ? `count(*) FILTER (WHERE ${nul} AND NOT ${noName} AND ${self})::int8` : '0::int8'} AS null_fks_self,
       ${scoped ? `count(*) FILTER (WHERE ${nul} AND NOT ${noName} AND (${noScope})${link.selfTable === true ? ` AND NOT coalesce(${self}, false)` : ''})::int8` : '0::int8'} AS null_fks_no_scope${notActiveCount('s', link)},
       ${split ? 'NULL::int8' : `count(*) FILTER (WHERE s.${fk} IS NOT NULL AND ${scoped ? 'o.k' : 't.k'} IS NULL)::int8`} AS orphans,
       ${scoped && !split ? `count(*) FILTER (WHERE s.${fk} IS NOT NULL AND t.k IS NULL AND o.k IS NOT NULL${scopeSet})::int8` : split ? 'NULL::int8' : '0::int8'} AS cross_scope,
       count(*) FILTER (WHERE s.${fk} IS NOT NULL AND t.k IS NULL)::int8 AS unresolved,
       count(*) FILTER (WHERE t.k IS NOT NULL AND NOT t.active)::int8 AS inactive_targets
  FROM ${link.sourceSql} s
  ${same}${any}
 WHERE true${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}

/**
 * `LEFT JOIN (…) t ON …`: each row's own master, same key and scope, of the filter's masters only, grouped by what it
 * joins on (a loose scope value grouped and compared by its text form too, so 'ACME' and 'acme' stay two scopes).
 */
function sameScopeJoin(link: LinkShape, f: ScopeFilter, p: Params): string {
  const tk = ident(link.targetKey);
  const scopeCols = targetScope(link).map(ident);
  const groupBy = ['1', ...scopeCols.map((c, i) => (loose(link, i) ? `${i + 2}, ${textForm(`t.${c}`)}` : String(i + 2)))].join(', ');
  return `LEFT JOIN (SELECT t.${tk} AS k${scopeCols.map((c) => `, t.${c}`).join('')}, bool_or(${activeExpr('t', link.active)}) AS active
                FROM ${link.targetSql} t WHERE true${masterScopeWhere('t', link, f, p)} GROUP BY ${groupBy}) t
    ON t.k = s.${ident(link.fk)}${masterScopeJoin('t', 's', link)}`;
}

/**
 * Under `--tenant` (integrityStatement's `unresolved` > 0): of the tenant's rows whose FK no master of the tenant has,
 * those pointing to a master of another tenant (`cross_scope`; every scope column set) and those pointing to no master
 * at all (`orphans`). Only the masters holding those FK values are read, whatever their tenant (on Citus a multi-shard
 * read, made only when such rows exist); before, every tenant's masters were read for every `verify --tenant`.
 */
export function crossScopeStatement(link: LinkShape, f: ScopeFilter): Statement<{ orphans: unknown; cross_scope: unknown }> {
  const p = new Params();
  const fk = ident(link.fk);
  const tk = ident(link.targetKey);
  const scopeSet = link.scope.map((c) => `s.${ident(c)} IS NOT NULL`).join(' AND ');
  const text = `WITH u AS MATERIALIZED (
  SELECT s.${fk} AS fk, ${scopeSet === '' ? 'true' : scopeSet} AS scoped
    FROM ${link.sourceSql} s
  ${sameScopeJoin(link, f, p)}
   WHERE s.${fk} IS NOT NULL AND t.k IS NULL${scopeWhere('s', link, f, p)}
)
SELECT count(*) FILTER (WHERE o.k IS NULL)::int8 AS orphans, count(*) FILTER (WHERE o.k IS NOT NULL AND u.scoped)::int8 AS cross_scope
  FROM u LEFT JOIN (SELECT DISTINCT t.${tk} AS k FROM ${link.targetSql} t WHERE t.${tk} IN (SELECT u.fk FROM u)) o ON o.k = u.fk`;
  return { text, values: p.values };
}

/** The FK constraints from a table's column to the target, validated and widest first (`sourceOid`, `targetOid`: pg_class oids). */
export function constraintStatement(
  sourceOid: number,
  targetOid: number,
  fk: string,
): Statement<{ name: string; deltype: string; validated: boolean; columns: string[] }> {
  const text = `SELECT c.conname::text AS name, c.confdeltype::text AS deltype, c.convalidated AS validated,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.conrelid = $1::oid AND c.confrelid = $2::oid
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) AND a.attname = $3)
      ORDER BY c.convalidated DESC, array_length(c.conkey, 1) DESC, c.conname`;
  return { text, values: [sourceOid, targetOid, fk] };
}

/**
 * Deletes one master a row of the scope references, by its whole key, scope included (masters keyed by
 * (tenant_id, id) repeat ids): verify runs it in a transaction it always rolls back, to see whether the
 * database refuses.
 */
export function deleteReferencedStatement(s: LinkShape, f: ScopeFilter): Statement {
  const p = new Params();
  const text = `DELETE FROM ${s.targetSql} t
 USING (SELECT s.${ident(s.fk)} AS fk${s.scope.map((c) => `, s.${ident(c)}`).join('')}
          FROM ${s.sourceSql} s
         WHERE s.${ident(s.fk)} IS NOT NULL${scopeWhere('s', s, f, p)}
           AND EXISTS (SELECT 1 FROM ${s.targetSql} m WHERE m.${ident(s.targetKey)} = s.${ident(s.fk)}${scopeJoin('m', 's', s, 'a')})
         LIMIT 1) x
 WHERE t.${ident(s.targetKey)} = x.fk${scopeJoin('t', 'x', s, 'a')}${scopeWhere('t', onMaster(s), f, p)}`;
  return { text, values: p.values };
}

/** How far cyclesStatement follows a chain of parents (a longer cycle is not found). */
export const CYCLE_DEPTH = 64;

/**
 * A hierarchy (the source is the master table: parent_id from parent_name): the rows from which following the FK
 * comes back to the row itself within CYCLE_DEPTH steps (A's parent B, B's parent A), in the scope. One recursive
 * statement, each step a join on the key and the scope columns (tenant-keyed masters repeat keys across tenants),
 * started only from rows that are some row's parent too (a leaf, most rows of a tree, is in no cycle).
 */
export function cyclesStatement(link: LinkShape, f: ScopeFilter): Statement<{ rows: unknown }> {
  const p = new Params();
  const fk = ident(link.fk);
  const tk = ident(link.targetKey);
  const sc = link.scope.map((c, i) => ({ col: ident(c), as: `fkb_scope_${i + 1}` }));
  const text = `WITH RECURSIVE w AS (
  SELECT s.${tk} AS start, s.${fk} AS cur${sc.map((c) => `, s.${c.col} AS ${c.as}`).join('')}, 1 AS depth
    FROM ${link.sourceSql} s
   WHERE s.${fk} IS NOT NULL${scopeWhere('s', link, f, p)}
     AND EXISTS (SELECT 1 FROM ${link.sourceSql} c WHERE c.${fk} = s.${tk}${sc.map((c) => ` AND c.${c.col} = s.${c.col}`).join('')})
  UNION ALL
  SELECT w.start, p.${fk}${sc.map((c) => `, w.${c.as}`).join('')}, w.depth + 1
    FROM w JOIN ${link.sourceSql} p ON p.${tk} = w.cur${sc.map((c) => ` AND p.${c.col} = w.${c.as}`).join('')}
   WHERE p.${fk} IS NOT NULL AND w.cur <> w.start AND w.depth < ${CYCLE_DEPTH}
)
SELECT count(*)::int8 AS rows FROM w WHERE w.cur = w.start`;
  return { text, values: p.values };
}
