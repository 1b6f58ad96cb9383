/**
 * Creating proposed masters: the approved ones inserted in one transaction (numbered like CUST-006 when the link
 * names a number column), an alias decision recorded for every clustered name, then a new plan.
 */
import { targetScope } from '../sql/link.js';
import { num, type Queryable, withinTransaction } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { activePredicate } from '../config/schema.js';
import { activeValueSql, describeActive } from '../sql/active.js';
import { placeholderReason } from '../plan/decide.js';
import {
  mastersLockStatement,
  insertMastersStatement,
  masterNumbersStatement,
  numberUniqueIndexesStatement,
  reactivateMastersStatement,
} from '../sql/masters.js';
import type { ResolvedLink } from '../context/catalog.js';
import { type CommonOptions, type Context, prepare, runScope, shape } from '../context/context.js';
import { createRun, failRun, finishRun } from '../store/runs.js';
import { planIn, type PlanResult } from '../planning/plan.js';
import { type DecideInput, decideManyIn } from '../review/decide.js';
import { mastersByScope, proposalsFileSchema, type MasterProposal, type ProposalsFile } from './propose.js';
import { inactiveMastersStatement, mastersStatement } from '../sql/plan.js';
import { normalizeName } from '../match/index.js';
import { assertCanCreateMasters, targetGroup } from './target.js';
import { fingerprintId, masterFingerprints } from './fingerprint.js';
import { whileLive } from '../batch/live.js';
export interface CreatedMaster {
  proposalId: string;
  action: 'create' | 'reactivate';
  targetTable: string;
  scopeKey: (string | null)[];
  key: string;
  name: string;
  number: string | null;
  names: number;
  /** A reactivated master: its active column's value before, as text (what `undo --run` puts back). */
  was?: string | null;
  /** A created master's fingerprint as inserted (src/sql/masters.ts): undo deletes it only while unchanged. */
  fp?: string;
}

/** What a `masters` run records in its summary: what `undo --run` takes back (src/masters/undo.ts). */
export interface MastersRunSummary {
  created: CreatedMaster[];
  /** Decisions the run wrote (the clustered names' aliases), and those they replaced (revoked). */
  decisions: string[];
  replaced: string[];
}

export interface CreateMastersResult {
  /** The run (kind 'masters') that recorded it: `undo --run` takes it back. */
  runId: string;
  created: CreatedMaster[];
  skipped: number;
  /** The plan made right after (the new masters' rows are linked in it). */
  plan: PlanResult;
}

/**
 * Whether the number column is unique across scopes: a unique index holds it without every scope column (a
 * `UNIQUE (customer_no)` beside `tenant_id`). Then the next number continues after every scope's highest; else each
 * scope's own (before, always per scope: a tenant whose numbers lagged another's was given one that tenant had).
 */
async function numbersAcrossScopes(db: Queryable, l: ResolvedLink, col: string): Promise<boolean> {
  if (l.config.scope.length === 0) return false;
  const idx = (await db.query(numberUniqueIndexesStatement(l.targetOid, col))).rows;
  return idx.some((r) => !targetScope(l.config).every((c) => r.cols.includes(c)));
}

/** Next numbers per scope (or across them, numbersAcrossScopes): continue the most used prefix (CUST-) at its widest width, else derive one from the table name. */
async function numberer(db: Queryable, l: ResolvedLink, ctx: Context): Promise<(scopeKey: (string | null)[]) => string> {
  const col = l.config.target.number!;
  const across = await numbersAcrossScopes(db, l, col);
  const res = await db.query(masterNumbersStatement({ ...shape(l), number: col }, ctx.filter, across));
  const best = new Map<string, { prefix: string; width: number; next: bigint; n: number }>();
  for (const r of res.rows) {
    const k = JSON.stringify(r.scope_key);
    const cur = best.get(k);
    const n = num(r.n);
    if (cur === undefined || n > cur.n) best.set(k, { prefix: r.prefix ?? '', width: Number(r.width), next: BigInt(r.max_number) + 1n, n });
  }
  const fallbackPrefix = `${
    l.target.table
      .replace(/[^A-Za-z]/g, '')
      .slice(0, 4)
      .toUpperCase() || 'M'
  }-`;
  return (scopeKey) => {
    const k = JSON.stringify(across ? [] : scopeKey);
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
    throw new BackfillError(
      'INVALID_INPUT',
      `proposals file is not valid: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const approved = parsed.data.proposals.filter((p) => p.approved);
  const problems: string[] = [];
  const seen = new Set<string>();
  const linkFor = (p: MasterProposal): ResolvedLink | undefined =>
    ctx.links.find((l) => p.links.includes(l.entity) && l.config.target.table === p.targetTable);
  for (const p of approved) {
    const l = linkFor(p);
    if (l === undefined) problems.push(`${p.id}: no configured link ${p.links.join('/')} with target ${p.targetTable}`);
    else {
      for (const n of p.names)
        if (!ctx.links.some((x) => x.entity === n.link && targetGroup(x) === targetGroup(l)))
          problems.push(`${p.id}: name "${n.name}" has link ${n.link}, which does not point to ${p.targetTable}`);
      if (p.scopeKey.length !== l.config.scope.length) problems.push(`${p.id}: scope must have ${l.config.scope.length} value(s)`);
      // a master's scope columns are what makes it a tenant's: a NULL one is refused here, not by the database mid-write
      p.scopeKey.forEach((v, j) => {
        if (v === null) {
          problems.push(
            `proposals[${parsed.data.proposals.indexOf(p)}].scopeKey[${j}] (${p.id}): approved, but ${l.config.target.table}.${targetScope(l.config)[j] ?? `scope #${j + 1}`} is NULL (no tenant): a master needs every scope value; set "approved": false`,
          );
        }
      });
      if (p.action === 'reactivate' && (p.reactivateKey === null || l.config.target.active === undefined))
        problems.push(`${p.id}: reactivate needs reactivateKey and a configured active column`);
      else if (p.action === 'reactivate' && (activePredicate(l.config.target.active)!.also?.length ?? 0) > 0)
        problems.push(
          `${p.id}: reactivate sets one active column, and the active predicate is ${describeActive(activePredicate(l.config.target.active)!)}: reactivate it by hand, or set "approved": false`,
        );
      else if (p.action === 'reactivate' && activeValueSql(activePredicate(l.config.target.active)!) === null)
        problems.push(
          `${p.id}: reactivate cannot choose a value for ${activePredicate(l.config.target.active)!.column} (its active predicate is ${describeActive(activePredicate(l.config.target.active)!)})`,
        );
      const why = p.action === 'create' ? placeholderReason(p.name) : null;
      if (why !== null) problems.push(`${p.id}: approved, but its name is ${why}: give it a real name or set "approved": false`);
    }
    if (ctx.filter.tenant !== null && p.scopeKey[0] !== ctx.filter.tenant)
      problems.push(`${p.id}: scope ${JSON.stringify(p.scopeKey)} is outside tenant ${ctx.filter.tenant}`);
    const k = JSON.stringify([p.targetTable, p.scopeKey, p.name]);
    if (seen.has(k)) problems.push(`${p.id}: two proposals create "${p.name}" in the same scope`);
    seen.add(k);
  }
  if (problems.length > 0)
    throw new BackfillError('INVALID_INPUT', `proposals not created, nothing written: ${problems.join('; ')}`, { details: { problems } });
  // can a new master be inserted at all (its key fills itself, no other required column)? before anything is written
  const checked = new Set<string>();
  for (const p of approved.filter((x) => x.action === 'create')) {
    const l = linkFor(p)!;
    if (checked.has(targetGroup(l))) continue;
    checked.add(targetGroup(l));
    await assertCanCreateMasters(ctx.db, l);
  }
  const created: CreatedMaster[] = [];
  // a run, so `undo --run` can take the masters back (finished in the same transaction as what it records)
  const runId = await createRun(ctx.db, { kind: 'masters', ...runScope(ctx), executedBy: opts.by, dryRun: false });
  try {
    // its live lock held: a run whose process died shows in `runs` as such, not as running for ever
    await whileLive(ctx.db, runId, `fk-backfill masters run ${runId}`, () =>
      ctx.db.transaction(async (tx) => {
        const byTarget = new Map<ResolvedLink, MasterProposal[]>();
        for (const p of approved) {
          const l = linkFor(p)!;
          const key = [...byTarget.keys()].find((x) => targetGroup(x) === targetGroup(l)) ?? l;
          byTarget.set(key, [...(byTarget.get(key) ?? []), p]);
        }
        for (const [l, list] of byTarget) {
          await tx.query(mastersLockStatement(l.targetOid));
          const s = shape(l);
          const creates = list.filter((p) => p.action === 'create');
          if (creates.length > 0) {
            const next = l.config.target.number === undefined ? null : await numberer(tx, l, ctx);
            const rows = creates.map((p) => ({ scope: p.scopeKey, name: p.name, number: next === null ? null : next(p.scopeKey) }));
            const res = await tx.query(insertMastersStatement({ ...s, number: l.config.target.number }, l.scopeTypes, rows));
            if (res.rows.length !== creates.length)
              throw new BackfillError('INTERNAL', `inserted ${res.rows.length} of ${creates.length} masters`);
            // a part of the active predicate left to its column's default (notIn, notNull): the default must make it active
            const inactive = res.rows.find((r) => r.active !== true);
            if (inactive !== undefined)
              throw new BackfillError(
                'SCHEMA_UNWRITABLE_COLUMN',
                `cannot create masters in ${l.config.target.table}: a new master (${JSON.stringify(inactive.name)}) is not active by ${describeActive(activePredicate(l.config.target.active)!)} with the columns' defaults; nothing was created. Give them defaults that make a master active, or use "in" with the active values`,
              );
            const fps = await masterFingerprints(
              tx,
              { ...s, targetKeyType: l.targetKeyType },
              res.rows.map((r) => ({ key: r.key, scope: r.scope_key })),
              ctx.filter,
            );
            creates.forEach((p, i) => {
              const r =
                res.rows.find((x) => x.name === p.name && JSON.stringify(x.scope_key) === JSON.stringify(p.scopeKey)) ?? res.rows[i]!;
              const fp = fps.get(fingerprintId(r.key, r.scope_key));
              // what the database stored (a trigger may have normalised the name): what undo compares
              created.push({
                proposalId: p.id,
                action: 'create',
                targetTable: p.targetTable,
                scopeKey: r.scope_key,
                key: r.key,
                name: r.name,
                number: rows[i]!.number,
                names: p.names.length,
                ...(fp !== undefined ? { fp } : {}),
              });
            });
          }
          const reacts = list.filter((p) => p.action === 'reactivate');
          if (reacts.length > 0) {
            const res = await tx.query(
              reactivateMastersStatement(
                { ...s, targetKeyType: l.targetKeyType },
                reacts.map((p) => ({ key: p.reactivateKey!, scope: p.scopeKey })),
                ctx.filter,
              ),
            );
            for (const p of reacts) {
              const r = res.rows.find((x) => x.key === p.reactivateKey && JSON.stringify(x.scope_key) === JSON.stringify(p.scopeKey));
              if (r === undefined)
                throw new BackfillError(
                  'INVALID_INPUT',
                  `${p.id}: master ${p.reactivateKey} not found in scope ${JSON.stringify(p.scopeKey)}`,
                );
              created.push({
                proposalId: p.id,
                action: 'reactivate',
                targetTable: p.targetTable,
                scopeKey: p.scopeKey,
                key: r.key,
                name: r.name,
                number: null,
                names: p.names.length,
                was: r.was,
              });
            }
          }
        }
        // Every clustered name becomes an alias of its new master (a "create" decision is replaced).
        const decisions: DecideInput[] = [];
        for (const c of created) {
          const p = approved.find((x) => x.id === c.proposalId)!;
          for (const n of p.names)
            decisions.push({ link: n.link, scopeKey: p.scopeKey, name: n.name, action: 'alias', targetKey: c.key, by: opts.by });
        }
        const written = await decideManyIn({ ...ctx, db: withinTransaction(ctx.db, tx) }, decisions);
        const summary: MastersRunSummary = {
          created,
          decisions: written.filter((d) => d.changed).map((d) => d.decision.id),
          replaced: written.flatMap((d) => d.replaced),
        };
        await finishRun(tx, runId, 'done', summary);
      }),
    );
  } catch (e) {
    throw await failRun(ctx.db, runId, e, 'creating masters');
  }
  const plan = await planIn(ctx, { executedBy: opts.by, maxUnmatchedRecords: 100 });
  return { runId, created, skipped: parsed.data.proposals.length - approved.length, plan };
}

export async function createMasters(
  db: unknown,
  opts: CommonOptions & { proposals: unknown; by: string | null },
): Promise<CreateMastersResult> {
  const ctx = await prepare(db, opts, { tenant: 'required' });
  return createMastersIn(ctx, opts.proposals, opts);
}

/**
 * One new master for one unsure name (the review page's "create master"): the same path as `masters
 * create` (numbered like the others, an alias decision recorded for the name, then a new plan).
 */
export async function createMasterForNameIn(
  ctx: Context,
  input: { link: string; scopeKey: (string | null)[]; name: string; by: string | null },
): Promise<CreateMastersResult> {
  const l = ctx.links.find((x) => x.entity === input.link);
  if (l === undefined) throw new BackfillError('UNKNOWN_ENTITY', `unknown link "${input.link}"`);
  const name = input.name.trim();
  if (name === '') throw new BackfillError('INVALID_INPUT', 'a master needs a name that is not blank');
  // a master of the scope that already has the name apart from case, spacing, punctuation or legal form: no duplicate
  // (`masters propose` holds such names back; a new user's trial made a third "Redwood Pharma Group" from the page)
  const norm = normalizeName(name).key;
  const sk = JSON.stringify(input.scopeKey);
  const shown = (ms: { key: string; name: string }[]): string => ms.map((m) => `${JSON.stringify(m.name)} (key ${m.key})`).join(', ');
  const active = ((await mastersByScope(ctx.db, mastersStatement(shape(l), ctx.filter))).get(sk) ?? []).filter((m) => m.norm === norm);
  if (active.length > 0)
    throw new BackfillError(
      'INVALID_INPUT',
      `an active master of this scope already has that name: ${shown(active)}; link the name to it (pick it) instead of creating a duplicate`,
    );
  const gone = (
    (await mastersByScope(ctx.db, inactiveMastersStatement({ ...shape(l), number: l.config.target.number }, ctx.filter))).get(sk) ?? []
  ).filter((m) => m.norm === norm);
  if (gone.length > 0)
    throw new BackfillError(
      'INVALID_INPUT',
      `a soft-deleted master of this scope has that name: ${shown(gone)}; reactivate it (masters propose, "action": "reactivate") instead of creating a duplicate`,
    );
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
