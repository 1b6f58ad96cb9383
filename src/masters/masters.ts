/**
 * Missing masters (the seed's "create master data first", from evidence): `proposeMasters` clusters the
 * unmatched names of each target table and scope with the matcher into proposed new master records;
 * `createMasters` inserts the approved ones in one transaction (numbered like CUST-006 when the link
 * names a number column), records alias decisions for every clustered name, then plans again.
 */
import { z } from 'zod';
import { num, type Queryable, withinTransaction } from '../db/port.js';
import { BackfillError, wrapDbError } from '../errors.js';
import { createMatcher, DEFAULT_MATCH_OPTIONS, type MatchOptions, normalizeName } from '../match/index.js';
import { activePredicate } from '../config/schema.js';
import { placeholderReason } from '../plan/decide.js';
import { mastersLockStatement, insertMastersStatement, masterColumnsStatement, masterNumbersStatement, reactivateMastersStatement } from '../sql/masters.js';
import { inactiveMastersStatement, mastersStatement } from '../sql/plan.js';
import type { Statement } from '../sql/link.js';
import type { ResolvedLink } from '../context/catalog.js';
import { type CommonOptions, type Context, prepare, shape } from '../context/context.js';
import { planIn, type PlanResult } from '../planning/plan.js';
import { type DecideInput, decideManyIn } from '../review/decide.js';
import type { QueueItem } from '../review/types.js';
import { reviewQueueIn } from '../review/queue.js';
import { matchOptionsFor } from '../planning/scored.js';

const proposalSchema = z
  .object({
    id: z.string().min(1),
    approved: z.boolean(),
    action: z.enum(['create', 'reactivate']),
    targetTable: z.string().min(1),
    links: z.array(z.string().min(1)).min(1),
    scopeKey: z.array(z.string().nullable()),
    // may be blank or a placeholder as proposed (never approved then); `create` refuses such a name only when approved
    name: z.string().max(1000),
    /** Why `propose` did not approve it (a blank or placeholder-like name). */
    reason: z.string().optional(),
    rows: z.number().int().nonnegative(),
    names: z.array(z.object({ link: z.string(), name: z.string(), rows: z.number().int().nonnegative(), documents: z.array(z.string()) }).strict()).min(1),
    inactiveMatches: z.array(z.object({ key: z.string(), name: z.string(), number: z.string().nullable() }).strict()),
    /** Active masters whose name equals the proposal's apart from case, spacing, punctuation or legal form: link to them instead. */
    activeMatches: z.array(z.object({ key: z.string(), name: z.string() }).strict()).optional(),
    reactivateKey: z.string().nullable(),
  })
  .strict();

export const proposalsFileSchema = z
  .object({
    version: z.literal(1),
    createdAt: z.string(),
    tenantId: z.string().nullable(),
    configHash: z.string(),
    planRunId: z.string(),
    note: z.string().optional(),
    /** What `masters create` would refuse as the master table stands (a NOT NULL column it does not fill…), said up front. */
    warnings: z.array(z.string()).optional(),
    proposals: z.array(proposalSchema),
  })
  .strict();

export type MasterProposal = z.infer<typeof proposalSchema>;
export type ProposalsFile = z.infer<typeof proposalsFileSchema>;

export interface ProposeOptions extends CommonOptions {
  executedBy?: string | null;
}

/** Links that share a master table (same table, key and name column): customers for orders and invoices. */
function targetGroup(l: ResolvedLink): string {
  return JSON.stringify([l.config.target.table, l.config.target.key, l.config.target.name]);
}

function clusterOptions(l: ResolvedLink): MatchOptions {
  return l.config.match === 'fuzzy' ? matchOptionsFor(l) : DEFAULT_MATCH_OPTIONS.fuzzy;
}

interface Member {
  name: string;
  rows: number;
  perLink: Map<string, { rows: number; documents: string[] }>;
}

/**
 * Greedy clustering, most rows first: a name joins the first cluster whose representative the matcher
 * would auto-link it to (exact, normalised, or fuzzy above autoLinkAt with a clear margin); else it
 * starts a cluster. The matcher is rebuilt only when a cluster is added.
 */
export function clusterNames(members: Member[], opts: MatchOptions): Member[][] {
  const sorted = [...members].sort((a, b) => b.rows - a.rows || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const clusters: Member[][] = [];
  // Two matchers keep this near-linear: `big` over the representatives up to the last rebuild, `small`
  // over the few added since (rebuilt per new cluster); `big` is rebuilt every `batch` new clusters.
  const batch = Math.max(32, Math.ceil(Math.sqrt(sorted.length)));
  let big: ReturnType<typeof createMatcher> | null = null;
  let bigSize = 0;
  let small: ReturnType<typeof createMatcher> | null = null;
  const build = (from: number, to: number): ReturnType<typeof createMatcher> | null =>
    to > from ? createMatcher(clusters.slice(from, to).map((c, i) => ({ key: String(from + i), name: c[0]!.name })), [], opts) : null;
  for (const m of sorted) {
    if (clusters.length - bigSize >= batch) {
      big = build(0, clusters.length);
      bigSize = clusters.length;
      small = null;
    }
    if (small === null) small = build(bigSize, clusters.length);
    let best: { key: number; score: number } | null = null;
    for (const matcher of [big, small]) {
      const d = matcher?.match(m.name);
      if (d !== undefined && d.outcome === 'linked' && d.targetKey !== null && (best === null || (d.score ?? 0) > best.score)) best = { key: Number(d.targetKey), score: d.score ?? 0 };
    }
    if (best !== null) {
      clusters[best.key]!.push(m);
      continue;
    }
    clusters.push([m]);
    small = null;
  }
  return clusters;
}

/** Proposes new master records for the unmatched names (and names decided "create") of every scope. */
export async function proposeMastersIn(ctx: Context, opts: { executedBy?: string | null } = {}): Promise<ProposalsFile> {
  const queue = await reviewQueueIn(ctx, { fresh: true, limit: 1_000_000, samples: 5, executedBy: opts.executedBy ?? null });
  const wanted = queue.items.filter((i) => (i.outcome === 'unmatched' && i.decision === null) || i.decision?.action === 'create');
  const groups = new Map<string, { links: ResolvedLink[]; items: QueueItem[] }>();
  for (const l of ctx.links) {
    const g = groups.get(targetGroup(l)) ?? { links: [], items: [] };
    g.links.push(l);
    groups.set(targetGroup(l), g);
  }
  for (const it of wanted) {
    const l = ctx.links.find((x) => x.entity === it.link)!;
    groups.get(targetGroup(l))!.items.push(it);
  }
  const proposals: MasterProposal[] = [];
  const warnings: string[] = [];
  for (const g of groups.values()) {
    if (g.items.length === 0) continue;
    const first = g.links[0]!;
    await assertCanCreateMasters(ctx.db, first).catch((e: unknown) => {
      if (!(e instanceof BackfillError)) throw e;
      warnings.push(`masters create will refuse this file as ${first.config.target.table} stands: ${e.message}`);
    });
    const inactive = await mastersByScope<{ scope_key: (string | null)[]; key: string; name: string; number: string | null }>(
      ctx.db,
      inactiveMastersStatement({ ...shape(first), number: first.config.target.number }, ctx.filter),
    );
    const active = await mastersByScope<{ scope_key: (string | null)[]; key: string; name: string }>(ctx.db, mastersStatement(shape(first), ctx.filter));
    const byScope = new Map<string, QueueItem[]>();
    for (const it of g.items) {
      const k = JSON.stringify(it.scopeKey);
      byScope.set(k, [...(byScope.get(k) ?? []), it]);
    }
    for (const [scopeJson, items] of [...byScope.entries()].sort()) {
      const scopeKey = JSON.parse(scopeJson) as (string | null)[];
      const members = new Map<string, Member>();
      for (const it of items) {
        const m = members.get(it.name) ?? { name: it.name, rows: 0, perLink: new Map() };
        m.rows += it.rows;
        m.perLink.set(it.link, { rows: it.rows, documents: it.sampleDocuments });
        members.set(it.name, m);
      }
      // candidates of the name's own scope that a new master would likely duplicate: any, for a name with an
      // initial ("M. Jones" beside Mark and Mary Jones: an abbreviation, not a new person), else those scored at
      // least reviewAt. A person's "create" decision stands: they saw the candidates.
      const strong = new Map<string, { key: string; name: string; score: number }[]>();
      for (const it of items) {
        if (it.decision?.action === 'create') continue;
        const l = ctx.links.find((x) => x.entity === it.link)!;
        const reviewAt = matchOptionsFor(l).reviewAt;
        const initial = /(^|[\s,])\p{L}\.?(?=\s|$)/u.test(it.name.trim());
        const cs = it.candidates.filter((x) => x.active && x.score !== null && (initial || x.score >= reviewAt)).map((x) => ({ key: x.key, name: x.name, score: x.score! }));
        if (cs.length > 0) strong.set(it.name, [...(strong.get(it.name) ?? []), ...cs]);
      }
      const clusters = clusterNames([...members.values()], clusterOptions(first));
      clusters.forEach((c, i) => {
        const rep = c[0]!;
        const norms = new Set(c.map((m) => normalizeName(m.name).key));
        const inactiveMatches = (inactive.get(scopeJson) ?? [])
          .filter((m) => norms.has(m.norm) || c.some((x) => x.name === m.name))
          .map(({ key, name, number }) => ({ key, name, number }));
        const activeMatches = (active.get(scopeJson) ?? []).filter((m) => norms.has(m.norm)).map(({ key, name }) => ({ key, name }));
        const names = c.flatMap((m) => [...m.perLink.entries()].map(([link, v]) => ({ link, name: m.name, rows: v.rows, documents: v.documents })));
        const candidates = c.flatMap((m) => strong.get(m.name) ?? []);
        const reason = scopeKey.some((v) => v === null)
          ? 'not approved: no tenant: a scope column of its documents is NULL, so the new master would have no scope; set the documents\' scope first (no master can be created for it)'
          : candidates.length > 0
            ? `not approved: it may abbreviate or misspell a master of its own scope: ${candidates.slice(0, 3).map((x) => `${JSON.stringify(x.name)} (key ${x.key}, score ${x.score})`).join(', ')}${candidates.length > 3 ? ` and ${candidates.length - 3} more` : ''}; review it (accept/pick) instead of creating a duplicate, or set "approved": true to create one anyway`
            : notApprovedBecause(rep.name, activeMatches, inactiveMatches);
        proposals.push({
          id: `${first.config.target.table}#${scopeKey.join('/')}#${i + 1}`,
          approved: reason === null,
          ...(reason === null ? {} : { reason }),
          action: 'create',
          targetTable: first.config.target.table,
          links: [...new Set(names.map((n) => n.link))],
          scopeKey,
          // the document's spelling, without its stray blanks (a master named 'Tiefbau Huber ' is a new problem)
          name: rep.name.trim().replace(/\s+/g, ' '),
          rows: c.reduce((a, m) => a + m.rows, 0),
          names,
          inactiveMatches,
          ...(activeMatches.length > 0 ? { activeMatches } : {}),
          reactivateKey: null,
        });
      });
    }
  }
  proposals.sort((a, b) => b.rows - a.rows || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    tenantId: ctx.filter.tenant,
    configHash: ctx.configHash,
    planRunId: queue.planRunId,
    note:
      'Set "approved": false to skip a proposal; edit "name" to name the new master. Not approved (see "reason"): blank and placeholder-like names ("N/A", "???", "-", "unknown"); ' +
      'names an active master already has apart from case, spacing or punctuation (activeMatches: link to it instead); names of a suspended master (inactiveMatches: set "action": "reactivate", ' +
      '"reactivateKey" to one of their keys and "approved": true to reactivate it instead of creating a duplicate).',
    ...(warnings.length > 0 ? { warnings } : {}),
    proposals,
  };
}

/**
 * Why `propose` leaves a proposal unapproved, or null: a blank or placeholder-like name; an active
 * master with the same name apart from case, spacing, punctuation or legal form (the plan did not link
 * it because the link matches exactly: creating it would make a duplicate); a soft-deleted master of
 * that name (reactivating it may be what is wanted).
 */
function notApprovedBecause(name: string, active: { key: string; name: string }[], inactive: { key: string; name: string }[]): string | null {
  const why = placeholderReason(name);
  if (why !== null) return `not approved: ${why}; give it a real "name" and set "approved": true to create it`;
  const list = (ms: { key: string; name: string }[]): string => ms.slice(0, 3).map((m) => `${JSON.stringify(m.name)} (key ${m.key})`).join(', ') + (ms.length > 3 ? ` and ${ms.length - 3} more` : '');
  if (active.length > 0) {
    return `not approved: an active master has the same name apart from case, spacing, punctuation or legal form: ${list(active)}; link these names to it (review: accept/pick) instead of creating a duplicate, or set "approved": true to create one anyway`;
  }
  if (inactive.length > 0) {
    return `not approved: a soft-deleted master has this name: ${list(inactive)}; set "action": "reactivate", "reactivateKey" and "approved": true to reactivate it, or only "approved": true to create a new one anyway`;
  }
  return null;
}

/** Masters read by `st` (active or inactive ones), grouped per scope (JSON of the scope key), with their normalised names. */
async function mastersByScope<R extends { scope_key: (string | null)[]; key: string; name: string }>(db: Queryable, st: Statement): Promise<Map<string, (Omit<R, 'scope_key'> & { norm: string })[]>> {
  const out = new Map<string, (Omit<R, 'scope_key'> & { norm: string })[]>();
  for (const { scope_key, ...r } of (await db.query<R>(st.text, st.values)).rows) {
    const k = JSON.stringify(scope_key);
    const list = out.get(k) ?? [];
    if (list.length === 0) out.set(k, list);
    list.push({ ...r, norm: normalizeName(r.name).key });
  }
  return out;
}

export async function proposeMasters(db: unknown, opts: ProposeOptions = {}): Promise<ProposalsFile> {
  const ctx = await prepare(db, opts, { tenant: 'required' });
  return proposeMastersIn(ctx, opts);
}

export interface CreatedMaster {
  proposalId: string;
  action: 'create' | 'reactivate';
  targetTable: string;
  scopeKey: (string | null)[];
  key: string;
  name: string;
  number: string | null;
  names: number;
}

export interface CreateMastersResult {
  created: CreatedMaster[];
  skipped: number;
  /** The plan made right after (the new masters' rows are linked in it). */
  plan: PlanResult;
}

/** Next numbers per scope: continue the most used prefix (CUST-) at its widest width, else derive one from the table name. */
async function numberer(db: Queryable, l: ResolvedLink, ctx: Context): Promise<(scopeKey: (string | null)[]) => string> {
  const col = l.config.target.number!;
  const st = masterNumbersStatement({ ...shape(l), number: col }, ctx.filter);
  const res = await db.query<{ scope_key: (string | null)[]; prefix: string | null; width: number; max_number: string; n: unknown }>(st.text, st.values);
  const best = new Map<string, { prefix: string; width: number; next: bigint; n: number }>();
  for (const r of res.rows) {
    const k = JSON.stringify(r.scope_key);
    const cur = best.get(k);
    const n = num(r.n);
    if (cur === undefined || n > cur.n) best.set(k, { prefix: r.prefix ?? '', width: Number(r.width), next: BigInt(r.max_number) + 1n, n });
  }
  const fallbackPrefix = `${l.target.table.replace(/[^A-Za-z]/g, '').slice(0, 4).toUpperCase() || 'M'}-`;
  return (scopeKey) => {
    const k = JSON.stringify(scopeKey);
    const b = best.get(k) ?? { prefix: fallbackPrefix, width: 3, next: 1n, n: 0 };
    best.set(k, { ...b, next: b.next + 1n });
    return `${b.prefix}${b.next.toString().padStart(b.width, '0')}`;
  };
}

/**
 * Inserts the approved proposals (one transaction for all), records an alias decision for every name
 * of each cluster so the next plan links their rows (by any strategy), then plans again.
 */
export async function createMastersIn(ctx: Context, file: unknown, opts: { by: string | null }): Promise<CreateMastersResult> {
  const parsed = proposalsFileSchema.safeParse(file);
  if (!parsed.success) {
    throw new BackfillError('INVALID_INPUT', `proposals file is not valid: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const approved = parsed.data.proposals.filter((p) => p.approved);
  const problems: string[] = [];
  const seen = new Set<string>();
  const linkFor = (p: MasterProposal): ResolvedLink | undefined => ctx.links.find((l) => p.links.includes(l.entity) && l.config.target.table === p.targetTable);
  for (const p of approved) {
    const l = linkFor(p);
    if (l === undefined) problems.push(`${p.id}: no configured link ${p.links.join('/')} with target ${p.targetTable}`);
    else {
      for (const n of p.names) if (!ctx.links.some((x) => x.entity === n.link && targetGroup(x) === targetGroup(l))) problems.push(`${p.id}: name "${n.name}" has link ${n.link}, which does not point to ${p.targetTable}`);
      if (p.scopeKey.length !== l.config.scope.length) problems.push(`${p.id}: scope must have ${l.config.scope.length} value(s)`);
      // a master's scope columns are what makes it a tenant's: a NULL one is refused here, not by the database mid-write
      p.scopeKey.forEach((v, j) => {
        if (v === null) {
          problems.push(`proposals[${parsed.data.proposals.indexOf(p)}].scopeKey[${j}] (${p.id}): approved, but ${l.config.target.table}.${l.config.scope[j] ?? `scope #${j + 1}`} is NULL (no tenant): a master needs every scope value; set "approved": false`);
        }
      });
      if (p.action === 'reactivate' && (p.reactivateKey === null || l.config.target.active === undefined)) problems.push(`${p.id}: reactivate needs reactivateKey and a configured active column`);
      else if (p.action === 'reactivate' && activePredicate(l.config.target.active)?.activeWhen === 'notNull') problems.push(`${p.id}: reactivate cannot choose a value for ${activePredicate(l.config.target.active)!.column} (activeWhen "notNull")`);
      const why = p.action === 'create' ? placeholderReason(p.name) : null;
      if (why !== null) problems.push(`${p.id}: approved, but its name is ${why}: give it a real name or set "approved": false`);
    }
    if (ctx.filter.tenant !== null && p.scopeKey[0] !== ctx.filter.tenant) problems.push(`${p.id}: scope ${JSON.stringify(p.scopeKey)} is outside tenant ${ctx.filter.tenant}`);
    const k = JSON.stringify([p.targetTable, p.scopeKey, p.name]);
    if (seen.has(k)) problems.push(`${p.id}: two proposals create "${p.name}" in the same scope`);
    seen.add(k);
  }
  if (problems.length > 0) throw new BackfillError('INVALID_INPUT', `proposals not created, nothing written: ${problems.join('; ')}`, { details: { problems } });
  // can a new master be inserted at all (its key fills itself, no other required column)? before anything is written
  const checked = new Set<string>();
  for (const p of approved.filter((x) => x.action === 'create')) {
    const l = linkFor(p)!;
    if (checked.has(targetGroup(l))) continue;
    checked.add(targetGroup(l));
    await assertCanCreateMasters(ctx.db, l);
  }
  const created: CreatedMaster[] = [];
  try {
    await ctx.db.transaction(async (tx) => {
      const byTarget = new Map<ResolvedLink, MasterProposal[]>();
      for (const p of approved) {
        const l = linkFor(p)!;
        const key = [...byTarget.keys()].find((x) => targetGroup(x) === targetGroup(l)) ?? l;
        byTarget.set(key, [...(byTarget.get(key) ?? []), p]);
      }
      for (const [l, list] of byTarget) {
        await tx.query(mastersLockStatement(l.config.target.table));
        const s = shape(l);
        const creates = list.filter((p) => p.action === 'create');
        if (creates.length > 0) {
          const next = l.config.target.number === undefined ? null : await numberer(tx, l, ctx);
          const rows = creates.map((p) => ({ scope: p.scopeKey, name: p.name, number: next === null ? null : next(p.scopeKey) }));
          const st = insertMastersStatement({ ...s, number: l.config.target.number }, l.scopeTypes, rows);
          const res = await tx.query<{ key: string; scope_key: (string | null)[]; name: string }>(st.text, st.values);
          if (res.rows.length !== creates.length) throw new BackfillError('INTERNAL', `inserted ${res.rows.length} of ${creates.length} masters`);
          creates.forEach((p, i) => {
            const r = res.rows.find((x) => x.name === p.name && JSON.stringify(x.scope_key) === JSON.stringify(p.scopeKey)) ?? res.rows[i]!;
            created.push({ proposalId: p.id, action: 'create', targetTable: p.targetTable, scopeKey: p.scopeKey, key: r.key, name: p.name, number: rows[i]!.number, names: p.names.length });
          });
        }
        const reacts = list.filter((p) => p.action === 'reactivate');
        if (reacts.length > 0) {
          const st = reactivateMastersStatement({ ...s, targetKeyType: l.targetKeyType }, reacts.map((p) => p.reactivateKey!), ctx.filter);
          const res = await tx.query<{ key: string; scope_key: (string | null)[]; name: string }>(st.text, st.values);
          for (const p of reacts) {
            const r = res.rows.find((x) => x.key === p.reactivateKey && JSON.stringify(x.scope_key) === JSON.stringify(p.scopeKey));
            if (r === undefined) throw new BackfillError('INVALID_INPUT', `${p.id}: master ${p.reactivateKey} not found in scope ${JSON.stringify(p.scopeKey)}`);
            created.push({ proposalId: p.id, action: 'reactivate', targetTable: p.targetTable, scopeKey: p.scopeKey, key: r.key, name: r.name, number: null, names: p.names.length });
          }
        }
      }
      // Every clustered name becomes an alias of its new master (a "create" decision is replaced).
      const decisions: DecideInput[] = [];
      for (const c of created) {
        const p = approved.find((x) => x.id === c.proposalId)!;
        for (const n of p.names) decisions.push({ link: n.link, scopeKey: p.scopeKey, name: n.name, action: 'alias', targetKey: c.key, by: opts.by });
      }
      await decideManyIn({ ...ctx, db: withinTransaction(ctx.db, tx) }, decisions);
    });
  } catch (e) {
    throw wrapDbError(e, 'creating masters');
  }
  const plan = await planIn(ctx, { executedBy: opts.by, maxUnmatchedRecords: 100 });
  return { created, skipped: parsed.data.proposals.length - approved.length, plan };
}

/**
 * Refuses (exit 2, naming the column) a master table `masters create` cannot insert into: a key with no
 * identity, default or sequence (fk-backfill does not invent keys), another NOT NULL column without a
 * default that it does not fill, or an active predicate "notNull" (no value to write that makes a master active).
 */
async function assertCanCreateMasters(db: Queryable, l: ResolvedLink): Promise<void> {
  const t = l.config.target;
  const active = activePredicate(t.active);
  if (active?.activeWhen === 'notNull') {
    throw new BackfillError('SCHEMA_UNWRITABLE_COLUMN', `cannot create masters in ${t.table}: its active predicate is ${t.table}.${active.column} IS NOT NULL, and fk-backfill does not choose a value for it; create them by hand`);
  }
  const st = masterColumnsStatement(l.targetOid);
  const cols = (await db.query<{ name: string; not_null: boolean; has_default: boolean; identity: string; generated: string; type: string }>(st.text, st.values)).rows;
  const key = cols.find((c) => c.name === t.key);
  if (key !== undefined && key.identity === '' && !key.has_default) {
    throw new BackfillError(
      'SCHEMA_UNWRITABLE_COLUMN',
      `cannot create masters in ${t.table}: its key ${t.table}.${t.key} (${key.type}) has no identity, default or sequence, and fk-backfill does not invent keys. Give it one (e.g. ALTER TABLE ${t.table} ALTER COLUMN ${t.key} ADD GENERATED BY DEFAULT AS IDENTITY) or create the masters by hand`,
      { details: { table: t.table, column: t.key } },
    );
  }
  const filled = new Set([t.key, t.name, ...l.config.scope, ...(t.number !== undefined ? [t.number] : []), ...(active !== undefined ? [active.column] : [])]);
  const missing = cols.filter((c) => c.not_null && !c.has_default && c.identity === '' && c.generated === '' && !filled.has(c.name));
  if (missing.length > 0) {
    throw new BackfillError(
      'SCHEMA_UNWRITABLE_COLUMN',
      `cannot create masters in ${t.table}: ${missing.map((c) => `${t.table}.${c.name} (${c.type})`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} NOT NULL without a default, and fk-backfill fills only the key, name, scope${t.number !== undefined ? ', number' : ''}${active !== undefined ? ' and active' : ''} columns; give ${missing.length === 1 ? 'it' : 'them'} a default or create the masters by hand`,
      { details: { table: t.table, columns: missing.map((c) => c.name) } },
    );
  }
}

export async function createMasters(db: unknown, opts: CommonOptions & { proposals: unknown; by: string | null }): Promise<CreateMastersResult> {
  const ctx = await prepare(db, opts, { tenant: 'required' });
  return createMastersIn(ctx, opts.proposals, opts);
}

/**
 * One new master for one unsure name (the review page's "create master"): the same path as `masters
 * create` (numbered like the others, an alias decision recorded for the name, then a new plan).
 */
export async function createMasterForNameIn(ctx: Context, input: { link: string; scopeKey: (string | null)[]; name: string; by: string | null }): Promise<CreateMastersResult> {
  const l = ctx.links.find((x) => x.entity === input.link);
  if (l === undefined) throw new BackfillError('UNKNOWN_ENTITY', `unknown link "${input.link}"`);
  const name = input.name.trim();
  if (name === '') throw new BackfillError('INVALID_INPUT', 'a master needs a name that is not blank');
  const file: ProposalsFile = {
    version: 1,
    createdAt: new Date().toISOString(),
    tenantId: ctx.filter.tenant,
    configHash: ctx.configHash,
    planRunId: '0',
    note: 'created from the review page',
    proposals: [
      {
        id: 'review-page',
        approved: true,
        action: 'create',
        targetTable: l.config.target.table,
        links: [l.entity],
        scopeKey: input.scopeKey,
        name,
        rows: 0,
        names: [{ link: l.entity, name: input.name, rows: 0, documents: [] }],
        inactiveMatches: [],
        reactivateKey: null,
      },
    ],
  };
  return createMastersIn(ctx, file, { by: input.by });
}
