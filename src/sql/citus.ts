/**
 * Citus: what kind of table each of a link's tables is, read from the coordinator's metadata
 * (pg_dist_partition). Statements on a distributed table take a shape Citus plans (see applyBatchStatement's
 * `distributed` branch); the catalog refuses a link whose join Citus cannot run co-located.
 */
import type { Statement } from './link.js';

/** How Citus holds a table: sharded by `column`, copied to every node (reference), or only on the coordinator. */
export type TableKind =
  | { kind: 'distributed'; column: string; colocation: number }
  | { kind: 'reference' }
  /**
   * On one node only; `managed`: in Citus's metadata (a "Citus local table", which may join reference tables in an
   * UPDATE); `singleShard`: the co-location group of a single-shard table (schema-based sharding: a tenant schema's
   * tables), which joins only tables of its own group and reference tables.
   */
  | { kind: 'local'; managed: boolean; singleShard?: number };

/** True on a database with the Citus extension (its metadata table exists). */
export function citusPresentStatement(): Statement<{ citus: boolean }> {
  return { text: `SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL AS citus`, values: [] };
}

/**
 * The Citus kind of each table in `oids` that Citus knows (a table not listed is local). partmethod 'h':
 * hash-distributed; 'n' with replication model 't': reference table; anything else is treated as local: a
 * Citus-managed local table (co-location 0) or a single-shard table (a tenant schema's: its co-location group).
 */
export function tableKindsStatement(oids: readonly number[]): Statement<TableKindRow> {
  return {
    text: `SELECT p.logicalrelid::oid::int8 AS oid, p.partmethod::text AS method, p.repmodel::text AS repmodel, p.colocationid::int8 AS colocation,
       CASE WHEN p.partmethod = 'h' THEN column_to_column_name(p.logicalrelid, p.partkey) END AS column
  FROM pg_catalog.pg_dist_partition p
 WHERE p.logicalrelid::oid = ANY($1::oid[])`,
    values: [oids],
  };
}

export interface TableKindRow {
  oid: string | number;
  method: string;
  repmodel: string;
  colocation: string | number;
  column: string | null;
}

/** A row of tableKindsStatement as a TableKind (no row: local). */
export function tableKind(row: TableKindRow | undefined): TableKind {
  if (row === undefined) return { kind: 'local', managed: false };
  if (row.method === 'h' && row.column !== null) return { kind: 'distributed', column: row.column, colocation: Number(row.colocation) };
  if (row.method === 'n' && row.repmodel === 't') return { kind: 'reference' };
  const group = Number(row.colocation);
  return group > 0 ? { kind: 'local', managed: true, singleShard: group } : { kind: 'local', managed: true };
}

/**
 * How statements on a link's source are shaped on Citus (LinkShape.citus): a source Citus manages
 * (distributed, reference, or a local table in its metadata) takes the Citus shapes; a plain local table
 * with a plain local master is a query Citus does not touch (undefined: PostgreSQL's shapes).
 */
export function citusShape(k: { source: TableKind; target: TableKind } | null): 'distributed' | 'reference' | 'local' | undefined {
  if (k === null) return undefined;
  if (k.source.kind === 'local' && !k.source.managed && k.target.kind === 'local' && !k.target.managed) return undefined;
  return k.source.kind;
}
