/**
 * The one place names and constants from configuration become SQL. Every table and column name goes through
 * `ident` or `qualified`. Every value from the data is a bound parameter, never spliced in; the few constants of
 * the configuration that must be part of a statement's text (a guard's PL/pgSQL body, a link's active predicate,
 * which dozens of statements embed) go through `literal`.
 */
import { BackfillError } from '../errors.js';

/** Quotes one identifier: always double-quoted, embedded quotes doubled, NUL refused. */
export function ident(name: string): string {
  if (name.length === 0) throw new BackfillError('CONFIG_INVALID', 'an SQL identifier must not be empty');
  if (name.includes('\u0000')) throw new BackfillError('CONFIG_INVALID', 'an SQL identifier must not contain a NUL character');
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A SQL string literal of a configuration constant. Plain `'…'` (quotes doubled) for ordinary text; `E'…'` with
 * `\\`, `\'` and `\x24` escapes when the text holds a backslash or a dollar sign, so it reads the same whatever
 * standard_conforming_strings is and cannot end a dollar-quoted body it sits in (the guard's `$fkb_guard$`). NUL is
 * refused (PostgreSQL text cannot hold it).
 */
export function literal(s: string): string {
  if (s.includes('\u0000')) throw new BackfillError('CONFIG_INVALID', 'an SQL literal must not contain a NUL character');
  if (!/[\\$]/.test(s)) return `'${s.replace(/'/g, "''")}'`;
  return `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\$/g, '\\x24')}'`;
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

/**
 * Human form for messages: `public.orders`, `Billing.Claims`, and a part that is no plain word quoted (`"Sales
 * Ops".customers`, `"order.lines"`), as the config must write it: `Sales Ops.customers.name` read as three names.
 */
export function displayTable(t: TableName): string {
  const part = (x: string): string => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(x) ? x : ident(x));
  return t.schema === null ? part(t.table) : `${part(t.schema)}.${part(t.table)}`;
}

/**
 * A schema-qualified name as the catalog quotes it (`"Billing"."Claims"`, `format('%I.%I')`: how fk_backfill.guards
 * stores a guard's table) in the form every command prints (`Billing.Claims`, `public.orders`). A stored form it
 * cannot read is shown as stored.
 */
export function displayQualified(q: string): string {
  try {
    return displayTable(parseTableName(q));
  } catch {
    return q;
  }
}
