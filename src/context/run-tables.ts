/**
 * Where a run wrote: the schema-qualified tables its links' config names resolved to when it ran, recorded with the run
 * (`options.tables`), and checked when a later command writes on the run's behalf (undo, apply --resume). A config
 * naming `sales_orders` unqualified resolves by the session's search_path: a schema-per-tenant database undone under
 * another tenant's search_path read the other schema's rows (a trial: "0 set back, 100 skipped (changed since)" for rows
 * nobody had touched, and where a row there held the value the run wrote, it would have been set back).
 */
import type { Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { linkTableNamesStatement } from '../sql/context.js';
import { type LinkTarget, registeredTargets } from '../store/link-targets.js';
import type { RunRecord } from '../store/runs.js';
import type { ResolvedLink } from './catalog.js';

/** Per link: its source and master tables, schema-qualified (a partition by its partitioned table). */
export type RunTables = Record<string, { source: string; target: string }>;

/** The tables `links` resolve to in this session, as a run records them. */
export async function runTables(db: Queryable, links: readonly ResolvedLink[]): Promise<RunTables> {
  const oids = [...new Set(links.flatMap((l) => [l.sourceOid, l.targetOid]))];
  const names = new Map((await db.query(linkTableNamesStatement(oids))).rows.map((r) => [Number(r.oid), r.name]));
  const out: RunTables = {};
  for (const l of links) out[l.entity] = { source: names.get(l.sourceOid) ?? l.sourceSql, target: names.get(l.targetOid) ?? l.targetSql };
  return out;
}

/**
 * The master table (schema-qualified, whatever the search_path or the config's spelling; a partition by its
 * partitioned table) and the column whose values a link's decisions and learned names hold (the one the FK points
 * at: `target.key` as `"id"` or as `["tenant_id", "id"]` is the same): what its name is bound to (store/link-targets.ts).
 */
export async function linkTargetsOf(db: Queryable, links: readonly ResolvedLink[], tables?: RunTables): Promise<LinkTarget[]> {
  const t = tables ?? (await runTables(db, links));
  return links.map((l) => ({ link: l.entity, target: `${t[l.entity]!.target} (${l.targetKey})` }));
}

function recorded(run: RunRecord): RunTables | null {
  const t = run.options['tables'];
  return typeof t === 'object' && t !== null ? (t as RunTables) : null;
}

/**
 * Refuses (LINK_RETARGETED, exit 2, nothing written) to `act` for `run` when its links' tables resolve here to other
 * tables than the run wrote into: another search_path, or a table moved or recreated elsewhere since. A run recorded
 * before its tables were (`options.tables`) is checked by its masters' table as registered for the link name.
 */
export async function assertRanHere(db: Queryable, links: readonly ResolvedLink[], run: RunRecord, act: string): Promise<void> {
  const now = await runTables(db, links);
  const then = recorded(run);
  const path = typeof run.options['searchPath'] === 'string' ? run.options['searchPath'] : null;
  const plain = path !== null && /^[\w,]+$/u.test(path);
  const hint = `Run it under the search_path run ${run.id} had${path === null ? '' : plain ? ` (PGOPTIONS='-c search_path=${path}')` : ` (${path})`}`;
  for (const l of links) {
    const here = now[l.entity]!;
    const was = then?.[l.entity];
    if (was !== undefined && (was.source !== here.source || was.target !== here.target)) {
      throw new BackfillError(
        'LINK_RETARGETED',
        `${act} run ${run.id}: link "${l.entity}" wrote into ${was.source} (masters ${was.target}), but "${l.config.table}" resolves here to ${here.source} (masters ${here.target}): another search_path, or a table moved since; nothing was written. ${hint}`,
        { details: { link: l.entity, run: run.id, ran: was, here } },
      );
    }
  }
  if (then !== null) return;
  const registered = await registeredTargets(
    db,
    links.map((l) => l.entity),
  );
  for (const { link, target: here } of await linkTargetsOf(db, links, now)) {
    const was = registered.get(link);
    if (was !== undefined && was !== here) {
      throw new BackfillError(
        'LINK_RETARGETED',
        `${act} run ${run.id}: link "${link}" linked rows to masters in ${was}, but its config resolves here to ${here}: another search_path, or a table moved since; nothing was written. ${hint}`,
        { details: { link, run: run.id, registered: was, configured: here } },
      );
    }
  }
}
