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

/**
 * Refuses (LINK_RETARGETED, exit 2, nothing written) a link whose name is registered for another master table or key,
 * then registers the links not registered yet.
 */
export async function bindLinkTargets(db: Queryable, links: readonly LinkTarget[]): Promise<void> {
  if (links.length === 0) return;
  const known = await db
    .query<LinkTarget>(`SELECT link, target FROM ${OWN_SCHEMA}.link_targets WHERE link = ANY ($1::text[])`, [links.map((l) => l.link)])
    .catch((e: unknown) => {
      throw wrapDbError(e, `reading ${OWN_SCHEMA}.link_targets`);
    });
  for (const k of known.rows) {
    const now = links.find((l) => l.link === k.link);
    if (now === undefined || now.target === k.target) continue;
    throw new BackfillError(
      'LINK_RETARGETED',
      `link "${k.link}" points at ${now.target}, but this database's fk-backfill history (its decisions, runs and learned names) is of link "${k.link}" with masters in ${k.target}: their master keys would be read as keys of ${now.target}. Give this link another entity name; if ${k.target} was renamed or re-keyed into ${now.target}, re-register it first: DELETE FROM ${OWN_SCHEMA}.link_targets WHERE link = '${k.link.replace(/'/gu, "''")}'`,
      { details: { link: k.link, registered: k.target, configured: now.target } },
    );
  }
  const fresh = links.filter((l) => !known.rows.some((k) => k.link === l.link));
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
