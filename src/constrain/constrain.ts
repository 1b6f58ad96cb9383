/**
 * `constrain`: from populated FK columns to enforced foreign keys without downtime. Per link, each step
 * in its own short transaction with `SET LOCAL lock_timeout`:
 *   1. orphan scan in key-range batches (abort, nothing changed, when any FK value points nowhere);
 *   2. an index on (scope…, fk) unless one covers the FK (CONCURRENTLY on a server, outside a transaction);
 *   3. `ADD CONSTRAINT … FOREIGN KEY … ON DELETE RESTRICT NOT VALID`, then `VALIDATE CONSTRAINT` separately
 *      (validation holds SHARE UPDATE EXCLUSIVE: inserts and updates keep flowing);
 *   4. `--tenant-safe`: the FK is composite (scope…, fk) → target (scope…, key), on a unique index it adds;
 *   5. `--not-null`: CHECK (fk IS NOT NULL) NOT VALID → VALIDATE → SET NOT NULL (no table scan) → drop the CHECK.
 * Idempotent: what exists is found in the catalog and skipped; a second run does nothing and says so.
 */
import { adapt } from '../db/index.js';
import { withReconnect } from '../batch/reconnect.js';
import { whileLive } from '../batch/live.js';
import { BackfillError, wrapDbError } from '../errors.js';
import { constrainNames, durationMs, orphanBatchStatement, serverVersionStatement, setsColumns } from '../sql/constrain.js';
import { createRun, finishRun } from '../store/runs.js';
import { prepare, type Context } from '../context/context.js';
import type { ConstrainOptions, ConstrainResult, LinkConstrain, StepName } from './types.js';
import { assertReferenceable, constrainShape, refuseCitusLocalMaster, refuseSetColumnsBefore15 } from './existing.js';
import { orphanScan, planLink } from './steps.js';
import { execute } from './execute.js';
import { tableOwnerStatement } from '../sql/context.js';
import { refuseNotActiveNulls } from './not-active.js';
import { refuseTenantSafeShared } from './shared.js';

export async function constrainIn(ctx: Context, opts: ConstrainOptions = {}): Promise<ConstrainResult> {
  if (ctx.filter.tenant !== null) {
    throw new BackfillError('USAGE', 'constraints cover whole tables: run constrain without --tenant');
  }
  const dryRun = opts.dryRun ?? false;
  const tenantSafe = opts.tenantSafe ?? false;
  const lockTimeout = opts.lockTimeout ?? '5s';
  checkLockTimeout(lockTimeout);
  const batch = opts.batchSize ?? 50_000;
  const concurrent = ctx.db.kind === 'postgres';
  const emit = (entityType: string, step: StepName, phase: 'start' | 'end'): void =>
    opts.onStep?.({ entityType, step, phase, at: Date.now() });
  // 0. Every plain FK can be made (its target key is unique alone), and a tenant-safe SET NULL / SET DEFAULT
  // can name its FK column (PostgreSQL 15): else nothing runs, not even the scan.
  if (ctx.links.some((l) => setsColumns(tenantSafe && l.config.scope.length > 0, l.config.onDelete ?? 'restrict'))) {
    const v = (await ctx.db.query(serverVersionStatement())).rows[0]?.v;
    refuseSetColumnsBefore15(
      Number(v),
      ctx.links.map((l) => ({
        entity: l.entity,
        fk: l.config.fk,
        tenantSafe: tenantSafe && l.config.scope.length > 0,
        onDelete: l.config.onDelete ?? 'restrict',
      })),
    );
  }
  for (const l of ctx.links) refuseCitusLocalMaster(l);
  if (opts.notNull === true) await refuseNotActiveNulls(ctx);
  if (tenantSafe) await refuseTenantSafeShared(ctx);
  for (const l of ctx.links) {
    const s = constrainShape(l);
    if (!(tenantSafe && s.scope.length > 0)) await assertReferenceable(ctx, l, s);
  }

  // every table a step changes is the role's own (CREATE INDEX, ALTER TABLE … ADD CONSTRAINT need the owner): else
  // refused before the scan, not after it with "must be owner of table orders" midway (a trial)
  if (!dryRun) await assertOwnsWhatChanges(ctx, { tenantSafe, notNull: opts.notNull ?? false }, concurrent);

  // 1. Orphans first, for every link: with any orphan, nothing is changed anywhere.
  const links: LinkConstrain[] = [];
  for (const l of ctx.links) {
    const s = constrainShape(l);
    const ts = tenantSafe && s.scope.length > 0;
    emit(l.entity, 'orphan-scan', 'start');
    const t0 = Date.now();
    const scan = await orphanScan(ctx, l, s, ts, batch);
    emit(l.entity, 'orphan-scan', 'end');
    links.push({
      entityType: l.entity,
      table: l.config.table,
      fk: l.config.fk,
      target: l.config.target.table,
      names: constrainNames(s, ts),
      scanned: scan.scanned,
      orphans: scan.orphans,
      orphanValues: scan.missing,
      orphanValuesCapped: scan.missingCapped,
      orphanSample: scan.sample,
      steps: [
        {
          step: 'orphan-scan',
          status: 'done',
          detail: `${scan.scanned} row(s) in ${scan.batches} batch(es): ${
            scan.orphans === 0
              ? `no ${l.config.fk} points to a missing ${ts ? 'same-scope ' : ''}${l.config.target.table} row`
              : `${scan.orphans} row(s) have a ${l.config.fk} pointing to ${missingMasters(scan.missing, scan.missingCapped, ts ? 'same-scope ' : '', l.config.target.table)}`
          }`,
          sql: [orphanBatchStatement(s, ts, null, batch, 20).text],
          ms: Date.now() - t0,
        },
      ],
      changed: false,
    });
  }
  const withOrphans = links.filter((x) => x.orphans > 0);
  // a dry run goes on: it shows the orphans and the SQL a live run executes once they are fixed
  if (withOrphans.length > 0 && !dryRun) {
    throw new BackfillError(
      'ORPHANS_FOUND',
      `refusing to constrain: ${withOrphans
        .map(
          (x) =>
            `${x.table}.${x.fk}: ${x.orphans} row(s) point to ${missingMasters(x.orphanValues, x.orphanValuesCapped, tenantSafe ? 'same-tenant ' : '', x.target)} (e.g. ${x.orphanSample
              .slice(0, 3)
              .map((o) => `key ${o.key} → ${o.fk}`)
              .join(', ')})`,
        )
        .join('; ')}. Nothing was changed.`,
      {
        details: {
          links: withOrphans.map((x) => ({
            entityType: x.entityType,
            table: x.table,
            fk: x.fk,
            orphans: x.orphans,
            orphanValues: x.orphanValues,
            orphanValuesCapped: x.orphanValuesCapped,
            sample: x.orphanSample,
          })),
        },
      },
    );
  }

  const runId = dryRun
    ? null
    : await createRun(ctx.db, {
        kind: 'constrain',
        tenant: null,
        entities: ctx.links.map((l) => l.entity),
        executedBy: opts.executedBy ?? null,
        dryRun: false,
        configHash: ctx.configHash,
        config: ctx.config,
        options: { tenantSafe, notNull: opts.notNull ?? false, lockTimeout },
      });
  // a dry run plans a master's unique index once: two links to one master share it (a real run finds it made)
  const plannedBy = new Map<string, string>();
  const steps = async (): Promise<void> => {
    for (const [i, l] of ctx.links.entries()) {
      const rec = links[i]!;
      const planned = await planLink(ctx, l, { tenantSafe, notNull: opts.notNull ?? false }, concurrent);
      for (const p of planned) {
        if (p.skip === true) {
          rec.steps.push({ step: p.step, status: 'skipped', detail: p.detail, sql: [], ...(p.unmet === true ? { unmet: true } : {}) });
          continue;
        }
        const same = dryRun && p.step === 'unique' ? plannedBy.get(p.sql.join(';\n')) : undefined;
        if (same !== undefined) {
          rec.steps.push({ step: p.step, status: 'skipped', detail: `${p.detail}: planned above for ${same}`, sql: [] });
          continue;
        }
        if (dryRun && p.step === 'unique') plannedBy.set(p.sql.join(';\n'), l.entity);
        rec.changed = true;
        if (dryRun) {
          rec.steps.push({ step: p.step, status: 'planned', detail: p.detail, sql: p.sql });
          continue;
        }
        emit(l.entity, p.step, 'start');
        const t0 = Date.now();
        try {
          await execute(ctx, p, lockTimeout);
        } catch (e) {
          throw wrapDbError(e, `${l.entity}: ${p.step} (${p.sql.join('; ')})`);
        }
        emit(l.entity, p.step, 'end');
        rec.steps.push({ step: p.step, status: 'done', detail: p.detail, sql: p.sql, ms: Date.now() - t0 });
      }
    }
  };
  try {
    // a live run holds its live lock: one whose process died shows in `runs` as such, not as running for ever
    if (runId === null) await steps();
    else await whileLive(ctx.db, runId, `fk-backfill constrain run ${runId}`, steps);
  } catch (e) {
    if (runId !== null)
      await finishRun(ctx.db, runId, 'failed', { links }, e instanceof Error ? e.message : String(e)).catch(() => undefined);
    throw e;
  }
  const result: ConstrainResult = { dryRun, tenantSafe, runId, nothingToDo: links.every((x) => !x.changed), links };
  if (runId !== null)
    await finishRun(ctx.db, runId, 'done', {
      nothingToDo: result.nothingToDo,
      links: links.map((x) => ({ entityType: x.entityType, changed: x.changed, steps: x.steps.map((s) => [s.step, s.status]) })),
    });
  return result;
}

/**
 * Orphan scan, covering index, FK NOT VALID + VALIDATE (optionally tenant-safe and NOT NULL), per link.
 * Throws ORPHANS_FOUND (nothing changed) when an FK value points nowhere.
 */
export async function constrain(db: unknown, opts: ConstrainOptions = {}): Promise<ConstrainResult> {
  checkLockTimeout(opts.lockTimeout ?? '5s'); // before the tool's own tables are made
  const d = adapt(db);
  // a lost connection: run again on a new one (every step is idempotent; an index a lost CONCURRENTLY left invalid is rebuilt)
  return withReconnect(d, {}, { kind: 'constrain' }, async () =>
    constrainIn(await prepare(d, opts, { store: opts.dryRun !== true }), opts),
  );
}

/** Refuses (PERMISSION_DENIED, nothing changed) a live constrain with a step on a table this role does not own. */
async function assertOwnsWhatChanges(
  ctx: Context,
  o: Required<Pick<ConstrainOptions, 'tenantSafe' | 'notNull'>>,
  concurrent: boolean,
): Promise<void> {
  for (const l of ctx.links) {
    const steps = (await planLink(ctx, l, o, concurrent)).filter((p) => p.skip !== true);
    const tables = new Map<number, string>();
    for (const p of steps) {
      if (p.step === 'unique') tables.set(l.targetOid, l.config.target.table);
      else tables.set(l.sourceOid, l.config.table);
    }
    for (const [oid, table] of tables) {
      const r = (await ctx.db.query(tableOwnerStatement(oid))).rows[0];
      if (r !== undefined && !r.own) {
        throw new BackfillError(
          'PERMISSION_DENIED',
          `constrain ${l.entity}: ${table} is owned by ${r.owner}, and adding its index and constraint needs its owner; run constrain as ${r.owner} (or a role that is a member of it); nothing changed`,
          { details: { table, owner: r.owner } },
        );
      }
    }
  }
}

/** A lock_timeout a step can take: a duration (5s, 500ms, 1min, or milliseconds) more than 0. USAGE otherwise. */
function checkLockTimeout(v: string): void {
  // PostgreSQL reads 0 (and anything under 1 ms, rounded to it) as no timeout: a step would wait for ever, writers
  // queued behind it
  if (durationMs(v) < 1)
    throw new BackfillError(
      'USAGE',
      `--lock-timeout must be 1ms or more (PostgreSQL reads less as 0, "wait for ever"), got ${JSON.stringify(v)}`,
    );
}

/** "1 missing customers row", "3 missing same-scope customers rows": the distinct masters orphans point to. */
function missingMasters(n: number, capped: boolean, kind: string, table: string): string {
  return `${capped ? 'more than ' : ''}${n} missing ${kind}${table} row${n === 1 && !capped ? '' : 's'}`;
}
