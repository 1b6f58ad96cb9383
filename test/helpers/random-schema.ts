/**
 * Random multi-tenant schemas, data and configs for property-based tests (fast-check), and the SQL to
 * build them. Identifiers include quotes, spaces, semicolons, mixed case and reserved words; names
 * include unicode, quotes, whitespace variants, empty strings, very long strings and NULL.
 */
import fc from 'fast-check';
import type { ConfigInput } from '../../src/config/index.js';
import type { Queryable } from '../../src/db/port.js';

export type KeyType = 'uuid' | 'int' | 'bigint' | 'text';
export type ScopeType = 'uuid' | 'int' | 'text';
export type MatchMode = 'exact' | 'normalized' | 'fuzzy';

export interface GenSource {
  entity: string;
  table: string;
  key: string;
  keyType: KeyType;
  fk: string;
  name: string;
  nameType: 'text' | 'varchar';
  document: string | null;
  /** A timestamptz column; `configured` says whether config names it (else it must be `updated_at` to be found, or disabled). */
  updatedAt: { column: string; mode: 'named' | 'default' | 'disabled' } | null;
  match: MatchMode;
  /** FK constraint ON DELETE RESTRICT present. */
  constraint: boolean;
}

export interface GenSchema {
  schema: string;
  target: { table: string; key: string; keyType: KeyType; name: string; active: string | null; nameIndex: boolean };
  scope: { column: string; type: ScopeType }[];
  sources: GenSource[];
}

/** Scope values are indices into a small per-type value list; null only where allowed. */
export interface GenMaster {
  scope: number[];
  name: string | null;
  active: boolean;
}

export interface GenDoc {
  scope: (number | null)[];
  name: string | null;
  /** Index of a master of the same scope it is already linked to (or null: FK NULL). */
  linkedTo: number | null;
  docNo: string;
}

export interface GenCase {
  schema: GenSchema;
  masters: GenMaster[];
  docs: GenDoc[][];
  /** Index of the tenant (first scope value) to run for, or null: all tenants. */
  tenant: number | null;
  /** Batched apply/undo with this many keys per batch, or null: one transaction. */
  batchSize: number | null;
}

// ---------------------------------------------------------------- identifiers

export const HOSTILE_IDENTIFIERS = [
  'order',
  'user',
  'select',
  'Order',
  'SELECT',
  'group',
  'table',
  'from',
  'where',
  'MiXeD Case',
  'with space',
  ' leading and trailing ',
  'semi;colon',
  'quo"te',
  '"',
  '""',
  "apo'strophe",
  "'; DROP TABLE customers; --",
  'dash-ed',
  'dot.ted',
  '$1',
  '%_\\',
  'ünïcödé',
  '名前',
  'emoji🙂',
  'tab\there',
  'x'.repeat(63),
];

const SYSTEM_COLUMNS = new Set(['oid', 'tableoid', 'xmin', 'xmax', 'cmin', 'cmax', 'ctid']);

export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function validIdent(s: string): boolean {
  return s.length > 0 && !s.includes('\u0000') && byteLength(s) <= 63 && !SYSTEM_COLUMNS.has(s) && !/^pg_/i.test(s);
}

export const identifierArb: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_IDENTIFIERS) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }) },
  )
  .filter(validIdent);

/** SQL-quoted identifier (the test's own quoting, independent of src/sql/quote.ts). */
export function q(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

/** Config spelling of a schema-qualified table: both parts quoted. */
export function configTable(schema: string, table: string): string {
  return `${q(schema)}.${q(table)}`;
}

// ---------------------------------------------------------------- names

/** A 3000+ character string without repetition (beats TOAST compression: btree rows are limited to ~2.7 kB). */
export function longName(seed: number, length = 3000): string {
  let x = seed >>> 0 || 1;
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-\'"ü';
  let out = '';
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

export const HOSTILE_NAMES = [
  'ABC Corp',
  'abc corp',
  'ABC Corp.',
  ' ABC Corp',
  'ABC Corp ',
  'ABC  Corp',
  'ABC\tCorp',
  'ABC\u00a0Corp',
  'ABC\nCorp',
  '',
  ' ',
  "O'Brien & Sons",
  'Say "Hi" Ltd',
  "'; DROP TABLE customers; --",
  '\\',
  '%',
  '_',
  '$1',
  '%%',
  'a_c',
  'Müller GmbH',
  'Mu\u0308ller GmbH',
  'Ｍüller',
  '株式会社テスト',
  '🙂 Smiles',
  'Smith, John',
  'John Smith',
];

export const nameArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((s) => longName(s, 3000 + s * 100)) },
);

// ---------------------------------------------------------------- values per type

const UUID_SCOPE = ['00000000-0000-4000-8000-00000000a001', '00000000-0000-4000-8000-00000000b002', 'ffffffff-ffff-4fff-bfff-ffffffffffff'];
const TEXT_SCOPE = ["t'1", 'Tenant A', "'; DROP TABLE customers; --", 'tenant a', 'ü'];
const INT_SCOPE = ['1', '2', '-2147483648'];

export function scopeValue(type: ScopeType, i: number): string {
  const list = type === 'uuid' ? UUID_SCOPE : type === 'int' ? INT_SCOPE : TEXT_SCOPE;
  return list[i % list.length]!;
}

export function keyValue(type: KeyType, i: number, salt: string): string {
  switch (type) {
    case 'uuid': {
      const h = (i + 1).toString(16).padStart(12, '0');
      return `${salt.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-${h}`;
    }
    case 'int':
      return String(i + 1);
    case 'bigint':
      // beyond Number.MAX_SAFE_INTEGER: JavaScript numbers would round these
      return (9007199254740993n + BigInt(i) * 2n).toString();
    case 'text':
      return `k'${salt} ${i} "q"`;
  }
}

export function sqlType(t: KeyType | ScopeType): string {
  return t === 'int' ? 'integer' : t;
}

// ---------------------------------------------------------------- arbitraries

const keyTypeArb = fc.constantFrom<KeyType>('uuid', 'int', 'bigint', 'text');
const scopeTypeArb = fc.constantFrom<ScopeType>('uuid', 'int', 'text');

export const schemaArb: fc.Arbitrary<GenSchema> = fc
  .record({
    ids: fc.uniqueArray(identifierArb, { minLength: 16, maxLength: 16 }),
    schemaName: identifierArb.filter((s) => !['public', 'fk_backfill', 'information_schema'].includes(s)),
    scopeTypes: fc.array(scopeTypeArb, { minLength: 1, maxLength: 2 }),
    targetKeyType: keyTypeArb,
    activeColumn: fc.boolean(),
    nameIndex: fc.boolean(),
    sources: fc.array(
      fc.record({
        keyType: keyTypeArb,
        nameType: fc.constantFrom<'text' | 'varchar'>('text', 'varchar'),
        document: fc.boolean(),
        updatedAt: fc.constantFrom<'named' | 'default' | 'disabled' | 'none'>('named', 'default', 'disabled', 'none'),
        match: fc.constantFrom<MatchMode>('exact', 'exact', 'normalized', 'fuzzy'),
        constraint: fc.boolean(),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  })
  .map(({ ids, schemaName, scopeTypes, targetKeyType, activeColumn, nameIndex, sources }) => {
    const take = (i: number): string => ids[i]!;
    const scope = scopeTypes.map((type, i) => ({ column: take(i), type }));
    // ids: 0-1 scope, 2 target table, 3 target key, 4 target name, 5 active, 6-7 source tables, 8.. source columns
    return {
      schema: schemaName,
      target: { table: take(2), key: take(3), keyType: targetKeyType, name: take(4), active: activeColumn ? take(5) : null, nameIndex },
      scope,
      sources: sources.map((s, i) => ({
        entity: `link_${i}`,
        table: take(6 + i),
        key: take(8),
        keyType: s.keyType,
        fk: take(9),
        name: take(10),
        nameType: s.nameType,
        document: s.document ? take(11) : null,
        updatedAt:
          s.updatedAt === 'none'
            ? null
            : s.updatedAt === 'default'
              ? { column: 'updated_at', mode: 'default' as const }
              : { column: take(12), mode: s.updatedAt },
        match: s.match,
        constraint: s.constraint,
      })),
    } satisfies GenSchema;
  })
  // 'updated_at' as a default-named column must not collide with another column name
  .filter((s) =>
    s.sources.every(
      (src) =>
        src.updatedAt?.mode !== 'default' ||
        ![src.key, src.fk, src.name, src.document, ...s.scope.map((x) => x.column)].includes('updated_at'),
    ),
  );

export function caseArb(sizes: { masters: number; docs: number }): fc.Arbitrary<GenCase> {
  return schemaArb.chain((schema) => {
    const nScope = schema.scope.length;
    const scopeIdx = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: nScope, maxLength: nScope });
    const masterArb = fc.record({
      scope: scopeIdx,
      name: nameArb,
      active: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    });
    return fc.array(masterArb, { maxLength: sizes.masters, size: 'max' }).chain((masters) => {
      const docArb = fc
        .record({
          scope: fc.array(
            fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 2 }) }, { weight: 1, arbitrary: fc.constant(null) }),
            {
              minLength: nScope,
              maxLength: nScope,
            },
          ),
          nameFrom: fc.oneof(
            {
              weight: 4,
              arbitrary: fc
                .record({
                  n: fc.nat(),
                  sameScope: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
                })
                .map((x) => ({ kind: 'master' as const, ...x })),
            },
            { weight: 2, arbitrary: nameArb.map((name) => ({ kind: 'free' as const, name })) },
          ),
          link: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
          docNo: fc.oneof(fc.constantFrom("SO-'1", 'INV-2026-002', '$1', '%'), fc.string({ maxLength: 10 })),
        })
        .map((d): GenDoc => {
          const from = d.nameFrom.kind === 'master' && masters.length > 0 ? masters[d.nameFrom.n % masters.length]! : null;
          const name = d.nameFrom.kind === 'master' ? (from === null ? null : from.name) : d.nameFrom.name;
          // most documents name a master of their own scope
          if (from !== null && d.nameFrom.kind === 'master' && d.nameFrom.sameScope) d.scope = [...from.scope];
          let linkedTo: number | null = null;
          if (d.link !== null && d.scope.every((v) => v !== null)) {
            // already linked: to a master of the same scope only (pre-existing data is consistent)
            const same = masters.map((m, i) => [m, i] as const).filter(([m]) => m.scope.every((v, j) => v === d.scope[j]));
            if (same.length > 0) linkedTo = same[d.link % same.length]![1];
          }
          return { scope: d.scope, name, linkedTo, docNo: d.docNo };
        });
      return fc.record({
        schema: fc.constant(schema),
        masters: fc.constant(masters),
        docs: fc.tuple(...schema.sources.map(() => fc.array(docArb, { maxLength: sizes.docs, size: 'max' }))),
        tenant: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2 })),
        batchSize: fc.option(fc.integer({ min: 1, max: 7 })),
      });
    });
  });
}

// ---------------------------------------------------------------- building

export function masterKey(c: GenCase, i: number): string {
  return keyValue(c.schema.target.keyType, i, 'a1');
}

export function docKey(c: GenCase, source: number, i: number): string {
  return keyValue(c.schema.sources[source]!.keyType, i, `d${source}`);
}

async function insertRows(
  db: Queryable,
  table: string,
  cols: { name: string; type: string }[],
  rows: (string | boolean | null)[][],
): Promise<void> {
  const chunk = 200;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const values: unknown[] = [];
    const tuples = part.map(
      (r) =>
        `(${r
          .map((v, j) => {
            values.push(v);
            return `$${values.length}::${cols[j]!.type}`;
          })
          .join(', ')})`,
    );
    await db.query(`INSERT INTO ${table} (${cols.map((c) => q(c.name)).join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }
}

/** Creates the schema, tables and rows of a case. */
export async function buildCase(db: Queryable, c: GenCase): Promise<void> {
  const s = c.schema;
  const sch = q(s.schema);
  const tgt = `${sch}.${q(s.target.table)}`;
  await db.query(`CREATE SCHEMA ${sch}`);
  const scopeCols = s.scope.map((x) => `${q(x.column)} ${sqlType(x.type)}`);
  await db.query(
    `CREATE TABLE ${tgt} (${q(s.target.key)} ${sqlType(s.target.keyType)} PRIMARY KEY, ${scopeCols.map((x) => `${x} NOT NULL`).join(', ')}, ${q(s.target.name)} text${
      s.target.active === null ? '' : `, ${q(s.target.active)} boolean NOT NULL DEFAULT true`
    })`,
  );
  if (s.target.nameIndex) {
    // a realistic lookup index: long names must not break anything the tool does
    await db.query(`CREATE INDEX ON ${tgt} (${s.scope.map((x) => q(x.column)).join(', ')}, md5(${q(s.target.name)}))`);
  }
  const mcols = [
    { name: s.target.key, type: sqlType(s.target.keyType) },
    ...s.scope.map((x) => ({ name: x.column, type: sqlType(x.type) })),
    { name: s.target.name, type: 'text' },
  ];
  if (s.target.active !== null) mcols.push({ name: s.target.active, type: 'boolean' });
  await insertRows(
    db,
    tgt,
    mcols,
    c.masters.map((m, i) => {
      const row: (string | boolean | null)[] = [masterKey(c, i), ...m.scope.map((v, j) => scopeValue(s.scope[j]!.type, v)), m.name];
      if (s.target.active !== null) row.push(m.active);
      return row;
    }),
  );
  for (const [si, src] of s.sources.entries()) {
    const t = `${sch}.${q(src.table)}`;
    const cols = [
      `${q(src.key)} ${sqlType(src.keyType)} PRIMARY KEY`,
      ...s.scope.map((x) => `${q(x.column)} ${sqlType(x.type)}`),
      `${q(src.name)} ${src.nameType === 'varchar' ? 'varchar' : 'text'}`,
      `${q(src.fk)} ${sqlType(s.target.keyType)}${src.constraint ? ` REFERENCES ${tgt} (${q(s.target.key)}) ON DELETE RESTRICT` : ''}`,
    ];
    if (src.document !== null) cols.push(`${q(src.document)} text`);
    if (src.updatedAt !== null)
      cols.push(`${q(src.updatedAt.column)} timestamptz NOT NULL DEFAULT timestamptz '2026-01-20 10:00:00.123456+00'`);
    await db.query(`CREATE TABLE ${t} (${cols.join(', ')})`);
    const dcols = [
      { name: src.key, type: sqlType(src.keyType) },
      ...s.scope.map((x) => ({ name: x.column, type: sqlType(x.type) })),
      { name: src.name, type: 'text' },
      { name: src.fk, type: sqlType(s.target.keyType) },
    ];
    if (src.document !== null) dcols.push({ name: src.document, type: 'text' });
    await insertRows(
      db,
      t,
      dcols,
      (c.docs[si] ?? []).map((d, i) => {
        const row: (string | null)[] = [
          docKey(c, si, i),
          ...d.scope.map((v, j) => (v === null ? null : scopeValue(s.scope[j]!.type, v))),
          d.name,
          d.linkedTo === null ? null : masterKey(c, d.linkedTo),
        ];
        if (src.document !== null) row.push(d.docNo);
        return row;
      }),
    );
  }
}

export function configOf(c: GenCase): ConfigInput {
  const s = c.schema;
  return {
    links: s.sources.map((src) => ({
      entity: src.entity,
      table: configTable(s.schema, src.table),
      key: src.key,
      fk: src.fk,
      name: src.name,
      ...(src.document !== null ? { document: src.document } : {}),
      target: {
        table: configTable(s.schema, s.target.table),
        key: s.target.key,
        name: s.target.name,
        ...(s.target.active !== null ? { active: s.target.active } : {}),
      },
      scope: s.scope.map((x) => x.column),
      ...(src.updatedAt === null
        ? {}
        : src.updatedAt.mode === 'named'
          ? { updatedAt: src.updatedAt.column }
          : src.updatedAt.mode === 'disabled'
            ? { updatedAt: null }
            : {}),
      match: src.match,
    })),
  };
}

/** The tenant option of a case: a first-scope value that some row has, else all tenants. */
export function tenantOf(c: GenCase): { tenantId: string } | { allTenants: true } {
  if (c.tenant === null) return { allTenants: true };
  const present = c.masters.some((m) => m.scope[0] === c.tenant) || c.docs.some((ds) => ds.some((d) => d.scope[0] === c.tenant));
  return present ? { tenantId: scopeValue(c.schema.scope[0]!.type, c.tenant) } : { allTenants: true };
}

// ---------------------------------------------------------------- observing

/** md5 of every row of a table, ordered by the row's text: equal hashes = byte-for-byte equal tables. */
export async function tableHash(db: Queryable, table: string): Promise<string> {
  const res = await db.query<{ h: string }>(
    `SELECT md5(coalesce(string_agg(ROW(x.*)::text, E'\\n' ORDER BY ROW(x.*)::text), '')) AS h FROM ${table} x`,
  );
  return res.rows[0]!.h;
}

/** Hashes of every table of the given schemas (user tables, or fk_backfill). */
export async function schemaHashes(db: Queryable, schemas: string[]): Promise<Record<string, string>> {
  const res = await db.query<{ nspname: string; relname: string }>(
    `SELECT n.nspname::text AS nspname, c.relname::text AS relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY ($1::text[]) ORDER BY 1, 2`,
    [schemas],
  );
  const out: Record<string, string> = {};
  for (const r of res.rows) out[`${r.nspname}.${r.relname}`] = await tableHash(db, `${q(r.nspname)}.${q(r.relname)}`);
  return out;
}

/** Rows of a source table: key, fk, and everything else (minus fk and the touched column) as JSON text. */
export async function sourceRows(
  db: Queryable,
  c: GenCase,
  si: number,
): Promise<Map<string, { fk: string | null; rest: string; scope: (string | null)[]; name: string | null }>> {
  const s = c.schema;
  const src = s.sources[si]!;
  const drop = [src.fk, ...(src.updatedAt === null ? [] : [src.updatedAt.column])];
  const res = await db.query<{ k: string; fk: string | null; rest: string; scope: (string | null)[]; name: string | null }>(
    `SELECT x.${q(src.key)}::text AS k, x.${q(src.fk)}::text AS fk, (to_jsonb(x.*) - $1::text[])::text AS rest,
            ARRAY[${s.scope.map((sc) => `x.${q(sc.column)}::text`).join(', ')}]::text[] AS scope, x.${q(src.name)}::text AS name
       FROM ${q(s.schema)}.${q(src.table)} x`,
    [drop],
  );
  return new Map(res.rows.map((r) => [r.k, { fk: r.fk, rest: r.rest, scope: r.scope, name: r.name }]));
}
