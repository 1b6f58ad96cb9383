/**
 * Taking back a `masters create` run (`undo --run`): the masters it inserted are deleted and the ones it
 * reactivated get their active column's old value back, the decisions it wrote are revoked and the ones they
 * replaced restored, in one transaction. A master a row links to (an apply since) is left, and so is one edited
 * since (renamed, deactivated, deleted): counted as skipped, with a notice saying why and what to do.
 */
import { BackfillError, sqlState } from '../errors.js';
import { type Context, shape } from '../context/context.js';
import {
  deactivateMastersStatement,
  deleteCreatedMastersStatement,
  lockMastersStatement,
  masterColumnsStatement,
  mastersInUseStatement,
  mastersLockStatement,
} from '../sql/masters.js';
import { restoreDecisionsInForce, revokeDecisionsInForce } from '../store/decisions.js';
import type { CreatedMaster, MastersRunSummary } from './create.js';
import { targetGroup } from './target.js';
import { activePredicate } from '../config/schema.js';

/** One master table's line of the undo's result (the shape of an undo's per-link result, always complete). */
export interface MastersUndoLine {
  entityType: string;
  table: string;
  changed: number;
  reverted: number;
  skipped: number;
  complete: true;
}

export interface MastersUndo {
  results: MastersUndoLine[];
  notices: string[];
}

/** Reads a `masters` run's summary (as createMastersIn wrote it). */
export function mastersRunSummary(summary: unknown, runId: string): MastersRunSummary {
  const s = summary as Partial<MastersRunSummary> | null;
  if (s === null || !Array.isArray(s.created) || !Array.isArray(s.decisions) || !Array.isArray(s.replaced))
    throw new BackfillError('RUN_STATE', `run ${runId} did not finish creating masters: nothing to undo`);
  return s as MastersRunSummary;
}

export async function undoMastersRun(ctx: Context, summary: MastersRunSummary, runId: string): Promise<MastersUndo> {
  return ctx.db.transaction(async (tx) => {
    const results: MastersUndoLine[] = [];
    const notices: string[] = [];
    const byTable = new Map<string, CreatedMaster[]>();
    for (const c of summary.created) byTable.set(c.targetTable, [...(byTable.get(c.targetTable) ?? []), c]);
    for (const [table, list] of byTable) {
      const l = ctx.links.find((x) => x.config.target.table === table);
      if (l === undefined) {
        throw new BackfillError('RUN_STATE', `run ${runId} created masters in ${table}, which no link of its config points to any more`);
      }
      await tx.query(mastersLockStatement(table));
      const s = { ...shape(l), targetKeyType: l.targetKeyType };
      const creates = list.filter((c) => c.action === 'create');
      const reacts = list.filter((c) => c.action === 'reactivate');
      const inUse = new Set<string>();
      // the created masters locked first (not on Citus, which locks no rows of several shards in a SELECT): a row
      // linked to one meanwhile waits for this transaction, and then finds it gone (23503) instead of orphaned
      if (creates.length > 0 && (l.citus === null || l.citus.target.kind === 'local'))
        await tx.query(lockMastersStatement(s, [...new Set(creates.map((c) => c.key))], ctx.filter));
      if (list.length > 0) {
        for (const x of ctx.links.filter((y) => targetGroup(y) === targetGroup(l))) {
          const rows = (await tx.query(mastersInUseStatement(shape(x), [...new Set(list.map((c) => c.key))], ctx.filter))).rows;
          for (const r of rows) inUse.add(r.key);
        }
      }
      const deletable = creates.filter((c) => !inUse.has(c.key));
      let deleted = 0;
      if (deletable.length > 0) {
        try {
          const st = deleteCreatedMastersStatement(
            s,
            deletable.map((c) => ({ key: c.key, scope: c.scopeKey, name: c.name })),
            ctx.filter,
          );
          deleted = (await tx.query(st)).rows.length;
        } catch (e) {
          if (sqlState(e) !== '23503') throw e;
          throw new BackfillError(
            'RUN_STATE',
            `undo of run ${runId}: a row references a master it created in ${table} (a table outside the config, or a row linked while the undo ran: ${e instanceof Error ? e.message : String(e)}); nothing was undone. Unlink those rows (or undo the apply that linked them), then undo run ${runId} again`,
            { cause: e },
          );
        }
      }
      const activeColumn = l.config.target.active === undefined ? undefined : activePredicate(l.config.target.active)?.column;
      const activeType = (await tx.query(masterColumnsStatement(l.targetOid))).rows.find((c) => c.name === activeColumn)?.type ?? 'text';
      const deactivated =
        reacts.length === 0
          ? 0
          : (
              await tx.query(
                deactivateMastersStatement(
                  s,
                  activeType,
                  reacts.map((c) => ({ key: c.key, scope: c.scopeKey, was: c.was ?? null })),
                  ctx.filter,
                ),
              )
            ).rows.length;
      const inUseN = creates.filter((c) => inUse.has(c.key)).length;
      const reactsInUse = reacts.filter((c) => inUse.has(c.key)).length;
      if (deactivated > 0 && reactsInUse > 0)
        notices.push(
          `${table}: of the master(s) run ${runId} reactivated, ${reactsInUse} have rows linked to them; they are inactive again and keep those rows (an inactive master's rows stay linked; undo the apply that linked them to clear them)`,
        );
      const edited = list.length - deleted - deactivated - inUseN;
      if (inUseN > 0)
        notices.push(
          `${table}: ${inUseN} master(s) run ${runId} created are linked from rows (an apply since, or the application), so they were left; undo that apply first, then this run again`,
        );
      if (edited > 0)
        notices.push(
          `${table}: ${edited} master(s) run ${runId} created or reactivated were changed since (renamed, deactivated or deleted), so they were left as they are`,
        );
      results.push({
        entityType: 'masters',
        table,
        changed: list.length,
        reverted: deleted + deactivated,
        skipped: list.length - deleted - deactivated,
        complete: true,
      });
    }
    const revoked = await revokeDecisionsInForce(tx, summary.decisions, ctx.filter.tenant);
    const restored = await restoreDecisionsInForce(tx, summary.replaced, ctx.filter.tenant);
    if (summary.decisions.length > 0)
      notices.push(
        `decisions: ${revoked} of the ${summary.decisions.length} run ${runId} wrote revoked${revoked < summary.decisions.length ? ' (the others were decided again or revoked since)' : ''}${restored > 0 ? `, ${restored} it had replaced back in force` : ''}; plan again to see the names in the queue`,
      );
    return { results, notices };
  });
}
