/**
 * Proposing missing masters (the seed's "create master data first", from evidence): the unmatched names (and names
 * decided "create") of each target table and scope, clustered with the matcher into proposed new master records.
 */
import { z } from 'zod';
import { type Queryable } from '../db/port.js';
import { activePredicate } from '../config/schema.js';
import { BackfillError } from '../errors.js';
import { createMatcher, DEFAULT_MATCH_OPTIONS, type MatchOptions, normalizeName } from '../match/index.js';
import { placeholderReason } from '../plan/decide.js';
import { inactiveMastersStatement, mastersStatement } from '../sql/plan.js';
import type { Statement } from '../sql/link.js';
import type { ResolvedLink } from '../context/catalog.js';
import { type CommonOptions, type Context, prepare, shape } from '../context/context.js';
import type { QueueItem } from '../review/types.js';
import { reviewQueueIn } from '../review/queue.js';
import { matchOptionsFor } from '../planning/scored.js';
import { assertCanCreateMasters, targetGroup } from './target.js';

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
    names: z
      .array(
        z.object({ link: z.string(), name: z.string(), rows: z.number().int().nonnegative(), documents: z.array(z.string()) }).strict(),
      )
      .min(1),
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
    to > from
      ? createMatcher(
          clusters.slice(from, to).map((c, i) => ({ key: String(from + i), name: c[0]!.name })),
          [],
          opts,
        )
      : null;
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
      if (d !== undefined && d.outcome === 'linked' && d.targetKey !== null && (best === null || (d.score ?? 0) > best.score))
        best = { key: Number(d.targetKey), score: d.score ?? 0 };
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
    const pred = activePredicate(first.config.target.active);
    const canReactivate = pred !== undefined && (pred.also?.length ?? 0) === 0;
    await assertCanCreateMasters(ctx.db, first).catch((e: unknown) => {
      if (!(e instanceof BackfillError)) throw e;
      warnings.push(`masters create will refuse this file as ${first.config.target.table} stands: ${e.message}`);
    });
    const inactive = await mastersByScope(
      ctx.db,
      inactiveMastersStatement({ ...shape(first), number: first.config.target.number }, ctx.filter),
    );
    const active = await mastersByScope(ctx.db, mastersStatement(shape(first), ctx.filter));
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
        // a soft-deleted master scored that high too: a typo or short form of it is reactivated, not made anew (a new
        // user's trial: "River Tool." approved beside the soft-deleted River Tools GmbH)
        const cs = it.candidates
          .filter((x) => x.score !== null && (x.active ? initial || x.score >= reviewAt : x.score >= reviewAt))
          .map((x) => ({ key: x.key, name: x.active ? x.name : `${x.name} (soft-deleted: reactivate it)`, score: x.score! }));
        if (cs.length > 0) strong.set(it.name, [...(strong.get(it.name) ?? []), ...cs]);
      }
      const holds = mastersHeldBy(active.get(scopeJson) ?? []);
      const clusters = clusterNames([...members.values()], clusterOptions(first));
      clusters.forEach((c, i) => {
        const rep = c[0]!;
        const norms = new Set(c.map((m) => normalizeName(m.name).key));
        const inactiveMatches = (inactive.get(scopeJson) ?? [])
          .filter((m) => norms.has(m.norm) || c.some((x) => x.name === m.name))
          .map(({ key, name, number }) => ({ key, name, number }));
        const activeMatches = (active.get(scopeJson) ?? []).filter((m) => norms.has(m.norm)).map(({ key, name }) => ({ key, name }));
        const names = c.flatMap((m) =>
          [...m.perLink.entries()].map(([link, v]) => ({ link, name: m.name, rows: v.rows, documents: v.documents })),
        );
        const candidates = c.flatMap((m) => strong.get(m.name) ?? []);
        const reason = scopeKey.some((v) => v === null)
          ? "not approved: no tenant: a scope column of its documents is NULL, so the new master would have no scope; set the documents' scope first (no master can be created for it)"
          : candidates.length > 0 && activeMatches.length === 0 && inactiveMatches.length === 0
            ? `not approved: it may abbreviate or misspell a master of its own scope: ${candidates
                .slice(0, 3)
                .map((x) => `${JSON.stringify(x.name)} (key ${x.key}, score ${x.score})`)
                .join(
                  ', ',
                )}${candidates.length > 3 ? ` and ${candidates.length - 3} more` : ''}; review it (accept/pick) instead of creating a duplicate, or set "approved": true to create one anyway`
            : (heldReason(holds(rep.name)) ?? notApprovedBecause(rep.name, activeMatches, inactiveMatches, canReactivate));
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
 * The active masters of a scope whose whole name (normalised words) a proposed name holds, with more words around it:
 * `Garcia Plastics LLC Atlanta` holds Garcia Plastics. A site, branch or division of that master far more often than a
 * new one (a new user's trial: 2,071 of 2,681 approved proposals of a large scope were a master's name and a city,
 * scored below reviewAt there, so never offered for review).
 */
function mastersHeldBy(masters: { key: string; name: string; norm: string }[]): (name: string) => { key: string; name: string }[] {
  const byFirst = new Map<string, { key: string; name: string; words: string[] }[]>();
  for (const m of masters) {
    const words = m.norm.split(' ').filter((w) => w !== '');
    if (words.length === 0) continue;
    byFirst.set(words[0]!, [...(byFirst.get(words[0]!) ?? []), { key: m.key, name: m.name, words }]);
  }
  return (name) => {
    const words = normalizeName(name)
      .key.split(' ')
      .filter((w) => w !== '');
    const out: { key: string; name: string }[] = [];
    words.forEach((w, i) => {
      for (const m of byFirst.get(w) ?? [])
        if (m.words.length < words.length && m.words.every((x, j) => words[i + j] === x)) out.push({ key: m.key, name: m.name });
    });
    return out;
  };
}

function heldReason(held: { key: string; name: string }[]): string | null {
  if (held.length === 0) return null;
  const shown = held
    .slice(0, 3)
    .map((m) => `${JSON.stringify(m.name)} (key ${m.key})`)
    .join(', ');
  return `not approved: it holds the whole name of an active master of its scope, with more words: ${shown}${held.length > 3 ? ` and ${held.length - 3} more` : ''}; a site, branch or division of it? Link these names to it (review: pick) instead of creating a duplicate, or set "approved": true to create one anyway`;
}

/**
 * Why `propose` leaves a proposal unapproved, or null: a blank or placeholder-like name; an active
 * master with the same name apart from case, spacing, punctuation or legal form (the plan did not link
 * it because the link matches exactly: creating it would make a duplicate); a soft-deleted master of
 * that name (reactivating it may be what is wanted).
 */
function notApprovedBecause(
  name: string,
  active: { key: string; name: string }[],
  inactive: { key: string; name: string }[],
  /** The active predicate has one column to set (masters create reactivates on one only). */
  canReactivate: boolean,
): string | null {
  const why = placeholderReason(name);
  if (why !== null) return `not approved: ${why}; give it a real "name" and set "approved": true to create it`;
  const list = (ms: { key: string; name: string }[]): string =>
    ms
      .slice(0, 3)
      .map((m) => `${JSON.stringify(m.name)} (key ${m.key})`)
      .join(', ') + (ms.length > 3 ? ` and ${ms.length - 3} more` : '');
  if (active.length > 0) {
    return `not approved: an active master has the same name apart from case, spacing, punctuation or legal form: ${list(active)}; link these names to it (review: accept/pick) instead of creating a duplicate, or set "approved": true to create one anyway`;
  }
  if (inactive.length > 0) {
    return canReactivate
      ? `not approved: a soft-deleted master has this name: ${list(inactive)}; set "action": "reactivate", "reactivateKey" and "approved": true to reactivate it, or only "approved": true to create a new one anyway`
      : `not approved: a soft-deleted master has this name: ${list(inactive)}; reactivate it by hand (the active predicate has several columns, and masters create sets one), or set "approved": true to create a new one anyway`;
  }
  return null;
}

/** Masters read by `st` (active or inactive ones), grouped per scope (JSON of the scope key), with their normalised names. */
export async function mastersByScope<R extends { scope_key: (string | null)[]; key: string; name: string }>(
  db: Queryable,
  st: Statement<R>,
): Promise<Map<string, (Omit<R, 'scope_key'> & { norm: string })[]>> {
  const out = new Map<string, (Omit<R, 'scope_key'> & { norm: string })[]>();
  for (const { scope_key, ...r } of (await db.query(st)).rows) {
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
