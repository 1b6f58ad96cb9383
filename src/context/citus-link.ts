/**
 * A link on Citus, as the catalog says: the kinds of its two tables (distributed, reference, local) and
 * what Citus cannot run safely, refused before anything is written.
 */
import { targetScope } from '../sql/link.js';
import type { LinkConfig } from '../config/schema.js';
import type { Queryable } from '../db/port.js';
import { BackfillError, wrapDbError } from '../errors.js';
import { citusPresentStatement, tableKind, tableKindsStatement, type TableKind } from '../sql/citus.js';
import { displayTable, type TableName } from '../sql/quote.js';

/** The Citus kinds of a link's two tables, or null without Citus. */
export async function citusKinds(
  db: Queryable,
  sourceOid: number,
  targetOid: number,
): Promise<{ source: TableKind; target: TableKind } | null> {
  try {
    const present = await db.query(citusPresentStatement());
    if (present.rows[0]?.citus !== true) return null;
    const rows = (await db.query(tableKindsStatement([sourceOid, targetOid]))).rows;
    const of = (oid: number): TableKind => tableKind(rows.find((r) => Number(r.oid) === oid));
    return { source: of(sourceOid), target: of(targetOid) };
  } catch (e) {
    throw wrapDbError(e, 'reading the Citus metadata');
  }
}

/**
 * What Citus cannot run safely, refused before anything is written: a distributed source joined to a
 * distributed master it is not co-located with, or whose scope does not carry the distribution column
 * (the join would repartition every batch, and a tenant-safe FK between them is impossible); a reference
 * or local source with a distributed master (Citus cannot update one from the other).
 */
export function checkCitusLink(
  link: LinkConfig,
  source: TableName,
  target: TableName,
  k: { source: TableKind; target: TableKind },
  p: string,
): void {
  const refuse = (why: string): never => {
    throw new BackfillError('CITUS_UNSUPPORTED', `${link.entity}: ${why} (${p})`, { details: { path: p } });
  };
  const s = k.source;
  const t = k.target;
  if (link.target.shared !== undefined && t.kind === 'distributed')
    throw new BackfillError(
      'CITUS_UNSUPPORTED',
      `${link.entity}: ${displayTable(target)} is distributed by ${t.column}, and Citus forbids a NULL distribution value: it holds no master of no scope, so "shared" cannot apply; keep shared masters in a reference table linked by another link, or leave "shared" out (${p}.target.shared)`,
      { details: { path: `${p}.target.shared` } },
    );
  if (s.kind === 'distributed' && t.kind === 'distributed') {
    // the scope entry that carries the source's distribution column, and the master column it is matched with
    const at = link.scope.indexOf(s.column);
    const paired = at >= 0 && targetScope(link)[at] === t.column;
    if (s.column !== t.column && !paired) {
      refuse(
        `${displayTable(source)} is distributed by ${s.column} and ${displayTable(target)} by ${t.column}; ` +
          `Citus joins them only co-located: distribute both by the same tenant column and list it in "scope"` +
          (link.scope.length === 0 ? ` (e.g. "scope": ["${s.column}"])` : '') +
          `, or, co-located, map one to the other: "scope": [{ "source": "${s.column}", "target": "${t.column}" }]`,
      );
    }
    if (at < 0) {
      // both by the same column already: only the scope is missing it (the message above told them to redistribute)
      refuse(
        `${displayTable(source)} and ${displayTable(target)} are both distributed by ${s.column}, which "scope" does not list: a name is matched within its tenant, and Citus joins them on that column only; add it (e.g. "scope": [${[s.column, ...link.scope].map((c) => `"${c}"`).join(', ')}])`,
      );
    }
    if (!paired)
      refuse(
        `"scope" matches ${displayTable(source)}.${s.column} with ${displayTable(target)}.${targetScope(link)[at]!}, but both tables are distributed by ${s.column}: Citus joins them on their distribution columns only; match ${s.column} with ${s.column}`,
      );
    if (s.colocation !== t.colocation) {
      // which table should move depends on the other links: a master shared by several document tables moved into one's
      // group leaves the others apart, and documents moved into a master's group leave their other masters apart (two
      // trials, one each way: a single hint sent them back and forth). Both ways are named; alter_distributed_table
      // rewrites the table, so shard counts need not match (update_distributed_table_colocation refused 4 vs 32 shards)
      const move = (what: TableName, into: TableName): string =>
        // eslint-disable-next-line no-restricted-syntax -- the statement a person runs to fix it, quoted in the message
        `SELECT alter_distributed_table('${displayTable(what)}', colocate_with => '${displayTable(into)}')`;
      refuse(
        `${displayTable(source)} and ${displayTable(target)} are distributed by ${s.column} but not co-located; co-locate them: ${move(target, source)} (moves the master into the group of ${displayTable(source)}: right unless other document tables are co-located with ${displayTable(target)}), or ${move(source, target)} (moves the documents: right unless other masters are co-located with ${displayTable(source)})`,
      );
    }
  }
  // schema-based sharding: a tenant schema's tables are single-shard, joined only within their co-location group
  const sGroup = s.kind === 'local' ? s.singleShard : undefined;
  const tGroup = t.kind === 'local' ? t.singleShard : undefined;
  if (t.kind === 'local' && (sGroup !== undefined || tGroup !== undefined) && sGroup !== tGroup) {
    refuse(
      `${displayTable(source)} and its master ${displayTable(target)} are not in one Citus co-location group (${sGroup === undefined ? 'a local table' : `single-shard group ${sGroup}`} and ${tGroup === undefined ? 'a local table' : `single-shard group ${tGroup}`}: tables of two tenant schemas, or one beside a local table); Citus joins a single-shard table only with tables of its own schema's group and reference tables: link tables of one schema, or make the master a reference table`,
    );
  }
  if (s.kind !== 'distributed' && t.kind === 'distributed') {
    refuse(
      `${displayTable(source)} is a ${s.kind} table and its master ${displayTable(target)} is distributed: Citus cannot update the one from the other; distribute ${displayTable(source)} co-located with it`,
    );
  }
  if (s.kind === 'local' && !s.managed && (t.kind === 'reference' || (t.kind === 'local' && t.managed))) {
    const master = t.kind === 'reference' ? 'reference' : 'Citus local';
    // eslint-disable-next-line no-restricted-syntax -- the statement a person runs to fix it, quoted in the message
    const fix = `SELECT citus_add_local_table_to_metadata('${displayTable(source)}')`;
    refuse(
      `${displayTable(source)} is local to the Citus coordinator and its master ${displayTable(target)} is a ${master} table: Citus cannot update a plain local table from a join with it; add the table to Citus's metadata (it stays on the coordinator): ${fix}`,
    );
  }
}

/** Whether a run over these links writes a Citus reference table (a run in one transaction then goes sequential). */
export function writesCitusReference(links: readonly { citus: { source: TableKind } | null }[]): boolean {
  return links.some((l) => l.citus?.source.kind === 'reference');
}
