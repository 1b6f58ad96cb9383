/**
 * `drift` (issue #20): what changed under links that were right when they were made, decisions whose master is gone,
 * and names that arrived since the last plan. Read-only; set-based (three statements per link); exit 3 from the CLI when
 * anything is found so it can run from cron or CI.
 */
import { num } from '../db/port.js';
import { driftTablesExist } from '../store/guards.js';
import { createMatcher, type Matcher, sameNormalisedName } from '../match/index.js';
import { noticesOf, prepare, shape, type CommonOptions } from '../context/context.js';
import { matchOptionsFor } from '../planning/scored.js';
import {
  type DriftDecisionRow,
  driftDecisionsStatement,
  driftLinkedStatement,
  type DriftKind,
  type DriftLinkedRow,
  driftNewNamesStatement,
  type DriftNewNameRow,
} from '../sql/drift.js';
import { wrapDbError } from '../errors.js';
import { noNestedLoopsStatement } from '../sql/session.js';

export type { DriftKind };

export interface DriftGroup {
  scopeKey: (string | null)[];
  /** The document's name (null: the row has none, its FK set otherwise; then never 'renamed'). */
  sourceName: string | null;
  /** The FK value rows hold (the master). */
  targetKey: string;
  /** The master's name now (null: master gone). */
  masterName: string | null;
  rows: number;
}

export interface DriftCategory {
  rows: number;
  /** Distinct (scope, name, master) groups. */
  groups: number;
  /** The largest groups, at most `limit`. */
  samples: DriftGroup[];
}

export interface NewName {
  scopeKey: (string | null)[];
  sourceName: string;
  rows: number;
}

export interface LinkDrift {
  entityType: string;
  table: string;
  match: 'exact' | 'normalized' | 'fuzzy';
  /** Linked rows whose master's name no longer equals (exact) or matches (normalized, fuzzy) the document's name. */
  renamed: DriftCategory;
  /** Linked rows whose master is not active any more. */
  inactive: DriftCategory;
  /** Linked rows whose master no longer exists (no FK constraint held it). */
  missing: DriftCategory;
  /** Linked rows whose FK names a master of another scope (tenant): a cross-tenant link (verify's crossScope). */
  otherScope: DriftCategory;
  /**
   * Linked rows whose master's name another active master of the same scope has too (a duplicate master created since):
   * a name two active masters share is never linked by a plan; merge the masters or decide which one the name means.
   */
  duplicated: DriftCategory;
  /**
   * Decisions in force (a person's alias) whose master was deleted (merged into another) or is inactive: no plan or guard
   * links the name any more. One group per decision (master name null: deleted), its rows the name's NULL-FK rows now.
   */
  decisions: DriftCategory;
  /** Names of NULL-FK rows no plan has seen that no master of exactly that name (one, active, in scope) or alias would link; a normalised or fuzzy plan may still link them. */
  newNames: { names: number; rows: number; samples: NewName[] };
}

export interface DriftReport {
  tenantId: string | null;
  links: LinkDrift[];
  /** Anything found (the CLI exits 3). */
  found: boolean;
  notices?: string[];
}

export interface DriftOptions extends CommonOptions {
  /** Samples listed per category (default 20). */
  limit?: number;
}

function category(groups: DriftGroup[], limit: number): DriftCategory {
  return { rows: groups.reduce((a, g) => a + g.rows, 0), groups: groups.length, samples: groups.slice(0, limit) };
}

export async function drift(handle: unknown, opts: DriftOptions = {}): Promise<DriftReport> {
  const ctx = await prepare(handle, opts, { store: false });
  const limit = Math.max(0, opts.limit ?? 20);
  const hasStore = await driftTablesExist(ctx.db);
  const links: LinkDrift[] = [];
  for (const l of ctx.links) {
    const s = shape(l);
    let linked: readonly DriftLinkedRow[];
    let fresh: readonly DriftNewNameRow[];
    let decided: readonly DriftDecisionRow[];
    try {
      // hash joins only: each statement reads the whole link, and the estimates it would be planned on are often wrong
      // (the source's statistics taken while its FKs were NULL, as apply leaves them on PGlite or without autovacuum;
      // plan entries and runs not yet analysed): a trial's 227 k claims nested their masters' duplicate names and the
      // applied plans' entries once per row, 58 s instead of 1.4 s
      [linked, fresh, decided] = await ctx.db.transaction(async (tx) => {
        await tx.query(noNestedLoopsStatement());
        // without fk-backfill's schema (never run here) there are no aliases and no plans: empty stand-ins
        return [
          (await tx.query(driftLinkedStatement(s, l.entity, ctx.filter, hasStore, l.config.match !== 'exact'))).rows,
          (await tx.query(driftNewNamesStatement(s, l.entity, ctx.filter, limit, hasStore))).rows,
          hasStore ? (await tx.query(driftDecisionsStatement(s, l.entity, ctx.filter))).rows : [],
        ] as const;
      });
    } catch (e) {
      throw wrapDbError(e, `reading drift of ${l.entity}`);
    }
    const groups = {
      renamed: [] as DriftGroup[],
      inactive: [] as DriftGroup[],
      missing: [] as DriftGroup[],
      otherScope: [] as DriftGroup[],
      duplicated: [] as DriftGroup[],
    };
    const opt = matchOptionsFor(l);
    const matchers = new Map<string, Matcher>();
    for (const r of linked) {
      const g: DriftGroup = {
        scopeKey: r.scope_key,
        sourceName: r.source_name,
        targetKey: r.target_key,
        masterName: r.master_name,
        rows: num(r.row_count),
      };
      // a normalised or fuzzy link groups the masters' names by their letters and digits, which also joins words
      // ('Silver-Foods A/S' beside 'SilverFoods A/S', two names to the plan): a duplicate only when another of them
      // normalises as this master's name does (a trial: exit 3 the day of a clean apply)
      if (r.kind === 'duplicated' && l.config.match !== 'exact' && r.master_name !== null && !namesakeAmong(r.master_name, r.dup_names))
        continue;
      if (r.kind === 'renamed' && r.applied && r.recorded_name !== null) {
        // an applied run linked this name to this master: drift exactly when the master's name is no longer the one
        // its plan recorded (before, a name linked as a known alias was reported the day of the apply, and a name
        // linked by exact equality was not when its master was renamed, the fuzzy re-score still matching them)
        if (r.recorded_name === r.master_name) continue;
        groups[r.kind].push(g);
        continue;
      }
      if (r.kind === 'renamed' && l.config.match !== 'exact' && r.master_name !== null && r.source_name !== null) {
        // a normalised / fuzzy link: drift only when the link's own matcher no longer matches the two names
        const mk = `${r.target_key}\u0000${r.master_name}`;
        let m = matchers.get(mk);
        if (m === undefined) {
          m = createMatcher([{ key: r.target_key, name: r.master_name }], [], opt);
          matchers.set(mk, m);
        }
        const d = m.match(r.source_name);
        if (d.candidates.some((c) => c.key === r.target_key && c.score >= opt.reviewAt)) continue;
      }
      groups[r.kind].push(g);
    }
    const first = fresh[0];
    links.push({
      entityType: l.entity,
      table: l.config.table,
      match: l.config.match,
      renamed: category(groups.renamed, limit),
      inactive: category(groups.inactive, limit),
      missing: category(groups.missing, limit),
      otherScope: category(groups.otherScope, limit),
      duplicated: category(groups.duplicated, limit),
      decisions: category(
        decided.map((r) => ({
          scopeKey: r.scope_key,
          sourceName: r.source_name,
          targetKey: r.target_key,
          masterName: r.master_name,
          rows: num(r.row_count),
        })),
        limit,
      ),
      newNames: {
        names: num(first?.names_total),
        rows: num(first?.rows_total),
        samples: fresh.slice(0, limit).map((r) => ({ scopeKey: r.scope_key, sourceName: r.source_name, rows: num(r.row_count) })),
      },
    });
  }
  const found = links.some(
    // a decision whose master is gone counts though no row waits for it yet (the guard's next rows of the name will)
    (x) =>
      x.renamed.rows + x.inactive.rows + x.missing.rows + x.otherScope.rows + x.duplicated.rows + x.newNames.rows + x.decisions.groups > 0,
  );
  return { tenantId: ctx.filter.tenant, links, found, ...noticesOf(ctx) };
}

/** Another of the names (the master's own taken out once) is the master's name as the normaliser reads it. */
function namesakeAmong(master: string, names: readonly string[] | null): boolean {
  if (names === null) return true;
  const others = [...names];
  const own = others.indexOf(master);
  if (own >= 0) others.splice(own, 1);
  return others.some((n) => n === master || sameNormalisedName(n, master));
}
