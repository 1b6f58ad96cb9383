import { num } from '../db/port.js';
import { formatRate } from '../plan/decide.js';
import { statusStatement } from '../sql/status.js';
import { activePredicate } from '../config/schema.js';
import { describeActive } from '../sql/active.js';
import { type CommonOptions, type Context, noticesOf, prepare, shape, softDeleteWarnings } from '../context/context.js';

export interface LinkStatus {
  entityType: string;
  table: string;
  totalRecords: number;
  nullFks: number;
  populatedFks: number;
  populationRate: string;
  /**
   * With the link's own `active` (documents that count): NULL-FK rows left out as not active, not in `nullFks`
   * (totalRecords = populatedFks + nullFks + notActive; the rate is of the rows that count). Absent: every row counts.
   */
  notActive?: number;
  /** How the link's own `active` reads (`deleted_at IS NULL`), beside notActive. */
  activeWhen?: string;
}

export interface StatusReport {
  tenantId: string | null;
  links: LinkStatus[];
  total: Omit<LinkStatus, 'entityType' | 'table' | 'activeWhen'>;
  /** E.g. a master table with a soft-delete column and a link without an active predicate. */
  warnings?: string[];
  /** E.g. a link left out under --tenant (it has no scope column). */
  notices?: string[];
}

export async function statusIn(ctx: Context): Promise<StatusReport> {
  const links: LinkStatus[] = [];
  for (const l of ctx.links) {
    const row = (await ctx.db.query(statusStatement(shape(l), ctx.filter))).rows[0];
    const total = num(row?.total);
    const nulls = num(row?.null_fks);
    const off = num(row?.not_active);
    const active = activePredicate(l.config.active);
    links.push({
      entityType: l.entity,
      table: l.config.table,
      totalRecords: total,
      nullFks: nulls,
      // with its own `active`, the linked rows as counted (the table checks the three parts add up to the total)
      populatedFks: row?.linked === undefined ? total - nulls : num(row.linked),
      populationRate: formatRate(row?.linked === undefined ? total - nulls : num(row.linked), total - off),
      ...(active !== undefined ? { notActive: off, activeWhen: describeActive(active) } : {}),
    });
  }
  const totalRecords = links.reduce((a, l) => a + l.totalRecords, 0);
  const nullFks = links.reduce((a, l) => a + l.nullFks, 0);
  const someActive = links.some((l) => l.notActive !== undefined);
  const notActive = links.reduce((a, l) => a + (l.notActive ?? 0), 0);
  const populatedFks = links.reduce((a, l) => a + l.populatedFks, 0);
  const warnings = ctx.links.flatMap(softDeleteWarnings);
  return {
    tenantId: ctx.filter.tenant,
    ...(warnings.length > 0 ? { warnings } : {}),
    // the soft-delete warning is also a link's notice: said once, as the warning (a trial: printed twice)
    ...noticesBeside(noticesOf(ctx), warnings),
    links,
    total: {
      totalRecords,
      nullFks,
      populatedFks,
      populationRate: formatRate(populatedFks, totalRecords - notActive),
      ...(someActive ? { notActive } : {}),
    },
  };
}

/** The seed's FK population table: per link, total rows, NULL FKs, populated FKs, rate. */
export async function status(db: unknown, opts: CommonOptions = {}): Promise<StatusReport> {
  return statusIn(await prepare(db, opts, { store: false }));
}

function noticesBeside(n: { notices?: string[] }, warnings: string[]): { notices?: string[] } {
  const rest = (n.notices ?? []).filter((x) => !warnings.includes(x));
  return rest.length > 0 ? { notices: rest } : {};
}
