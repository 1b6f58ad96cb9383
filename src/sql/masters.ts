/**
 * Catalog statements for `masters create`: which columns an INSERT of a new master must fill, and whether
 * the master key fills itself (identity, a default such as nextval(), a serial).
 */
import type { Statement } from './statements.js';

/**
 * Every column of the master table (by oid): NOT NULL, has a default, identity, generated. One
 * statement, read before anything is written.
 */
export function masterColumnsStatement(targetOid: number): Statement {
  return {
    text: `SELECT a.attname::text AS name, a.attnotnull AS not_null, a.atthasdef AS has_default,
       a.attidentity::text AS identity, a.attgenerated::text AS generated, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum`,
    values: [targetOid],
  };
}
