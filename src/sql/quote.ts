/**
 * The one place identifiers from configuration become SQL. Every table and column name goes through
 * `ident` or `qualified`; every value is a bound parameter, never spliced in.
 */
import { BackfillError } from '../errors.js';

/** Quotes one identifier: always double-quoted, embedded quotes doubled, NUL refused. */
export function ident(name: string): string {
  if (name.length === 0) throw new BackfillError('CONFIG_INVALID', 'an SQL identifier must not be empty');
  if (name.includes('\u0000')) throw new BackfillError('CONFIG_INVALID', 'an SQL identifier must not contain a NUL character');
  return `"${name.replace(/"/g, '""')}"`;
}

export interface TableName {
  schema: string | null;
  table: string;
}

/**
 * Parses a config table reference: `orders`, `erp.orders`, `"My Schema"."Order Lines"`.
 * Unquoted parts keep their exact spelling (no case folding: config names the catalog spelling).
 */
export function parseTableName(ref: string): TableName {
  const parts: string[] = [];
  let i = 0;
  let cur = '';
  let quoted = false;
  let sawQuote = false;
  while (i < ref.length) {
    const ch = ref[i]!;
    if (quoted) {
      if (ch === '"') {
        if (ref[i + 1] === '"') {
          cur += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cur += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      sawQuote = true;
      i++;
      continue;
    }
    if (ch === '.') {
      parts.push(cur);
      cur = '';
      sawQuote = false;
      i++;
      continue;
    }
    cur += ch;
    i++;
  }
  if (quoted) throw new BackfillError('CONFIG_INVALID', `unterminated quote in table name ${JSON.stringify(ref)}`);
  parts.push(cur);
  void sawQuote;
  if (parts.length > 2 || parts.some((p) => p.length === 0)) {
    throw new BackfillError('CONFIG_INVALID', `table name ${JSON.stringify(ref)} must be "table" or "schema.table"`);
  }
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { schema: null, table: parts[0]! };
}

/** `"schema"."table"` or `"table"` (resolved through search_path). */
export function qualified(t: TableName): string {
  return t.schema === null ? ident(t.table) : `${ident(t.schema)}.${ident(t.table)}`;
}

/** Human form for messages. */
export function displayTable(t: TableName): string {
  return t.schema === null ? t.table : `${t.schema}.${t.table}`;
}
