import { z } from 'zod';
import type { ActivePredicate } from '../sql/active.js';
import { DEFAULT_MATCH_OPTIONS } from '../match/decide.js';

const identifier = z
  .string()
  .min(1, 'must not be empty')
  .refine((s) => new TextEncoder().encode(s).length <= 63, 'PostgreSQL identifiers are at most 63 bytes (UTF-8)')
  .refine((s) => !s.includes('\u0000'), 'must not contain NUL');

/** `table` or `schema.table`; quoted parts (`"My Schema"."Orders"`) may hold dots and spaces. */
const tableRef = z.string().min(1, 'must not be empty').max(200);

const score = z.number().min(0).max(1);

/** A scope column named otherwise in the master: `{ "source": "org_id", "target": "organization_id" }`. */
const scopeEntry = z.object({ source: identifier, target: identifier }).strict();

/**
 * A link's scope as written, in the two lists every statement takes: the documents' columns and, in the same order,
 * the masters'. `target` is undefined when every master column is named as its document column (a plain `"org_id"`),
 * so a config without a mapping parses exactly as before (same object, same config hash).
 */
export function scopeColumns(scope: readonly (string | { source: string; target: string })[]): {
  source: string[];
  target: string[] | undefined;
} {
  const source = scope.map((e) => (typeof e === 'string' ? e : e.source));
  const target = scope.map((e) => (typeof e === 'string' ? e : e.target));
  return { source, target: target.some((t, i) => t !== source[i]) ? target : undefined };
}

/**
 * A row identity: one column, or a list of columns that together are unique (e.g. a partitioned table's
 * primary key `["id", "order_date"]`, a multi-tenant master's `["tenant_id", "id"]`). Kept as written
 * (config hashes of existing plans stay the same); `keyColumns` gives the list.
 */
const keyRef = z.union([
  identifier,
  z
    .array(identifier)
    .min(1, 'list at least one column')
    .max(8)
    .refine((a) => new Set(a).size === a.length, 'key columns must be distinct'),
]);

/** The columns of a `key` / `target.key` as a list. */
export function keyColumns(k: string | readonly string[]): string[] {
  return typeof k === 'string' ? [k] : [...k];
}

/** The values of a status predicate: text or numbers as the column holds them, at least one. */
const statusValues = z
  .array(z.union([z.string(), z.number().finite()], { error: 'a status value must be a string or a number' }), {
    error: 'must be a list of status values',
  })
  .min(1, { error: 'must list at least one status value' })
  .max(1000, { error: 'must list at most 1000 status values' });

const ACTIVE_WHEN_FORMS =
  'activeWhen must be true, false, "null", "notNull", "notPast", "notFuture", { "in": [values] } or { "notIn": [values] }';

/**
 * `{ "column": "deleted_at", "activeWhen": "null" }`: when a master counts as active (issue #17);
 * `{ "column": "status", "activeWhen": { "in": ["active", "trial"] } }` (or `notIn`) for a status column;
 * `{ "column": "valid_to", "activeWhen": "notPast" }` (and `"notFuture"` for `valid_from`) for validity dates.
 */
export const activePredicateSchema = z
  .object({
    column: identifier,
    activeWhen: z.union(
      [
        z.literal(true),
        z.literal(false),
        z.literal('null'),
        z.literal('notNull'),
        z.literal('notPast'),
        z.literal('notFuture'),
        z.object({ in: statusValues }).strict(),
        z.object({ notIn: statusValues }).strict(),
      ],
      { error: ACTIVE_WHEN_FORMS },
    ),
  })
  .strict();

/**
 * `target.active`: a boolean column name (true = active) or an active predicate. Kept as written in the
 * config (so a config round-trips); `activePredicate` gives the one normal form every statement uses.
 */
const ACTIVE_SHAPES =
  'must be a boolean column name or { "column": "...", "activeWhen": true | false | "null" | "notNull" | "notPast" | "notFuture" | { "in": [values] } | { "notIn": [values] } }';

const activeOne = z.union([identifier, activePredicateSchema], {
  error: (iss) => (typeof iss.input === 'string' ? undefined : ACTIVE_SHAPES),
});

/**
 * One of those, or a list of them that must all hold (a master with `deleted_at` and a status: both say whether it
 * may be linked), each on its own column.
 */
export const activeSchema = z.union(
  [
    activeOne,
    z
      .array(activeOne)
      .min(1, { error: 'must list at least one active predicate' })
      .max(4, { error: 'must list at most 4 active predicates' })
      .refine((l) => new Set(l.map((x) => (typeof x === 'string' ? x : x.column))).size === l.length, {
        error: 'each active predicate must be on its own column',
      }),
  ],
  {
    error: (iss) =>
      typeof iss.input === 'string'
        ? undefined
        : Array.isArray(iss.input)
          ? iss.input.length === 0
            ? 'must list at least one active predicate'
            : iss.input.length > 4
              ? `must list at most 4 active predicates (has ${iss.input.length})`
              : 'must be a list of active predicates, each a boolean column name or { "column": "...", "activeWhen": ... }, each on its own column'
          : ACTIVE_SHAPES,
  },
);

export const targetSchema = z
  .object({
    table: tableRef,
    /** The master's key: one column, or the tenant column(s) plus the column the FK points at. */
    key: keyRef,
    name: identifier,
    /** Which masters may be linked: a boolean column (true = active), `{ column, activeWhen }`, or a list of those that must all hold. Absent: all. */
    active: activeSchema.optional(),
    /** Column holding a human number such as CUST-003 (used when creating masters). */
    number: identifier.optional(),
    /**
     * `"null-scope"`: a master whose scope columns are all NULL (a global master: system payment terms, tax codes, a
     * shared supplier) is shared by every scope, a candidate for each scope's documents beside its own. Absent: such a
     * master belongs to no scope and is never linked. Needs a scope and a master key unique alone.
     */
    shared: z
      .literal('null-scope', {
        error: 'must be "null-scope" (a master whose scope columns are all NULL is shared by every scope), or left out',
      })
      .optional(),
  })
  .strict();

export const linkSchema = z
  .object({
    entity: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits, _ . : -'),
    table: tableRef,
    /** What identifies one source row: a column or a list of columns backed by a unique index over NOT NULL columns. */
    key: keyRef,
    fk: identifier,
    name: identifier,
    document: identifier.optional(),
    /**
     * Which source rows (documents) count: the same forms as `target.active` (a boolean column, `{ column, activeWhen }`,
     * or a list that must all hold). A row not active (soft-deleted, void) is neither planned nor linked and counts as
     * "not active", not as unlinked work. Absent: every row counts.
     */
    active: activeSchema.optional(),
    target: targetSchema,
    /**
     * The tenant columns both sides must agree on: a column named alike in both tables (`"org_id"`), or a document column
     * and the master's own (`{ "source": "org_id", "target": "organization_id" }`, spelled as `compare`). Parsed to
     * `scope` (the documents' columns) and, when a master's is named otherwise, `targetScope` (see `scopeColumns`).
     */
    scope: z
      .array(z.union([identifier, scopeEntry]))
      .max(8)
      .default([]),
    /** Column set to now() when a row is linked; default: `updated_at` if the table has it; null disables. */
    updatedAt: identifier.nullable().optional(),
    /** Numeric column summed in reports and used to order the review queue. */
    amount: identifier.optional(),
    /** ON DELETE behaviour of the FK constraint (`constrain` creates it, `verify` checks it); default 'restrict'. */
    onDelete: z.enum(['restrict', 'no action', 'cascade', 'set null', 'set default']).optional(),
    match: z.enum(['exact', 'normalized', 'fuzzy']).default('exact'),
    /**
     * Columns present on both sides weighed like the name by the fuzzy matcher (city, postcode, tax id, date of
     * birth…): `[{ "source": "city", "target": "city" }]`. See docs/matching.md, "Evidence beyond the name".
     */
    compare: z
      .array(z.object({ source: identifier, target: identifier }).strict())
      .max(8)
      .optional(),
    autoLinkAt: score.optional(),
    reviewAt: score.optional(),
    margin: score.optional(),
  })
  .strict()
  .superRefine((link, ctx) => {
    const sc = scopeColumns(link.scope);
    if (new Set(sc.source).size !== sc.source.length) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: 'scope columns must be distinct' });
    } else if (sc.target !== undefined && new Set(sc.target).size !== sc.target.length) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: 'scope target columns must be distinct' });
    }
    if (link.autoLinkAt !== undefined && link.reviewAt !== undefined && link.reviewAt > link.autoLinkAt) {
      ctx.addIssue({ code: 'custom', path: ['reviewAt'], message: 'reviewAt must be <= autoLinkAt' });
    }
    if (link.target.shared !== undefined && link.scope.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['target', 'shared'],
        message: 'a shared master is one of no scope: "shared" needs "scope" (the tenant columns whose NULL means every tenant)',
      });
    }
    if (link.fk === link.name) ctx.addIssue({ code: 'custom', path: ['fk'], message: 'fk and name must be different columns' });
    if (link.compare !== undefined && link.compare.length > 0 && link.match !== 'fuzzy') {
      ctx.addIssue({
        code: 'custom',
        path: ['compare'],
        message: 'compare columns are weighed by the fuzzy matcher only: set "match": "fuzzy"',
      });
    }
    const pairs = (link.compare ?? []).map((c) => `${c.source}\u0000${c.target}`);
    pairs.forEach((pair, i) => {
      if (pairs.indexOf(pair) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['compare', i],
          message: `the same pair as compare[${pairs.indexOf(pair)}]: each pair would count twice`,
        });
    });
    // reviewAt alone above the default autoLinkAt would leave no review band (every name either linked or unmatched)
    const autoLinkAt = link.autoLinkAt ?? DEFAULT_MATCH_OPTIONS.fuzzy.autoLinkAt;
    if (link.match === 'fuzzy' && link.autoLinkAt === undefined && link.reviewAt !== undefined && link.reviewAt > autoLinkAt) {
      ctx.addIssue({ code: 'custom', path: ['reviewAt'], message: `reviewAt must be <= autoLinkAt (${autoLinkAt} by default)` });
    }
  })
  // every statement takes the documents' scope columns as `scope` and, only when the master names one otherwise, the
  // master's as `targetScope` (one list each, same order): a config of plain names parses to what it did before
  .transform(({ scope, ...link }) => {
    const sc = scopeColumns(scope);
    return { ...link, scope: sc.source, ...(sc.target !== undefined ? { targetScope: sc.target } : {}) };
  });

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    links: z.array(linkSchema).min(1, 'at least one link is required'),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.links.forEach((l, i) => {
      const prev = seen.get(l.entity);
      if (prev !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['links', i, 'entity'], message: `duplicate entity "${l.entity}" (also links[${prev}])` });
      }
      seen.set(l.entity, i);
    });
  });

/**
 * `T` with every array in it, at any depth, readonly: what a config written `as const` in TypeScript is (readonly
 * tuples all the way down). A mutable array is assignable to a readonly one, so the input types accept both.
 */
export type ReadonlyArrays<T> = T extends readonly (infer U)[]
  ? readonly ReadonlyArrays<U>[]
  : T extends object
    ? { [K in keyof T]: ReadonlyArrays<T[K]> }
    : T;

export type LinkConfig = z.output<typeof linkSchema>;
/** A link as the calls take it (arrays readonly or not: `as const` fits). */
export type LinkInput = ReadonlyArrays<LinkDraft>;
export type Config = z.output<typeof configSchema>;
/** A config as the calls take it (arrays readonly or not: `as const` fits). */
export type ConfigInput = ReadonlyArrays<ConfigDraft>;
/** The input shape with mutable arrays: what discover builds and hands over to be edited. */
export type LinkDraft = z.input<typeof linkSchema>;
export type ConfigDraft = z.input<typeof configSchema>;

export type ActiveConfig = z.output<typeof activeSchema>;

/** The normal form of `target.active` (or a link's `active`): a bare column name means `{ column, activeWhen: true }`. */
export function activePredicate(a: ActiveConfig | undefined): ActivePredicate | undefined {
  if (a === undefined) return undefined;
  if (Array.isArray(a)) {
    const [first, ...rest] = a.map((x) => activePredicate(x)!);
    return rest.length === 0 ? first : { ...first!, also: rest };
  }
  if (typeof a === 'string') return { column: a, activeWhen: true };
  const w = a.activeWhen;
  if (typeof w !== 'object') return { column: a.column, activeWhen: w };
  // numbers as text: the literal is untyped, PostgreSQL reads it as the column's type (5 and "5" are one value)
  return { column: a.column, activeWhen: 'in' in w ? { in: w.in.map(String) } : { notIn: w.notIn.map(String) } };
}
