import { num } from '../db/port.js';
import { formatRate } from '../plan/decide.js';
import { type StatusCounts, statusStatement } from '../sql/status.js';
import { assertNotActiveAddsUp } from './not-active.js';
import { activePredicate } from '../config/schema.js';
import { type ActivePredicate, describeActive } from '../sql/active.js';
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
    links.push(linkStatus(l.entity, l.config.table, row, activePredicate(l.config.active)));
  }
  const warnings = ctx.links.flatMap(softDeleteWarnings);
  return {
    tenantId: ctx.filter.tenant,
    ...(warnings.length > 0 ? { warnings } : {}),
    // the soft-delete warning is also a link's notice: said once, as the warning (a trial: printed twice)
    ...noticesBeside(noticesOf(ctx), warnings),
    links,
    total: statusTotal(links),
  };
}

/**
 * One link's status from its counts row. With the link's own `active`, linked, unlinked (NULL FK, active) and not
 * active are each counted by a filter of their own: they must add up to the total, checked here (INTERNAL), so the
 * report a library caller or `status --json` gets is checked as the printed table is.
 */
export function linkStatus(
  entityType: string,
  table: string,
  row: StatusCounts | undefined,
  active: ActivePredicate | undefined,
): LinkStatus {
  const total = num(row?.total);
  const nulls = num(row?.null_fks);
  const off = num(row?.not_active);
  const populated = row?.linked === undefined ? total - nulls : num(row.linked);
  if (active !== undefined) assertNotActiveAddsUp({ entityType, total, populated, nullFks: nulls, notActive: off });
  return {
    entityType,
    table,
    totalRecords: total,
    nullFks: nulls,
    populatedFks: populated,
    populationRate: formatRate(populated, total - off),
    ...(active !== undefined ? { notActive: off, activeWhen: describeActive(active) } : {}),
  };
}

/** The links' sums; with any link's own `active`, checked to add up as each link's are. */
export function statusTotal(links: LinkStatus[]): StatusReport['total'] {
  const totalRecords = links.reduce((a, l) => a + l.totalRecords, 0);
  const nullFks = links.reduce((a, l) => a + l.nullFks, 0);
  const someActive = links.some((l) => l.notActive !== undefined);
  const notActive = links.reduce((a, l) => a + (l.notActive ?? 0), 0);
  const populatedFks = links.reduce((a, l) => a + l.populatedFks, 0);
  if (someActive) assertNotActiveAddsUp({ entityType: 'TOTAL', total: totalRecords, populated: populatedFks, nullFks, notActive });
  return {
    totalRecords,
    nullFks,
    populatedFks,
    populationRate: formatRate(populatedFks, totalRecords - notActive),
    ...(someActive ? { notActive } : {}),
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
