/**
 * `revenue`: the seed's business value, measured. Per master, the documents and total amount reached via
 * the FK next to what a join on the name column would have found: the rows a name join misses (name
 * differs from the master's) and the ones it double-counts or misattributes (same-named masters, or the
 * FK says another master).
 */
import { num } from '../db/port.js';
import { revenueStatement, revenueTotalsStatement } from '../sql/catalog-revenue.js';
import { prepare, shape, type CommonOptions, type Context } from '../context/context.js';

export interface RevenueOptions extends CommonOptions {
  /** Masters listed per link (most different first); totals always cover all (default 50). */
  limit?: number;
}

export interface MasterRevenue {
  scope: string[];
  key: string;
  name: string;
  viaFk: { documents: number; amount: number };
  viaName: { documents: number; amount: number };
  /** Linked to this master by FK, but the name differs: a name join misses them. */
  missedByName: { documents: number; amount: number };
  /** Reached by name here, but also under another master, or the FK says another master. */
  wrongByName: { documents: number; amount: number };
}

export interface LinkRevenue {
  entityType: string;
  table: string;
  target: string;
  /** The configured amount column (amounts are 0 without one). */
  amountColumn: string | null;
  /**
   * `linked`: FK to a master of the row's scope (what the masters' `viaFk` add up to); `unlinked`: NULL FK;
   * `dangling`: an FK to no master of the row's scope (deleted, or another tenant's), in neither.
   */
  documents: {
    total: number;
    amount: number;
    linked: number;
    linkedAmount: number;
    unlinked: number;
    unlinkedAmount: number;
    dangling: number;
    danglingAmount: number;
    noNameMatch: number;
  };
  /** Sums over every master (the name join counts a document once per same-named master). */
  totals: {
    masters: number;
    viaName: { documents: number; amount: number };
    missedByName: { documents: number; amount: number };
    wrongByName: { documents: number; amount: number };
  };
  masters: MasterRevenue[];
  mastersTruncated: boolean;
}

export interface RevenueReport {
  tenantId: string | null;
  links: LinkRevenue[];
}

const money = (v: unknown): number => Math.round(num(v) * 100) / 100;

export async function revenueIn(ctx: Context, opts: RevenueOptions = {}): Promise<RevenueReport> {
  const limit = opts.limit ?? 50;
  const links: LinkRevenue[] = [];
  for (const l of ctx.links) {
    const s = shape(l);
    const t = (await ctx.db.query(revenueTotalsStatement(s, ctx.filter))).rows[0];
    const rows = (await ctx.db.query(revenueStatement(s, ctx.filter, limit))).rows;
    const first = rows[0];
    const masters = num(first?.masters);
    links.push({
      entityType: l.entity,
      table: l.config.table,
      target: l.config.target.table,
      amountColumn: l.config.amount ?? null,
      documents: {
        total: num(t?.docs),
        amount: money(t?.amount),
        linked: num(t?.linked_docs),
        linkedAmount: money(t?.linked_amount),
        unlinked: num(t?.unlinked_docs),
        unlinkedAmount: money(t?.unlinked_amount),
        dangling: num(t?.dangling_docs),
        danglingAmount: money(t?.dangling_amount),
        noNameMatch: num(t?.no_name_match_docs),
      },
      totals: {
        masters,
        viaName: { documents: num(first?.total_name_docs), amount: money(first?.total_name_amount) },
        missedByName: { documents: num(first?.total_missed_docs), amount: money(first?.total_missed_amount) },
        wrongByName: { documents: num(first?.total_wrong_docs), amount: money(first?.total_wrong_amount) },
      },
      masters: rows.map((r) => ({
        scope: r.scope_key ?? [],
        key: String(r.key),
        name: String(r.name),
        viaFk: { documents: num(r.fk_docs), amount: money(r.fk_amount) },
        viaName: { documents: num(r.name_docs), amount: money(r.name_amount) },
        missedByName: { documents: num(r.missed_docs), amount: money(r.missed_amount) },
        wrongByName: { documents: num(r.wrong_docs), amount: money(r.wrong_amount) },
      })),
      mastersTruncated: masters > rows.length,
    });
  }
  return { tenantId: ctx.filter.tenant, links };
}

/** Per master: documents and amount via the FK vs via a name join (misses and double counts). */
export async function revenueReport(db: unknown, opts: RevenueOptions = {}): Promise<RevenueReport> {
  return revenueIn(await prepare(db, opts, { store: false }), opts);
}
