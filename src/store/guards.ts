/**
 * fk_backfill's guard tables: the registry of installed guards (guards), what the guard linked (guard_links, then
 * change sets once an undo moved them) and missed (guard_misses), and the alias table it reads (aliases).
 */
import { num, type Queryable } from '../db/port.js';
import { sqlState, wrapDbError } from '../errors.js';

export interface GuardRow {
  link: string;
  run_id: string;
  table_oid: number;
  table_name: string;
  trigger_name: string;
  function_name: string;
  installed_at: string;
}

/** The installed guards (of `links`, or all), by link; none when nothing was ever installed here. */
export async function guardRows(db: Queryable, links: readonly string[] | null): Promise<GuardRow[]> {
  try {
    const r = await db.query<GuardRow>(
      `SELECT link, run_id::text AS run_id, table_oid::int8 AS table_oid, table_name, trigger_name, function_name, installed_at::text AS installed_at
         FROM fk_backfill.guards WHERE $1::text[] IS NULL OR link = ANY ($1::text[]) ORDER BY link`,
      [links],
    );
    return r.rows.map((x) => ({ ...x, table_oid: num(x.table_oid) }));
  } catch (e) {
    if (sqlState(e) === '42P01' || sqlState(e) === '3F000') return []; // nothing ever installed here
    throw wrapDbError(e, 'reading fk_backfill.guards');
  }
}

export async function insertGuardRow(
  tx: Queryable,
  g: { link: string; runId: string; tableOid: number; tableName: string; trigger: string; fn: string; installedBy: string | null },
): Promise<void> {
  await tx.query(
    `INSERT INTO fk_backfill.guards (link, run_id, table_oid, table_name, trigger_name, function_name, installed_by)
     VALUES ($1, $2::int8, $3::oid, $4, $5, $6, $7)`,
    [g.link, g.runId, g.tableOid, g.tableName, g.trigger, g.fn, g.installedBy],
  );
}

export async function deleteGuardRow(tx: Queryable, link: string): Promise<void> {
  await tx.query(`DELETE FROM fk_backfill.guards WHERE link = $1`, [link]);
}

/** Whether an installed guard still logs under run `runId`. */
export async function guardRunInUse(db: Queryable, runId: string): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM fk_backfill.guards WHERE run_id = $1::int8`, [runId])).rows.length > 0;
}

export interface GuardCounts {
  /** Rows the guard linked, but those an undo of its run set back since. */
  hits: number;
  /** Links of the guard an undo of its run set back (not hits: the rows no longer hold them). */
  undone: number;
  misses: number;
  byMethod: Record<string, number>;
  byReason: Record<string, number>;
}

/** What guard run `runId` did (for one link or all): rows linked by method (undone ones apart), names missed by reason. */
export async function guardCounts(db: Queryable, runId: string, link: string | null): Promise<GuardCounts> {
  // links still in guard_links and those an undo moved into change sets (read only: status moves nothing); a moved
  // link whose row an undo of the run set back (its key in that undo's change sets) is undone, not a hit
  const sets = `SELECT c.method, count(*) FILTER (WHERE u.row_key IS NULL) AS n, count(*) FILTER (WHERE u.row_key IS NOT NULL) AS undone
         FROM fk_backfill.changes c
         LEFT JOIN (SELECT DISTINCT cs.link, k.row_key
                      FROM fk_backfill.change_sets cs JOIN fk_backfill.runs r ON r.id = cs.run_id
                     CROSS JOIN LATERAL unnest(cs.row_keys) AS k(row_key)
                     WHERE r.kind = 'undo' AND r.target_run_id = $1::int8) u ON u.link = c.link AND u.row_key = c.row_key
        WHERE c.run_id = $1::int8 AND c.set_id IS NOT NULL AND ($2::text IS NULL OR c.link = $2) GROUP BY 1`;
  const staged = `SELECT g.method, count(*), 0 FROM fk_backfill.guard_links g
        WHERE g.run_id = $1::int8 AND ($2::text IS NULL OR g.link = $2) GROUP BY 1`;
  const byMethodOf = (from: string): string =>
    `SELECT x.method, sum(x.n)::int8 AS n, sum(x.undone)::int8 AS undone FROM (${from}) x GROUP BY 1`;
  type Hit = { method: string | null; n: unknown; undone: unknown };
  let h: { rows: Hit[] };
  try {
    h = await db.query<Hit>(byMethodOf(`${sets}\n       UNION ALL\n       ${staged}`), [runId, link]);
  } catch (e) {
    // a schema before migration 017 (a guard installed by an older version logs change sets only)
    if (sqlState(e) !== '42P01') throw e;
    h = await db.query<Hit>(byMethodOf(sets), [runId, link]);
  }
  const m = await db.query<{ reason: string; n: unknown }>(
    `SELECT m.reason, count(*)::int8 AS n FROM fk_backfill.guard_misses m WHERE m.run_id = $1::int8 AND ($2::text IS NULL OR m.link = $2) GROUP BY 1`,
    [runId, link],
  );
  const byMethod: Record<string, number> = {};
  for (const r of h.rows) if (num(r.n) > 0) byMethod[r.method ?? 'unknown'] = num(r.n);
  const byReason: Record<string, number> = {};
  for (const r of m.rows) byReason[r.reason] = num(r.n);
  const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
  const undone = h.rows.reduce((a, r) => a + num(r.undone), 0);
  return { hits: sum(byMethod), undone, misses: sum(byReason), byMethod, byReason };
}

/**
 * Moves the links guard run `runId` logged in guard_links into change sets (one per link and method, at
 * most 10,000 rows each), where `undo` finds them. Returns how many it moved.
 */
export async function flushGuardLinks(db: Queryable, runId: string): Promise<number> {
  try {
    const r = await db.query<{ n: unknown }>(`SELECT fk_backfill.flush_guard_links($1::int8) AS n`, [runId]);
    return num(r.rows[0]?.n);
  } catch (e) {
    throw wrapDbError(e, `moving the links of guard run ${runId} into the change log`);
  }
}

/**
 * Recomputes the aliases of `links` from decisions and finished applies, holding the alias table against
 * writers of decisions and finishing runs until the transaction ends (the guard's own reads do not wait).
 */
export async function refreshAliasesLocked(tx: Queryable, links: readonly string[]): Promise<void> {
  await tx.query(`LOCK TABLE fk_backfill.aliases IN SHARE ROW EXCLUSIVE MODE`);
  await tx.query(`SELECT fk_backfill.refresh_aliases($1::text[])`, [links]);
}

/** How many aliases `links` have, by origin (decision, apply). */
export async function aliasCounts(tx: Queryable, links: readonly string[]): Promise<{ decision: number; apply: number; never: number }> {
  // a decision row without a target is a name a person said never to link (never, create): not an alias
  const a = await tx.query<{ origin: string; n: unknown }>(
    `SELECT CASE WHEN origin = 'decision' AND target_key IS NULL THEN 'never' ELSE origin END AS origin, count(*)::int8 AS n
       FROM fk_backfill.aliases WHERE link = ANY ($1::text[]) GROUP BY 1`,
    [links],
  );
  const byOrigin = Object.fromEntries(a.rows.map((r) => [r.origin, num(r.n)]));
  return { decision: byOrigin['decision'] ?? 0, apply: byOrigin['apply'] ?? 0, never: byOrigin['never'] ?? 0 };
}

/** Whether fk_backfill's alias and plan tables exist here (drift creates nothing, so it asks first). */
export async function driftTablesExist(db: Queryable): Promise<boolean> {
  const r = await db.query<{ ok: boolean }>(
    `SELECT to_regclass('fk_backfill.aliases') IS NOT NULL AND to_regclass('fk_backfill.plan_entries') IS NOT NULL AS ok`,
  );
  return r.rows[0]?.ok === true;
}
