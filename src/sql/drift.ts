/**
 * SQL of `drift` (issue #20): linked rows whose master changed under them, and names no plan has seen. Pure builders.
 */
import { ident } from './quote.js';
import { activeCond } from './guard.js';
import {
  activeWhere,
  entryName,
  FOLD_PATTERN,
  foldedName,
  type LinkShape,
  masterNameAsSource,
  OWN,
  Params,
  type ScopeFilter,
  scopeJoin,
  scopeKeyExpr,
  scopeWhere,
  type Statement,
  sourceActiveWhere,
  masterEntryScopeJoin,
  masterScopeJoin,
  masterScopeKeyEq,
  masterScopeWhere,
  onMaster,
  targetScope,
} from './link.js';

/** fk_backfill's tables, or empty stand-ins where the schema does not exist (drift only reads). */
function own(store: boolean): { aliases: string; entries: string; runs: string } {
  return store
    ? { aliases: 'fk_backfill.aliases', entries: 'fk_backfill.plan_entries', runs: 'fk_backfill.runs' }
    : {
        aliases:
          '(SELECT NULL::text AS link, NULL::text[] AS scope_key, NULL::text AS source_name, NULL::text AS origin, NULL::text AS target_key WHERE false)',
        entries:
          '(SELECT NULL::int8 AS run_id, NULL::text AS link, NULL::text[] AS scope_key, NULL::text AS source_name, NULL::text AS outcome, NULL::text AS target_key, NULL::text AS target_name WHERE false)',
        runs: '(SELECT NULL::int8 AS id, NULL::text AS kind, NULL::text AS status, NULL::int8 AS plan_run_id, NULL::int8 AS target_run_id WHERE false)',
      };
}

/** How a linked row drifted from its master (see driftLinkedStatement). */
export type DriftKind = 'renamed' | 'inactive' | 'missing' | 'otherScope' | 'duplicated';

/** A group of drifted linked rows: one scope, document name and master. */
export interface DriftLinkedRow {
  kind: DriftKind;
  scope_key: (string | null)[];
  /** NULL: the row has no name (its FK set otherwise); such a row is never 'renamed', nothing to compare. */
  source_name: string | null;
  target_key: string;
  master_name: string | null;
  /** An applied run (done, not undone) linked this name to this master: the master's name its plan recorded. */
  applied: boolean;
  recorded_name: string | null;
  row_count: unknown;
  /** 'duplicated': the names of the active masters its name was grouped with (the master's own among them). */
  dup_names: string[] | null;
}

/**
 * Drift of the linked rows of one link, grouped by (scope, document name, master): rows whose master is
 * gone ('missing'), of another scope ('otherScope': a cross-tenant FK), inactive ('inactive'), whose name another
 * active master of its scope has too ('duplicated': a duplicate master created since, so the name is one two active
 * masters share, which no plan links), or whose name differs from the master's ('renamed': compared
 * on the columns' own types, as the exact plan compares them). A name the decision in force links to that very master
 * (its 'decision' alias: the latest unrevoked decision) is neither renamed nor duplicated: deciding is what the
 * duplicate asks for, as apply --plan's namesake check reads it. The caller re-scores 'renamed' groups of non-exact links.
 */
export function driftLinkedStatement(
  link: LinkShape,
  linkName: string,
  f: ScopeFilter,
  store = true,
  variants = false,
): Statement<DriftLinkedRow> {
  const p = new Params();
  const o = own(store);
  const ln = p.add(linkName);
  const tk = `t.${ident(link.targetKey)}`;
  const sname = `s.${ident(link.name)}`;
  // a master of another scope with the row's FK: a cross-tenant link, told only where a key names one master in every
  // scope (with keys that repeat across tenants, (tenant_id, id), a key found elsewhere is no evidence). Any master with
  // that key, whatever its scope, as verify's crossScope reads it: a join, which Citus runs too (a correlated lookup it
  // does not; every such link was called missing there, a reference master's too: a Citus trial)
  const otherScope = link.scope.length > 0 && link.targetKeyAlone === true;
  // the active masters' names two or more of them have, per scope (one hash aggregate of the masters); `variants` (a
  // normalised or fuzzy link): names equal in their letters and digits ('ACME Industries' beside 'Acme Industries'), as
  // apply --plan's namesake check reads them
  const dupCols = targetScope(link)
    .map((c) => `m.${ident(c)}, `)
    .join('');
  const pattern = variants ? p.add(FOLD_PATTERN) : '';
  const dupName = (x: string): string => (variants ? foldedName(x, pattern) : x);
  const text = `WITH r AS (
  SELECT ${scopeKeyExpr('s', link)} AS scope_key, ${sname}::text AS source_name, s.${ident(link.fk)}::text AS target_key,
         ${tk}::text AS master_key, t.${ident(link.targetName)}::text AS master_name,
         CASE WHEN ${tk} IS NULL THEN ${otherScope ? `CASE WHEN o.k IS NOT NULL THEN 'otherScope' ELSE 'missing' END` : `'missing'`}
              WHEN NOT (${activeCond('t', link)}) THEN 'inactive'
              WHEN d.fkb_name IS NOT NULL THEN 'duplicated'
              WHEN (btrim(${sname}::text) = '') IS NOT FALSE THEN NULL
              WHEN ${masterNameAsSource(link, `t.${ident(link.targetName)}`)} = ${sname} THEN NULL
              ELSE 'renamed' END AS kind,
         d.fkb_names AS dup_names
    FROM ${link.sourceSql} s
    LEFT JOIN ${link.targetSql} t ON ${tk} = s.${ident(link.fk)}${masterScopeJoin('t', 's', link)}${
      otherScope
        ? `
    LEFT JOIN (SELECT DISTINCT x.${ident(link.targetKey)} AS k FROM ${link.targetSql} x) o ON o.k = s.${ident(link.fk)}`
        : ''
    }
    LEFT JOIN (SELECT ${dupCols}${dupName(`m.${ident(link.targetName)}`)} AS fkb_name, array_agg(m.${ident(link.targetName)}::text) AS fkb_names FROM ${link.targetSql} m
                WHERE true${activeWhere('m', link)}${masterScopeWhere('m', link, f, p)}
                GROUP BY ${dupCols}${dupName(`m.${ident(link.targetName)}`)} HAVING count(*) > 1) d
      ON d.fkb_name = ${dupName(`t.${ident(link.targetName)}`)}${scopeJoin('d', 't', onMaster(link))}
   WHERE s.${ident(link.fk)} IS NOT NULL${scopeWhere('s', link, f, p)}
), g AS (
  SELECT r.kind, r.scope_key, r.source_name, r.target_key, r.master_name, r.dup_names, count(*)::int8 AS row_count
    FROM r
   WHERE r.kind IS NOT NULL
     AND NOT (r.kind IN ('renamed', 'duplicated') AND EXISTS (
           SELECT 1 FROM ${o.aliases} a
            WHERE a.link = ${ln} AND md5(a.source_name) = md5(r.source_name) AND a.scope_key = r.scope_key
              AND a.source_name = r.source_name AND a.origin = 'decision' AND a.target_key = r.target_key))
   GROUP BY 1, 2, 3, 4, 5, 6
), pe AS (
  -- what applied runs (done, not undone) linked, and the master's name their plans recorded (the latest run's)
  SELECT DISTINCT ON (e.scope_key, e.source_name, e.target_key) e.scope_key, e.source_name, e.target_key, e.target_name
    FROM ${o.entries} e
    JOIN ${o.runs} a ON a.plan_run_id = e.run_id AND a.kind = 'apply' AND a.status = 'done'
   WHERE e.link = ${ln} AND e.outcome = 'linked'
     AND NOT EXISTS (SELECT 1 FROM ${o.runs} u WHERE u.kind = 'undo' AND u.status = 'done' AND u.target_run_id = a.id)
     AND (e.scope_key, e.source_name) IN (SELECT g.scope_key, g.source_name FROM g WHERE g.kind = 'renamed')
   ORDER BY e.scope_key, e.source_name, e.target_key, a.id DESC
)
SELECT g.kind, g.scope_key, g.source_name, g.target_key, g.master_name, pe.target_key IS NOT NULL AS applied, pe.target_name AS recorded_name, g.row_count,
       g.dup_names
  FROM g
  LEFT JOIN pe ON g.kind = 'renamed' AND pe.scope_key = g.scope_key AND pe.source_name = g.source_name AND pe.target_key = g.target_key
 ORDER BY g.row_count DESC, 1, 3, 2`;
  return { text, values: p.values };
}

/** A name no plan has seen, with its rows and the totals over all such names (window). */
export interface DriftNewNameRow {
  scope_key: (string | null)[];
  source_name: string;
  row_count: unknown;
  names_total: unknown;
  rows_total: unknown;
}

/**
 * Names of NULL-FK rows that no finished plan of this link has seen (no plan entry for the scope and
 * name) and that nothing would link now: no single active master of that exact name in the scope, no
 * live alias or decision. Grouped by (scope, name) with row counts.
 */
export function driftNewNamesStatement(
  link: LinkShape,
  linkName: string,
  f: ScopeFilter,
  limit: number,
  store = true,
): Statement<DriftNewNameRow> {
  const p = new Params();
  const o = own(store);
  const ln = p.add(linkName);
  const sname = `s.${ident(link.name)}`;
  const text = `WITH n AS (
  SELECT ${scopeKeyExpr('s', link)} AS scope_key, ${link.scope.map((c, i) => `s.${ident(c)} AS fkb_scope_${i + 1}, `).join('')}${sname} AS name, count(*)::int8 AS row_count
    FROM ${link.sourceSql} s
   WHERE s.${ident(link.fk)} IS NULL AND ${sname} IS NOT NULL${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}
   GROUP BY ${['1', ...link.scope.map((_, i) => `${i + 2}`), `${link.scope.length + 2}`].join(', ')}
)
-- active masters of each name's exact name in its scope, counted by a join and a GROUP BY (not a correlated
-- subquery per name: Citus cannot run one against a distributed master)
, m AS (
  SELECT n.scope_key, n.name, count(*)::int8 AS masters
    FROM n
    JOIN ${link.targetSql} t ON ${masterNameAsSource(link, `t.${ident(link.targetName)}`)} = n.name${masterEntryScopeJoin('t', link, 'n')} AND ${activeCond('t', link)}${masterScopeWhere('t', link, f, p)}
   GROUP BY n.scope_key, n.name
)
SELECT n.scope_key, n.name::text AS source_name, n.row_count,
       count(*) OVER ()::int8 AS names_total, sum(n.row_count) OVER ()::int8 AS rows_total
  FROM n
  LEFT JOIN m ON m.scope_key = n.scope_key AND m.name = n.name
 WHERE NOT EXISTS (SELECT 1 FROM ${o.entries} e JOIN ${o.runs} r ON r.id = e.run_id AND r.kind = 'plan' AND r.status = 'done'
                    WHERE e.link = ${ln} AND e.scope_key = n.scope_key AND ${entryName(link, 'e')} = n.name)
   AND NOT EXISTS (SELECT 1 FROM ${o.aliases} a
                    WHERE a.link = ${ln} AND ${
                      link.nameLoose === true
                        ? `a.scope_key = n.scope_key AND ${entryName(link, 'a')} = n.name`
                        : `md5(a.source_name) = md5(n.name::text) AND a.scope_key = n.scope_key
                      AND a.source_name = n.name::text`
                    })
   AND coalesce(m.masters, 0) <> 1
 ORDER BY n.row_count DESC, 2, 1
 LIMIT ${p.add(Math.max(1, limit))}::int8`;
  return { text, values: p.values };
}

/** A decision in force whose master is gone or inactive, with the NULL-FK rows of its name. */
export interface DriftDecisionRow {
  kind: 'missing' | 'inactive';
  scope_key: (string | null)[];
  source_name: string;
  target_key: string;
  master_name: string | null;
  row_count: unknown;
}

/**
 * Decisions in force (a person's alias: the latest unrevoked decision of a name) whose master no longer exists in the
 * name's scope ('missing': merged into another and deleted) or is inactive: no plan or guard links the name any more
 * (a plan sends it to review, the guard leaves its rows NULL, "decision target unavailable"), though one active master
 * may now be the right one. With the NULL-FK rows of the name waiting (0: none yet, the guard's next ones will). Joins,
 * no correlated lookup (Citus).
 */
export function driftDecisionsStatement(link: LinkShape, linkName: string, f: ScopeFilter): Statement<DriftDecisionRow> {
  const p = new Params();
  const ln = p.add(linkName);
  const tk = `t.${ident(link.targetKey)}`;
  const sname = `s.${ident(link.name)}`;
  const tenant = f.tenant !== null && link.scope.length > 0 ? ` AND a.scope_key[1] = ${p.add(f.tenant)}` : '';
  const scoped = link.scope.length > 0;
  const text = `WITH a AS (
  SELECT a.scope_key, a.source_name, a.target_key
    FROM ${OWN}.aliases a
   WHERE a.link = ${ln} AND a.origin = 'decision' AND a.target_key IS NOT NULL${tenant}
), k AS (
  SELECT CASE WHEN ${tk} IS NULL THEN 'missing' ELSE 'inactive' END AS kind, a.scope_key, a.source_name, a.target_key,
         t.${ident(link.targetName)}::text AS master_name
    FROM a
    LEFT JOIN ${link.targetSql} t ON ${tk}::text = a.target_key AND ${masterScopeKeyEq('t', link, 'a.scope_key')}${masterScopeWhere('t', link, f, p)}
   WHERE ${tk} IS NULL OR NOT (${activeCond('t', link)})
), n AS (
  -- the name's rows as a plan groups them (a citext name: every spelling of it)
  SELECT k.scope_key, k.source_name, count(*)::int8 AS row_count
    FROM k
    JOIN ${link.sourceSql} s ON ${entryName(link, 'k')} = ${sname} AND k.scope_key = ${scopeKeyExpr('s', link)}
   WHERE s.${ident(link.fk)} IS NULL${sourceActiveWhere('s', link)}${scopeWhere('s', link, f, p)}
   GROUP BY 1, 2
)${
    scoped
      ? `, live AS (
  -- the scopes that still hold a master or a document: a decision of a tenant deleted since is no drift (nothing is
  -- left to link there, and --tenant refuses a tenant no row has: drift stayed at exit 3 for good; a trial)
  SELECT ${scopeKeyExpr('t', onMaster(link))} AS scope_key FROM ${link.targetSql} t
   WHERE ${scopeKeyExpr('t', onMaster(link))} IN (SELECT k.scope_key FROM k)${scopeWhere('t', onMaster(link), f, p)}
  UNION
  SELECT ${scopeKeyExpr('s', link)} FROM ${link.sourceSql} s
   WHERE ${scopeKeyExpr('s', link)} IN (SELECT k.scope_key FROM k)${scopeWhere('s', link, f, p)}
)`
      : ''
  }
SELECT k.kind, k.scope_key, k.source_name, k.target_key, k.master_name, coalesce(n.row_count, 0)::int8 AS row_count
  FROM k
  LEFT JOIN n ON n.scope_key = k.scope_key AND n.source_name = k.source_name${scoped ? `\n WHERE k.scope_key IN (SELECT live.scope_key FROM live)` : ''}
 ORDER BY 6 DESC, 3, 2`;
  return { text, values: p.values };
}
