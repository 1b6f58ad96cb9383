import { num } from '../db/port.js';
import { formatRate } from '../plan/decide.js';
import { statusStatement } from '../sql/status.js';
import { type CommonOptions, type Context, noticesOf, prepare, shape, softDeleteWarnings } from '../context/context.js';

export interface LinkStatus {
  entityType: string;
  table: string;
  totalRecords: number;
  nullFks: number;
  populatedFks: number;
  populationRate: string;
}

export interface StatusReport {
  tenantId: string | null;
  links: LinkStatus[];
  total: Omit<LinkStatus, 'entityType' | 'table'>;
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
    links.push({
      entityType: l.entity,
      table: l.config.table,
      totalRecords: total,
      nullFks: nulls,
      populatedFks: total - nulls,
      populationRate: formatRate(total - nulls, total),
    });
  }
  const totalRecords = links.reduce((a, l) => a + l.totalRecords, 0);
  const nullFks = links.reduce((a, l) => a + l.nullFks, 0);
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
      populatedFks: totalRecords - nullFks,
      populationRate: formatRate(totalRecords - nullFks, totalRecords),
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
