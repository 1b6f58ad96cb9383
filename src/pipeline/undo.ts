import { num } from '../db/port.js';
import { BackfillError, wrapDbError } from '../errors.js';
import { undoStatement } from '../sql/statements.js';
import { createRun, finishRun, getRun } from '../store/runs.js';
import { prepare, shape, type CommonOptions } from './context.js';
import { adapt } from '../db/index.js';
import { migrate } from '../store/migrate.js';

export interface UndoOptions extends Pick<CommonOptions, 'entities'> {
  /** The apply run to revert. */
  runId: string;
  executedBy?: string | null;
}

export interface LinkUndoResult {
  entityType: string;
  table: string;
  /** Rows the run changed. */
  changed: number;
  reverted: number;
  /** Rows no longer holding the value the run wrote (edited since): left alone. */
  skipped: number;
}

export interface UndoResult {
  runId: string;
  undoneRunId: string;
  totalReverted: number;
  totalSkipped: number;
  results: LinkUndoResult[];
}

/**
 * Sets back exactly the rows run `runId` changed and that still hold the value it wrote (and restores
 * their updated_at); one transaction; the reversal is itself logged as a run.
 */
export async function undo(handle: unknown, opts: UndoOptions): Promise<UndoResult> {
  const db = adapt(handle);
  await migrate(db);
  const target = await getRun(db, opts.runId);
  if (target.kind !== 'apply' && target.kind !== 'backfill') {
    throw new BackfillError('RUN_STATE', `run ${opts.runId} is a ${target.kind} run; only apply runs can be undone`);
  }
  if (target.dryRun) throw new BackfillError('RUN_STATE', `run ${opts.runId} was a dry run: nothing to undo`);
  // Undo follows the config and scope the run was made with, not today's config file.
  const tenant = target.scope?.tenant ?? null;
  const ctx = await prepare(db, {
    config: target.config,
    entities: opts.entities ?? target.entities,
    ...(tenant !== null ? { tenantId: tenant } : { allTenants: true }),
  });
  const runId = await createRun(ctx.db, {
    kind: 'undo',
    tenant: ctx.filter.tenant,
    entities: ctx.links.map((l) => l.entity),
    executedBy: opts.executedBy ?? null,
    dryRun: false,
    configHash: ctx.configHash,
    config: ctx.config,
    targetRunId: target.id,
  });
  try {
    const results = await ctx.db.transaction(async (tx) => {
      const out: LinkUndoResult[] = [];
      for (const l of ctx.links) {
        const cnt = await tx.query<{ n: unknown }>(`SELECT count(*)::int8 AS n FROM fk_backfill.changes WHERE run_id = $1::int8 AND link = $2`, [target.id, l.entity]);
        const changed = num(cnt.rows[0]?.n);
        const st = undoStatement(shape(l), { targetRunId: target.id, runId, linkName: l.entity }, ctx.filter);
        const res = await tx.query(st.text, st.values);
        out.push({ entityType: l.entity, table: l.config.table, changed, reverted: res.rowCount, skipped: changed - res.rowCount });
      }
      return out;
    });
    const result: UndoResult = {
      runId,
      undoneRunId: target.id,
      totalReverted: results.reduce((a, r) => a + r.reverted, 0),
      totalSkipped: results.reduce((a, r) => a + r.skipped, 0),
      results,
    };
    await finishRun(ctx.db, runId, 'done', result);
    return result;
  } catch (e) {
    const err = wrapDbError(e, 'undoing');
    await finishRun(ctx.db, runId, 'failed', null, err.message).catch(() => undefined);
    throw err;
  }
}
