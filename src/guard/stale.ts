/**
 * A guard runs the link as it was defined when it was installed (its function is generated from it). When the config
 * changes since (a stricter `target.active`, another name column), new rows are still linked by the old definition
 * while plan and apply use the new one: a new user's trial had the guard link rows to a master the config now calls
 * inactive, and nothing said so. `guard status` compares each guard's link, as its install run recorded it, with the
 * config's and says what differs and what to do.
 */
import { stableJson } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Queryable } from '../db/port.js';
import { getRun } from '../store/runs.js';

type LinkConfig = Config['links'][number];

/** The fields of a link (target's as `target.x`) whose values differ between two definitions, in a stable order. */
export function differingFields(a: LinkConfig, b: LinkConfig): string[] {
  const flat = (l: LinkConfig): Map<string, string> => {
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(l)) {
      if (k === 'target' && typeof v === 'object' && v !== null)
        for (const [tk, tv] of Object.entries(v as Record<string, unknown>)) m.set(`target.${tk}`, stableJson(tv));
      else m.set(k, stableJson(v));
    }
    return m;
  };
  const x = flat(a);
  const y = flat(b);
  return [...new Set([...x.keys(), ...y.keys()])].filter((k) => (x.get(k) ?? 'null') !== (y.get(k) ?? 'null')).sort();
}

/** What `guard status` says of a guard installed under run `runId` for link `entity`, given the config now; null: nothing. */
export async function staleGuard(db: Queryable, g: { link: string; run_id: string }, config: Config): Promise<string | null> {
  const now = config.links.find((l) => l.entity === g.link);
  if (now === undefined)
    return `${g.link}: the config has no link of that name any more, but its guard still links new rows as installed: fk-backfill guard remove --entity ${g.link} --yes, or add the link back`;
  const installed = (await getRun(db, g.run_id)).config.links.find((l) => l.entity === g.link);
  if (installed === undefined) return null;
  const fields = differingFields(installed, now);
  if (fields.length === 0) return null;
  return `${g.link}: the guard links new rows as the link was when it was installed (run ${g.run_id}); the config has changed ${fields.join(', ')} since, which plan and apply use: fk-backfill guard install --entity ${g.link} --yes to guard with it`;
}
