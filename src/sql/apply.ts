/**
 * Apply: the one statement that links a batch (or a whole link) and writes its change set in the same
 * statement, and the lookup table of a plan's linked entries (why planned rows were skipped: sql/skips.ts).
 */
import { ident } from './quote.js';
import { fitsFkSql } from './fk-fit.js';
import {
  activeWhere,
  entryName,
  entryScopeJoin,
  idCols,
  type LinkShape,
  OWN,
  Params,
  readKey,
  readKeyShape,
  rowKeyText,
  rowRead,
  rowRecheck,
  sameMasterName,
  scopeEq,
  type ScopeFilter,
  scopeWhere,
  sourceActiveWhere,
  type Statement,
  touchedOld,
  touchedText,
  type TypedLinkShape,
  withChangedCount,
  masterEntryScopeJoin,
  masterScopeJoin,
} from './link.js';
import { type KeyRange, plainRangeWhere, type Walk, walkRangeWhere } from './walk.js';
import { refusedBy, refusedRowsCte } from './checks.js';
import { keptFollowUp, keptRow } from './kept.js';

/** The planner's estimate (EXPLAIN, nothing read) of the rows whose FK is NULL, within the scope. */
export function nullFkEstimateStatement(link: LinkShape, f: ScopeFilter): Statement<{ 'QUERY PLAN': unknown }> {
  const p = new Params();
  const text = `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${link.sourceSql} s WHERE s.${ident(link.fk)} IS NULL${scopeWhere('s', link, f, p)}`;
  return { text, values: p.values };
}

/**
 * The change log of one apply statement, written by the same statement: ONE change set row for the
 * whole statement (arrays of row keys, new values, methods, scores, old touched values), not one row
 * per changed row. Nothing changed: no row. Returns \`changed\`, the number of rows changed, and \`kept\`:
 * the rows the UPDATE wrote whose FK a BEFORE UPDATE trigger kept NULL ("posted documents are locked":
 * `NEW.customer_id := OLD.customer_id`, or RETURN OLD), as sql/kept.ts reads them. Those are not changes: neither
 * logged nor counted (they were, as NULL → NULL: the report said every row linked while status saw them NULL);
 * keptFollowUp sets their updated_at back and records them as refused by the table.
 */
function changeSetInsert(link: LinkShape, p: Params, a: { runId: string; linkName: string; tableName: string }): string {
  const touched = link.touch === null ? 'NULL::text[]' : 'array_agg(upd.touched_old)';
  const insert = `INSERT INTO ${OWN}.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT ${a.runId}::int8, ${a.linkName}::text, ${p.add(a.tableName)}::text, ${p.add(link.fk)}::text, ${p.add(link.touch?.column ?? null)}::text,
       array_agg(upd.row_key), array_agg(upd.new_value), array_agg(upd.method), array_agg(upd.score), ${touched}
  FROM upd
 WHERE upd.new_value IS NOT NULL
HAVING count(*) > 0`;
  // the touched value as the row holds it after the UPDATE (its now(), or what a trigger kept), in text form for kept rows only
  const wrote = link.touch === null ? 'NULL' : touchedText('upd.fkb_wrote');
  return withChangedCount(insert, {
    written: 'upd.new_value IS NOT NULL',
    row: keptRow('upd.row_key', 'upd.new_value', wrote, 'upd.touched_old'),
  });
}

/**
 * The statements that build a batched apply's lookup table `map` (schema-qualified, quoted): the linked
 * entries of one plan and link with typed columns (scope values in their column types, the target key
 * in the FK's type), hash-indexed on the name (no length limit, unlike a btree entry) and analyzed, so
 * every batch joins it like a small typed dimension table instead of re-reading plan_entries.
 *
 * `temp`: a temporary table (`map` then names it in pg_temp), dropped when the transaction that builds it
 * ends: for a lookup table that lives in one transaction (a single-transaction run, the final sweep, and
 * each batch of a role without CREATE on fk_backfill). Needs only TEMPORARY on the database; on Citus it
 * stays on the coordinator, joined like any local table.
 */
export function applyMapStatements(
  link: TypedLinkShape,
  a: { planRunId: string; linkName: string; map: string; temp?: boolean },
): Statement[] {
  const p = new Params();
  const scopeCols = link.scope.map((_, i) => `fkb_scope_${i + 1}`);
  const nameType = link.targetNameType ?? 'text';
  const cols = [
    ...scopeCols.map((c, i) => `${c} ${link.scopeTypes[i]}`),
    `source_name ${link.nameType ?? 'text'} NOT NULL`,
    `target_key ${link.fkType} NOT NULL`,
    'method text',
    'score real',
    `target_name ${nameType}`,
  ];
  const fill = `INSERT INTO ${a.map} (${[...scopeCols, 'source_name', 'target_key', 'method', 'score', 'target_name'].join(', ')})
SELECT ${[...link.scope.map((_, i) => `e.scope_key[${i + 1}]::${link.scopeTypes[i]}`), entryName(link, 'e'), `e.target_key::${link.fkType}`, 'e.method', 'e.score', `e.target_name::${nameType}`].join(', ')}
  FROM ${OWN}.plan_entries e
 WHERE e.run_id = ${p.add(a.planRunId)}::int8 AND e.link = ${p.add(a.linkName)} AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL${
   // a plan made before keys the FK cannot hold were left unmatched (src/plan/fk-range.ts): never written
   link.fkRange === undefined ? '' : ` AND ${fitsFkSql('e.target_key', link.fkRange, (v) => p.add(v))}`
 }`;
  if (a.temp === true) {
    return [
      { text: `DROP TABLE IF EXISTS ${a.map}`, values: [] },
      { text: `CREATE TEMP TABLE ${a.map} (${cols.join(', ')}) ON COMMIT DROP`, values: [] },
      { text: fill, values: p.values },
      { text: `CREATE INDEX ON ${a.map} USING hash (source_name)`, values: [] },
      { text: `ANALYZE ${a.map}`, values: [] },
    ];
  }
  if (link.citus !== undefined) {
    // a reference table: on every node, so each shard joins it locally (a coordinator table would be shipped per batch)
    return [
      { text: `DROP TABLE IF EXISTS ${a.map}`, values: [] },
      { text: `CREATE TABLE ${a.map} (${cols.join(', ')})`, values: [] },
      { text: `SELECT create_reference_table($1)`, values: [a.map] },
      { text: fill, values: p.values },
      { text: `CREATE INDEX ON ${a.map} USING hash (source_name)`, values: [] },
    ];
  }
  return [
    { text: `DROP TABLE IF EXISTS ${a.map}`, values: [] },
    // UNLOGGED: rebuilt on every start and resume, so no WAL for it
    { text: `CREATE UNLOGGED TABLE ${a.map} (${cols.join(', ')})`, values: [] },
    { text: fill, values: p.values },
    // hash, not btree: a btree entry holds at most ~2.7 kB, names may be longer (issue #8)
    { text: `CREATE INDEX ON ${a.map} USING hash (source_name)`, values: [] },
    { text: `ANALYZE ${a.map}`, values: [] },
  ];
}

/**
 * One batch of a batched apply over its range (keys (after, upTo], or heap blocks [after, upTo) of a
 * ctid walk): ONE `UPDATE … FROM` the typed lookup table built by `applyMapStatements`, with every
 * guard (FK still NULL, name unchanged, same scope, planned master still active, of the row's scope
 * and of the name the plan recorded) and the change log in the same statement. Every apply runs it: a
 * batch over its range, and over the unbounded range `WHOLE_LINK` a single-transaction run's link and
 * the final sweep (see src/apply/lookup.ts for where its lookup table lives).
 *
 * Shape: the subquery `x` is the bare join a DBA would write (the range of the source and the plan's
 * entries, hashed on typed columns) and reads each row's old touched value (updated_at) on the way: an
 * exact undo needs it, and PostgreSQL before 18 has no `RETURNING OLD`. The UPDATE then finds each row
 * of `x` by its ctid (a Tid Scan: one buffer lookup per row) instead of reading the range a second
 * time, comparing again what `x` read (see rowRecheck). The entries `v` are checked against the masters
 * before they meet the source (still there, active, of the entry's scope, not renamed: one more
 * comparison in that join, no other read). Each `OFFSET 0` keeps its
 * subquery planned on its own: flattened, the planner multiplied the selectivities of the self-join
 * and of the name and scope equalities into estimates of a row or two and then probed the lookup table
 * and the masters once per row (~1–3 µs each) instead of hashing them once per batch.
 *
 * The source range `r` is its own subquery too, so no plan can probe the source once per entry: the
 * masters join estimates `v` at (entries ÷ tenants) rows (the key and the tenant equalities multiplied),
 * 9 rows for 45 000 entries over 5 000 tenants, and with an index on the tenant column the planner then
 * looped over the entries and bitmap-scanned the tenant's rows within the range for each (7.6 s per
 * 5 000-row batch; issue #23's many small tenants). Fenced, the range can only be hashed or scanned once
 * (72 ms). Links without a touched column take the same shape (one statement shape for every link).
 */
export function applyBatchStatement(
  link: TypedLinkShape,
  a: { runId: string; linkName: string; tableName: string; map: string; range: KeyRange; walk?: Walk },
  f: ScopeFilter,
): Statement {
  if (link.citus !== undefined) return citusApplyBatchStatement(link, a, f);
  const checks = link.fkChecks ?? [];
  const p = new Params();
  const runId = p.add(a.runId);
  const linkName = p.add(a.linkName);
  const fk = ident(link.fk);
  const rangeWhere = walkRangeWhere(a.walk);
  const touchSet = link.touch === null ? '' : `, ${ident(link.touch.column)} = now()`;
  // fkb_same_master: read in the join that rechecks the master, tested by the UPDATE's own WHERE (not here: any
  // filter in v shrinks its estimate further)
  const entries = `(SELECT m.*, ${sameMasterName(link, 't', 'm', true)} AS fkb_same_master
                    FROM ${a.map} m
                    JOIN ${link.targetSql} t ON t.${ident(link.targetKey)} = m.target_key${activeWhere('t', link)}${masterEntryScopeJoin('t', link, 'm')}
                  OFFSET 0) v`;
  // the range of the source, read on its own (see the comment above: never probed once per entry); with CHECK
  // constraints to test, each row's columns too
  // a hierarchy (the source is the master table): the row's own master key, so no row is linked to itself
  const self = link.selfTable === true ? ' AND x.fkb_self IS DISTINCT FROM x.target_key' : '';
  const range = `(SELECT ${rowRead('o', link)}${link.selfTable === true ? `, o.${ident(link.targetKey)} AS fkb_self` : ''}${checks.length > 0 ? ', to_jsonb(o) AS fkb_row' : ''}
                    FROM ${link.sourceSql} o
                   WHERE o.${fk} IS NULL${sourceActiveWhere('o', link)}${scopeWhere('o', link, f, p)}${rangeWhere('o', link, a.range, p)}
                  OFFSET 0) r`;
  const readJoin = `v.source_name = r.fkb_name${link.scope.map((_, i) => ` AND ${scopeEq(link, i, `r.fkb_scope_${i + 1}`, `v.fkb_scope_${i + 1}`)}`).join('')}`;
  const finish = (withs: string, from: string, keep: string): Statement => {
    const update = `UPDATE ${link.sourceSql} s
     SET ${fk} = x.target_key${touchSet}
    FROM ${from}
   WHERE ${rowRecheck(link, 'x')} AND x.fkb_same_master${self}${keep}${scopeWhere('s', link, f, p)}${rangeWhere('s', link, a.range, p)}
  RETURNING ${rowKeyText('s', link)} AS row_key, s.${fk}::text AS new_value, x.method, x.score, ${touchedOld(link, 'x')} AS touched_old${link.touch === null ? '' : `, s.${ident(link.touch.column)} AS fkb_wrote`}`;
    return {
      text: `WITH ${withs}upd AS (
  ${update}
)
${changeSetInsert(link, p, { runId, linkName, tableName: a.tableName })}`,
      values: p.values,
      followUp: keptFollowUp(link, f, { runId: a.runId, linkName: a.linkName, kind: 'apply' }),
    };
  };
  const read = `SELECT r.*, v.target_key, v.method, v.score, v.fkb_same_master`;
  if (checks.length === 0)
    return finish(
      '',
      `(${read}
            FROM ${range}
            JOIN ${entries} ON ${readJoin}
          OFFSET 0) x`,
      '',
    );
  // CHECK constraints over the FK or the touched column: the rows one would refuse are found before the UPDATE by
  // its own expression over the row as it would be written (sql/checks.ts), recorded in refused_rows with the
  // constraint and left out, in this statement (before: each found by splitting the batch, 2·log2 statements a
  // row, and more than 100 in one batch stopped the run). A trigger or a unique index is still found by splitting.
  // The read `x` is one MATERIALIZED CTE, read by the record and by the UPDATE.
  const refused = refusedBy(link, checks, p, 'r.fkb_row', 'v.target_key', 'now()');
  const keyCols = readKeyShape(link);
  return finish(
    `x AS MATERIALIZED (
  ${read}, ${refused} AS fkb_refused_by
    FROM ${range}
    JOIN ${entries} ON ${readJoin}
), ${refusedRowsCte({ runId, linkName, rowKey: rowKeyText('x', keyCols), refused: 'x.fkb_refused_by', from: 'x', where: `x.fkb_refused_by IS NOT NULL AND x.fkb_same_master${self}`, left: 'NULL' })}, `,
    'x',
    ' AND x.fkb_refused_by IS NULL',
  );
}

/**
 * The rows a batch of applyBatchStatement may change (those of its range, in the scope, whose FK is NULL),
 * by their key as the change log writes it, in key order: what a batch the table refused a row of is split
 * into (src/batch/refused.ts). A source with a BEFORE UPDATE trigger and CHECKs over the FK (`fkSuspectChecks`)
 * and the batch's lookup table `map`: each row also says whether those CHECKs would refuse it with its planned
 * master (`s`), the suspects last, so the split tries the others as one statement and then the suspects (a trial:
 * 620 refused rows of 50,000 took 35 s of halving).
 * `planned` (one server only, with `map`): only the rows of the range the batch would link (their name and scope have
 * an entry in the lookup table); 'lock': those it can lock now, locked (FOR NO KEY UPDATE, as the UPDATE locks them)
 * for the batch's transaction, the others being kept locked by another session (apply's pass over locked rows:
 * batch.ts lockWhatIsFree); 'read': all of them.
 */
export function batchRowsStatement(
  link: LinkShape,
  a: { range: KeyRange; walk?: Walk; map?: string; planned?: 'lock' | 'read' },
  f: ScopeFilter,
): Statement<{ k: string; s?: boolean }> {
  const p = new Params();
  const rangeWhere = link.citus !== undefined ? plainRangeWhere : walkRangeWhere(a.walk);
  const order = idCols(link)
    .map((c) => `o.${ident(c.col)}`)
    .join(', ');
  const checks = link.fkSuspectChecks ?? [];
  const suspect = checks.length > 0 && a.map !== undefined && link.citus === undefined && a.planned === undefined;
  const join =
    a.map !== undefined && (suspect || a.planned !== undefined)
      ? `
  ${suspect ? 'LEFT ' : ''}JOIN ${a.map} m ON m.source_name = o.${ident(link.name)}${entryScopeJoin('o', link, 'm')}`
      : '';
  const flag = suspect
    ? `, coalesce(${refusedBy(link, checks, p, 'to_jsonb(o)', 'm.target_key', link.touch === null ? null : 'now()')} IS NOT NULL AND m.target_key IS NOT NULL, false) AS s`
    : '';
  // a distributed source: the batch's tenants as values, so Citus prunes to their shards (one tenant: a router query,
  // the only kind in which it takes row locks)
  const vals = a.range.values;
  const shard = (): string =>
    link.citus !== 'distributed' || vals === undefined ? '' : ` AND o.${ident(link.key)} = ANY(${p.add(vals)}::${link.keyType}[])`;
  const text = `SELECT ${rowKeyText('o', link)} AS k${flag}
  FROM ${link.sourceSql} o${join}
 WHERE o.${ident(link.fk)} IS NULL${scopeWhere('o', link, f, p)}${rangeWhere('o', link, a.range, p)}${shard()}
 ORDER BY ${suspect ? 's, ' : ''}${order}${a.planned === 'lock' ? '\n   FOR NO KEY UPDATE OF o SKIP LOCKED' : ''}`;
  return { text, values: p.values };
}

/**
 * applyBatchStatement on a Citus distributed (or reference) source: the same guards and change log in
 * one statement, in the shape Citus pushes down to the shards. The lookup table is a reference table
 * (on every node) and the masters are co-located or a reference table, so the read `x` is one
 * co-located join per shard (no OFFSET fences: a fenced subquery would be pulled to the coordinator);
 * the UPDATE finds each row of `x` by its whole key, which carries the distribution column (no ctid:
 * shards share ctid values). RETURNING holds plain columns only (Citus allows no STABLE expression
 * there, and a timestamp's or date's text form is one); the text forms are made by the change log's
 * INSERT on the coordinator, in the same distributed transaction (two-phase commit across nodes).
 */
function citusApplyBatchStatement(
  link: LinkShape,
  a: { runId: string; linkName: string; tableName: string; map: string; range: KeyRange; walk?: Walk | undefined },
  f: ScopeFilter,
): Statement {
  const p = new Params();
  const runId = p.add(a.runId);
  const linkName = p.add(a.linkName);
  const fk = ident(link.fk);
  const touchSet = link.touch === null ? '' : `, ${ident(link.touch.column)} = now()`;
  const read = rowRead('r', link, false);
  // the batch's values of the distribution column (the walk key): Citus prunes the statement to their shards
  const vals = a.range.values === undefined || link.citus !== 'distributed' ? null : p.add(a.range.values);
  const shardValues = (alias: string): string =>
    vals === null ? '' : ` AND ${alias}.${ident(link.key)} = ANY(${vals}::${link.keyType}[])`;
  // the typed lookup table: a reference table for a batched walk, a coordinator temp table in one transaction
  const m = `${a.map} m ON m.source_name = r.${ident(link.name)}${entryScopeJoin('r', link, 'm')}`;
  const read_ = `SELECT ${read}, m.target_key, m.method, m.score
            FROM ${link.sourceSql} r
            JOIN ${m}
            JOIN ${link.targetSql} t ON t.${ident(link.targetKey)} = m.target_key${masterScopeJoin('t', 'r', link)}${activeWhere('t', link)} AND ${sameMasterName(link, 't', 'm', true)}
           WHERE r.${fk} IS NULL${sourceActiveWhere('r', link)}${scopeWhere('r', link, f, p)}${plainRangeWhere('r', link, a.range, p)}${shardValues('r')}`;
  // a distributed source: one co-located join per shard; a local or reference one: the read first (Citus
  // refuses a local table joined to reference tables inside an UPDATE, not a read of them)
  const distributed = link.citus === 'distributed';
  const x = distributed ? `(${read_}) x` : 'x';
  const recheck = rowRecheck(link, 'x', false);
  const keys = idCols(link)
    .map((c, i) => `s.${ident(c.col)} AS ${readKey(i)}`)
    .join(', ');
  const update = `UPDATE ${link.sourceSql} s
     SET ${fk} = x.target_key${touchSet}
    FROM ${x}
   WHERE ${recheck}${link.selfTable === true ? ` AND s.${ident(link.targetKey)} IS DISTINCT FROM x.target_key` : ''}${scopeWhere('s', link, f, p)}${plainRangeWhere('s', link, a.range, p)}${shardValues('s')}
  RETURNING ${keys}, s.${fk} AS fkb_new, x.method, x.score${link.touch === null ? '' : ', x.fkb_touched'}`;
  const rowKey = rowKeyText('upd', readKeyShape(link));
  const touched = link.touch === null ? 'NULL::text[]' : `array_agg(${touchedText('upd.fkb_touched')})`;
  const insert = `INSERT INTO ${OWN}.change_sets (run_id, link, table_name, column_name, touched_column, row_keys, new_values, methods, scores, touched_old)
SELECT ${runId}::int8, ${linkName}::text, ${p.add(a.tableName)}::text, ${p.add(link.fk)}::text, ${p.add(link.touch?.column ?? null)}::text,
       array_agg(${rowKey}), array_agg(upd.fkb_new::text), array_agg(upd.method), array_agg(upd.score), ${touched}
  FROM upd
 WHERE upd.fkb_new IS NOT NULL
HAVING count(*) > 0`;
  // rows a trigger kept unlinked: not changes (changeSetInsert); their updated_at is not set back on Citus (an UPDATE
  // joined to a list of keys is not one Citus pushes down), see docs/design.md
  const kept = { written: 'upd.fkb_new IS NOT NULL' };
  return {
    text: `WITH ${distributed ? '' : `x AS (\n  ${read_}\n), `}upd AS (\n  ${update}\n)\n${withChangedCount(insert, kept)}`,
    values: p.values,
  };
}
