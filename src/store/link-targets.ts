/**
 * The master table each link name stands for (fk_backfill.link_targets, migration 028). Decisions, learned aliases and
 * the guard's aliases are kept per link name and hold master keys: read under a config that points the name at another
 * master table, they would link rows to whatever master of that table has the key. The first command that plans,
 * decides or guards a link registers its target; one that points the name elsewhere is refused before it writes.
 */
import type { Queryable } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import { OWN_SCHEMA } from './migrate.js';

const READ_ONLY = '25006';
const INSUFFICIENT_PRIVILEGE = '42501';

export interface LinkTarget {
  link: string;
  /** The master table (schema-qualified, quoted where needed) and the column the FK holds: `public.customers (id)`. */
  target: string;
}

/** What is registered for these link names. */
async function registered(db: Queryable, names: readonly string[]): Promise<LinkTarget[]> {
  const known = await db
    .query<LinkTarget>(`SELECT link, target FROM ${OWN_SCHEMA}.link_targets WHERE link = ANY ($1::text[])`, [names])
    .catch((e: unknown) => {
      throw wrapDbError(e, `reading ${OWN_SCHEMA}.link_targets`);
    });
  return known.rows;
}

/** The master table each of `links` (names) is registered for: what a run of the name linked rows to. */
export async function registeredTargets(db: Queryable, links: readonly string[]): Promise<Map<string, string>> {
  const known = await registered(db, links);
  return new Map(known.map((k) => [k.link, k.target]));
}

const names = (links: readonly LinkTarget[]): string[] => links.map((l) => l.link);

/** Of what is registered (`known`), the link names registered for another master table or key than `links` say. */
function retargeted(known: readonly LinkTarget[], links: readonly LinkTarget[]): { now: LinkTarget; registered: string }[] {
  return known.flatMap((k) => {
    const now = links.find((l) => l.link === k.link);
    return now === undefined || now.target === k.target ? [] : [{ now, registered: k.target }];
  });
}

/**
 * What the read-only commands (status, verify, drift) say instead of refusing: their counts read the config's master
 * table, while the link's history (decisions, learned names, runs) is of another (a trial: drift reported customer ids
 * as missing suppliers, without a word). Nothing when fk-backfill's schema, or its link_targets table, is not there or
 * cannot be read by this role.
 */
export async function retargetedNotices(db: Queryable, links: readonly LinkTarget[]): Promise<string[]> {
  if (links.length === 0) return [];
  const there = (await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${OWN_SCHEMA}.link_targets`])).rows[0]?.ok;
  if (there !== true) return [];
  // a role that may not read fk-backfill's schema still gets its status and verify: the notice is not worth refusing them
  const known = await registered(db, names(links)).catch(() => []);
  return retargeted(known, links).map(
    (r) =>
      `link "${r.now.link}" points at ${r.now.target}, but its fk-backfill history (decisions, runs, learned names) is of masters in ${r.registered}: plan, apply, review and guard refuse this config (LINK_RETARGETED); these counts read the config's table`,
  );
}

/** Whether anything of the link's name holds master keys read again: decisions, applied or guarded links, a guard. */
async function keyedHistory(db: Queryable, link: string): Promise<boolean> {
  const r = await db.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${OWN_SCHEMA}.decisions WHERE link = $1) OR EXISTS (SELECT 1 FROM ${OWN_SCHEMA}.change_sets WHERE link = $1)
         OR EXISTS (SELECT 1 FROM ${OWN_SCHEMA}.guards WHERE link = $1) OR EXISTS (SELECT 1 FROM ${OWN_SCHEMA}.guard_links WHERE link = $1) AS any`,
    [link],
  );
  return r.rows[0]?.any !== false;
}

/**
 * Refuses (LINK_RETARGETED, exit 2, nothing written) a link whose name is registered for another master table or key,
 * then registers the links not registered yet.
 */
export async function bindLinkTargets(db: Queryable, links: readonly LinkTarget[]): Promise<void> {
  if (links.length === 0) return;
  let known = await registered(db, names(links));
  // a name only plans were made under holds no master key anything reads again (an `apply --plan` of one is refused
  // for its other config): pointed elsewhere while a config is being written, it is registered again (a trial: one
  // dry-run plan tied the name to its first master table for good)
  for (const r of retargeted(known, links)) {
    if (await keyedHistory(db, r.now.link)) continue;
    await db.query(`UPDATE ${OWN_SCHEMA}.link_targets SET target = $2, registered_at = now() WHERE link = $1`, [r.now.link, r.now.target]);
    known = known.map((k) => (k.link === r.now.link ? r.now : k));
  }
  const bad = retargeted(known, links)[0];
  if (bad !== undefined) {
    const { now, registered } = bad;
    throw new BackfillError(
      'LINK_RETARGETED',
      `link "${now.link}" points at ${now.target}, but this database's fk-backfill history (its decisions, runs and learned names) is of link "${now.link}" with masters in ${registered}: their master keys would be read as keys of ${now.target}. Give this link another entity name; if ${registered} was renamed or re-keyed into ${now.target}, re-register it first: DELETE FROM ${OWN_SCHEMA}.link_targets WHERE link = '${now.link.replace(/'/gu, "''")}'`,
      { details: { link: now.link, registered, configured: now.target } },
    );
  }
  const fresh = links.filter((l) => !known.some((k) => k.link === l.link));
  if (fresh.length === 0) return;
  // a read-only session, or a role that may not insert here: registered by the next command that may (this one's own
  // preflight refuses its writes clearly, or it writes only elsewhere)
  await db
    .query(
      `INSERT INTO ${OWN_SCHEMA}.link_targets (link, target) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (link) DO NOTHING`,
      [fresh.map((l) => l.link), fresh.map((l) => l.target)],
    )
    .catch((e: unknown) => {
      const state = sqlState(e);
      if (state !== READ_ONLY && state !== INSUFFICIENT_PRIVILEGE) throw wrapDbError(e, `registering links in ${OWN_SCHEMA}.link_targets`);
    });
}
