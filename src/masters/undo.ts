/**
 * Taking back a `masters create` run (`undo --run`): the masters it inserted are deleted and the ones it
 * reactivated get their active column's old value back, the decisions naming those are revoked and the ones they
 * replaced restored, in one transaction. A master a row references (an apply since, the application, any table's
 * FK) is left, so is one edited since in any column (renamed, deactivated, deleted) and one a later masters run
 * created or reactivated again: counted as skipped, with a notice saying why and what to do.
 */
import { BackfillError, sqlState } from '../errors.js';
import { type Context, shape } from '../context/context.js';
import type { Queryable } from '../db/port.js';
import type { ResolvedLink } from '../context/catalog.js';
import {
  deactivateMastersStatement,
  deleteCreatedMastersStatement,
  foreignKeysToStatement,
  lockMastersStatement,
  masterColumnsStatement,
  mastersInUseStatement,
  mastersLockStatement,
  mastersReferencedStatement,
} from '../sql/masters.js';
import { mastersTouchedAfter } from '../store/masters-runs.js';
import { restoreDecisionsInForce, revokeDecisionsInForce } from '../store/decisions.js';
import type { CreatedMaster, MastersRunSummary } from './create.js';
import { targetGroup } from './target.js';
import { activePredicate } from '../config/schema.js';
import { fingerprintId, masterFingerprints } from './fingerprint.js';

/** One master table's line of the undo's result (the shape of an undo's per-link result, always complete). */
export interface MastersUndoLine {
  entityType: string;
  table: string;
  changed: number;
  reverted: number;
  skipped: number;
  /** Of the skipped, masters an earlier undo of the same run took back (present when > 0). */
  alreadyReverted?: number;
  complete: true;
}

/** A master an undo took back (deleted or deactivated again): what a later undo of the same run reads. */
export interface TakenBackMaster {
  table: string;
  key: string;
  scopeKey: (string | null)[];
}

export interface MastersUndo {
  results: MastersUndoLine[];
  notices: string[];
  takenBack: TakenBackMaster[];
}

/** Reads a `masters` run's summary (as createMastersIn wrote it). */
export function mastersRunSummary(summary: unknown, runId: string): MastersRunSummary {
  const s = summary as Partial<MastersRunSummary> | null;
  if (s === null || !Array.isArray(s.created) || !Array.isArray(s.decisions) || !Array.isArray(s.replaced))
    throw new BackfillError('RUN_STATE', `run ${runId} did not finish creating masters: nothing to undo`);
  return s as MastersRunSummary;
}

/** Masters kept because referenced that a notice names (key and referencing table). */
const KEPT_SHOWN = 5;

/** A master's identity across a run's records: its table, key and scope. */
function masterId(table: string, key: string, scope: (string | null)[]): string {
  return JSON.stringify([table, key, scope]);
}

/**
 * Keys of `list` that rows reference, each with the first table found referencing it: through every configured link to the table (rows linked without an FK
 * constraint) and through every FK constraint of the database that points at it (tables outside the config, ON
 * DELETE CASCADE ones too: deleting the master would take their rows along).
 */
async function mastersInUse(
  ctx: Context,
  tx: Queryable,
  l: ResolvedLink,
  list: CreatedMaster[],
  notices: string[],
): Promise<Map<string, string>> {
  const inUse = new Map<string, string>();
  const mark = (key: string, by: string): void => {
    if (!inUse.has(key)) inUse.set(key, by);
  };
  if (list.length === 0) return inUse;
  const keys = [...new Set(list.map((c) => c.key))];
  for (const x of ctx.links.filter((y) => targetGroup(y) === targetGroup(l))) {
    for (const r of (await tx.query(mastersInUseStatement(shape(x), keys, ctx.filter))).rows) mark(r.key, x.config.table);
  }
  const s = { ...shape(l), targetKeyType: l.targetKeyType };
  for (const fk of (await tx.query(foreignKeysToStatement(l.targetOid))).rows) {
    // a table this role may not read could reference any of them: all are left, and said so
    if (!fk.readable) {
      for (const c of list) mark(c.key, `${fk.schema}.${fk.table}`);
      notices.push(
        `${l.config.target.table}: ${fk.schema}.${fk.table} references it (FK ${fk.name}) and this role may not read it, so no master was deleted; undo again as a role that may read it`,
      );
      continue;
    }
    const st = mastersReferencedStatement(
      s,
      { schema: fk.schema, table: fk.table, columns: fk.columns, refColumns: fk.ref_columns },
      keys,
      ctx.filter,
    );
    for (const r of (await tx.query(st)).rows) mark(r.key, `${fk.schema}.${fk.table}`);
  }
  return inUse;
}

/**
 * Whether a created master still has the fingerprint its run recorded (runs before fingerprints were recorded: yes,
 * the name and active checks of the DELETE remain).
 */
async function unchangedSince(
  ctx: Context,
  tx: Queryable,
  l: ResolvedLink,
  creates: CreatedMaster[],
): Promise<(c: CreatedMaster) => boolean> {
  const printed = creates.filter((c) => c.fp !== undefined).map((c) => ({ key: c.key, scope: c.scopeKey }));
  const now = await masterFingerprints(tx, { ...shape(l), targetKeyType: l.targetKeyType }, printed, ctx.filter);
  return (c) => c.fp === undefined || now.get(fingerprintId(c.key, c.scopeKey)) === c.fp;
}

/**
 * Takes back what `masters` run `runId` created or reactivated, but for `earlier`: masters an earlier undo of
 * the run took back already (counted skipped, and said so; before, a second undo called them changed since).
 */
export async function undoMastersRun(
  ctx: Context,
  summary: MastersRunSummary,
  runId: string,
  earlier: { by: string; masters: readonly TakenBackMaster[] }[],
): Promise<MastersUndo> {
  const before = new Map<string, string>();
  for (const e of earlier) for (const m of e.masters) before.set(masterId(m.table, m.key, m.scopeKey), e.by);
  return ctx.db.transaction(async (tx) => {
    const results: MastersUndoLine[] = [];
    const notices: string[] = [];
    const revoke: { key: string; scope: (string | null)[]; links: string[] }[] = [];
    const taken: TakenBackMaster[] = [];
    const byTable = new Map<string, CreatedMaster[]>();
    for (const c of summary.created) byTable.set(c.targetTable, [...(byTable.get(c.targetTable) ?? []), c]);
    // a later masters run created or reactivated some of them again (after an undo of this run): its state is on top
    const later = new Map((await mastersTouchedAfter(tx, runId)).map((m) => [masterId(m.targetTable, m.key, m.scopeKey), m.runId]));
    for (const [table, all] of byTable) {
      const l = ctx.links.find((x) => x.config.target.table === table);
      if (l === undefined) {
        throw new BackfillError('RUN_STATE', `run ${runId} created masters in ${table}, which no link of its config points to any more`);
      }
      await tx.query(mastersLockStatement(l.targetOid));
      const s = { ...shape(l), targetKeyType: l.targetKeyType };
      const id = (c: CreatedMaster): string => masterId(table, c.key, c.scopeKey);
      const already = all.filter((c) => before.has(id(c)));
      const rest = all.filter((c) => !before.has(id(c)));
      const superseded = rest.filter((c) => later.has(id(c)));
      const list = rest.filter((c) => !later.has(id(c)));
      const creates = list.filter((c) => c.action === 'create');
      const reacts = list.filter((c) => c.action === 'reactivate');
      // the created masters locked first (not on Citus, which locks no rows of several shards in a SELECT): a row
      // linked to one meanwhile waits for this transaction, and then finds it gone (23503) instead of orphaned
      if (creates.length > 0 && (l.citus === null || l.citus.target.kind === 'local'))
        await tx.query(lockMastersStatement(s, [...new Set(creates.map((c) => c.key))], ctx.filter));
      const inUse = await mastersInUse(ctx, tx, l, list, notices);
      const unchanged = await unchangedSince(ctx, tx, l, creates);
      const deletable = creates.filter((c) => !inUse.has(c.key) && unchanged(c));
      let deleted: { key: string; scope_key: (string | null)[] }[] = [];
      if (deletable.length > 0) {
        try {
          const st = deleteCreatedMastersStatement(
            s,
            deletable.map((c) => ({ key: c.key, scope: c.scopeKey, name: c.name })),
            ctx.filter,
          );
          deleted = (await tx.query(st)).rows;
        } catch (e) {
          if (sqlState(e) !== '23503') throw e;
          throw new BackfillError(
            'RUN_STATE',
            `undo of run ${runId}: a row references a master it created in ${table} (a row linked while the undo ran: ${e instanceof Error ? e.message : String(e)}); nothing was undone. Unlink those rows (or undo the apply that linked them), then undo run ${runId} again`,
            { cause: e },
          );
        }
      }
      const activeColumn = l.config.target.active === undefined ? undefined : activePredicate(l.config.target.active)?.column;
      const activeType = (await tx.query(masterColumnsStatement(l.targetOid))).rows.find((c) => c.name === activeColumn)?.type ?? 'text';
      const deactivated =
        reacts.length === 0
          ? []
          : (
              await tx.query(
                deactivateMastersStatement(
                  s,
                  activeType,
                  reacts.map((c) => ({ key: c.key, scope: c.scopeKey, was: c.was ?? null })),
                  ctx.filter,
                ),
              )
            ).rows;
      const back = new Set([...deleted, ...deactivated].map((r) => masterId(table, r.key, r.scope_key)));
      const wasTaken = (c: CreatedMaster): boolean => back.has(id(c));
      // the decisions naming them are those of the links to this table (another table's master may share the key)
      const links = ctx.links.filter((y) => targetGroup(y) === targetGroup(l)).map((y) => y.entity);
      for (const c of list)
        if (wasTaken(c)) {
          revoke.push({ key: c.key, scope: c.scopeKey, links });
          taken.push({ table, key: c.key, scopeKey: c.scopeKey });
        }
      const remade = already.filter((c) => later.has(id(c)));
      if (already.length > 0)
        notices.push(
          `${table}: ${already.length} master(s) run ${runId} created or reactivated were taken back already by undo run ${[...new Set(already.map((c) => before.get(id(c))))].join(', ')}${remade.length > 0 ? `; ${remade.length} of them were created or reactivated again since by run ${[...new Set(remade.map((c) => later.get(id(c))))].join(', ')}, left as it made them` : ''}`,
        );
      const kept = creates.filter((c) => inUse.has(c.key));
      const inUseN = kept.length;
      const reactsInUse = reacts.filter((c) => inUse.has(c.key) && wasTaken(c)).length;
      if (reactsInUse > 0)
        notices.push(
          `${table}: of the master(s) run ${runId} reactivated, ${reactsInUse} have rows linked to them; they are inactive again and keep those rows (an inactive master's rows stay linked; undo the apply that linked them to clear them)`,
        );
      if (superseded.length > 0)
        notices.push(
          `${table}: ${superseded.length} master(s) run ${runId} created or reactivated were created or reactivated again by a later run (${[...new Set(superseded.map((c) => later.get(id(c))))].join(', ')}), so they were left as that run made them`,
        );
      if (inUseN > 0)
        notices.push(
          `${table}: ${inUseN} master(s) run ${runId} created are referenced by rows (an apply since, the application, or another table's foreign key), so they were left: ${kept
            .slice(0, KEPT_SHOWN)
            .map((c) => `${c.key} (${inUse.get(c.key)})`)
            .join(', ')}${inUseN > KEPT_SHOWN ? ', …' : ''}; undo that apply or unlink those rows first, then this run again`,
        );
      const edited = list.length - deleted.length - deactivated.length - inUseN;
      if (edited > 0)
        notices.push(
          `${table}: ${edited} master(s) run ${runId} created or reactivated were changed since (edited, renamed, deactivated or deleted), so they were left as they are`,
        );
      const reverted = deleted.length + deactivated.length;
      if (reverted > all.length)
        throw new BackfillError('INTERNAL', `undo of run ${runId}: ${reverted} masters taken back of ${all.length} it changed`);
      results.push({
        entityType: 'masters',
        table,
        changed: all.length,
        reverted,
        skipped: all.length - reverted,
        ...(already.length > 0 ? { alreadyReverted: already.length } : {}),
        complete: true,
      });
    }
    // only the decisions naming a master taken back: a name aliased to a master left in place keeps it
    const revoked = await revokeDecisionsInForce(tx, summary.decisions, ctx.filter.tenant, revoke);
    const restored = await restoreDecisionsInForce(tx, summary.replaced, ctx.filter.tenant);
    if (summary.decisions.length > 0)
      notices.push(
        `decisions: ${revoked} of the ${summary.decisions.length} run ${runId} wrote revoked${revoked < summary.decisions.length ? ' (the others name masters left in place, or were decided again or revoked since)' : ''}${restored > 0 ? `, ${restored} it had replaced back in force` : ''}; plan again to see the names in the queue`,
      );
    return { results, notices, takenBack: taken };
  });
}
