import { targetScope } from '../sql/link.js';
import { configHash, toConfig } from '../config/load.js';
import { activePredicate, type Config, type ConfigInput } from '../config/schema.js';
import { adapt } from '../db/index.js';
import type { Database, Queryable } from '../db/port.js';
import { BackfillError, sqlState, wrapDbError } from '../errors.js';
import type { LinkShape, ScopeFilter } from '../sql/link.js';
import { citusShape } from '../sql/citus.js';
import { canonicalTenantStatement, tenantFoundStatement, tenantHintStatement } from '../sql/context.js';
import { migrate } from '../store/migrate.js';
import { sentinelToNullSql } from '../sql/constrain.js';
import { hiddenByPolicies, hiddenRemedy, hiddenWhat, rowSecurityNotices } from './row-security.js';
import { bindLinkTargets, retargetedNotices } from '../store/link-targets.js';
import type { NewRun } from '../store/runs.js';
import { type ResolvedLink, resolveLinks } from './catalog.js';
import { linkTargetsOf } from './run-tables.js';

/** Options every library call understands (the CLI's --db/--config/--tenant/--all-tenants). */
export interface CommonOptions {
  /** Link configuration; default: the seed's four Axis links. */
  config?: Config | ConfigInput;
  /** Value of the first scope column (the tenant). */
  tenantId?: string | null;
  /** Every scope value (instead of one tenant). */
  allTenants?: boolean;
  /** Entity names to restrict to (default: all configured links). */
  entities?: readonly string[];
}

export interface Context {
  db: Database;
  config: Config;
  configHash: string;
  links: ResolvedLink[];
  filter: ScopeFilter;
  /** Said once per command, not per link (e.g. the built-in Axis links are in use). */
  notices: string[];
}

/** What a run of this context records about where it ran: its tenant, its links, the config (and hash) it ran with. */
export function runScope(ctx: Context): Pick<NewRun, 'tenant' | 'entities' | 'configHash' | 'config'> {
  return { tenant: ctx.filter.tenant, entities: ctx.links.map((l) => l.entity), configHash: ctx.configHash, config: ctx.config };
}

export function shape(l: ResolvedLink): LinkShape {
  const c = l.config;
  return {
    sourceSql: l.sourceSql,
    targetSql: l.targetSql,
    key: l.walkKey,
    keys: l.keys,
    keyTypes: l.keyTypes,
    fk: c.fk,
    name: c.name,
    citus: citusShape(l.citus),
    document: c.document,
    amount: c.amount,
    compare: l.compare,
    targetKey: l.targetKey,
    ...(l.targetKeyAlone ? { targetKeyAlone: true } : {}),
    targetName: c.target.name,
    ...(l.sourceOid === l.targetOid ? { selfTable: true } : {}),
    active: activePredicate(c.target.active),
    ...(c.active !== undefined ? { sourceActive: activePredicate(c.active) } : {}),
    scope: c.scope,
    ...(c.targetScope !== undefined ? { targetScope: c.targetScope } : {}),
    ...(c.target.shared === 'null-scope' && c.scope.length > 0 ? { sharedMasters: true } : {}),
    fkType: l.fkType,
    ...(l.fkRange !== undefined ? { fkRange: l.fkRange } : {}),
    keyType: l.keyType,
    keyCollation: l.keyCollation,
    touch: l.touch === null || l.touchTriggers === null ? l.touch : { ...l.touch, byTrigger: true },
    fkChecks: l.fkChecks,
    ...(l.fkSuspectChecks.length > 0 ? { fkSuspectChecks: l.fkSuspectChecks } : {}),
    nameType: l.nameType,
    targetNameType: l.targetNameType,
    scopeLoose: l.scopeLoose,
    nameLoose: l.nameLoose,
    nameCitext: l.nameCitext,
  };
}

/**
 * Everything a pipeline step needs: the adapted database (own schema migrated), the validated config,
 * the links checked against the catalog, and the scope filter (tenant checked to exist).
 */
export interface PrepareNeeds {
  /** 'required': a scoped link needs --tenant or --all-tenants (commands that write). */
  tenant?: 'required' | 'optional';
  /** Check that the tenant exists (default true). */
  checkTenant?: boolean;
  /** Bring schema fk_backfill up to date (default true; status/verify only read and skip it). */
  store?: boolean;
  /**
   * Refuse a link whose `key` does not identify one row (ResolvedLink.keyProblem). Default: when a
   * tenant is required (the commands that plan or write); undo and resume say so themselves.
   */
  rowIdentity?: boolean;
  /**
   * Bind each link's name to its master table (store/link-targets.ts): refused when the name's history is of another
   * master table. Default: when a tenant is required (the commands that plan, decide or write); `guard install` and
   * `decide` ask for it too.
   */
  bind?: boolean;
}

/**
 * Everything a pipeline step needs: the adapted database, the validated config, the links checked
 * against the catalog, and the scope filter (tenant checked to exist). All input is checked before
 * anything is written, own schema included: bad input leaves the database as it was.
 */
export async function prepare(handle: unknown, opts: CommonOptions, need: PrepareNeeds = {}): Promise<Context> {
  const db = adapt(handle);
  const config = toConfig(opts.config);
  const tenant = opts.tenantId ?? null;
  if (tenant !== null && opts.allTenants === true) {
    throw new BackfillError('USAGE', 'give either a tenant or all tenants, not both');
  }
  // no config given: the seed's Axis links (the seed's own call relies on them), said so; refused clearly where they do not fit
  const builtin = opts.config === undefined;
  let links: ResolvedLink[];
  try {
    links = await resolveLinks(db, config.links, opts.entities);
  } catch (e) {
    if (builtin && e instanceof BackfillError && (e.code === 'SCHEMA_MISSING_TABLE' || e.code === 'SCHEMA_MISSING_COLUMN')) {
      throw new BackfillError(
        'CONFIG_NOT_FOUND',
        `no config given, and this database is not shaped like the built-in Axis links (${e.message}): pass a config (CLI: --config FILE or ./fk-backfill.config.json; library: the \`config\` option), or write one with \`fk-backfill discover --write fk-backfill.config.json\``,
      );
    }
    throw e;
  }
  if (need.rowIdentity ?? need.tenant === 'required') {
    const bad = links.find((l) => l.keyProblem !== null);
    if (bad !== undefined) {
      throw new BackfillError('SCHEMA_KEY_NOT_UNIQUE', `${bad.entity}: ${bad.keyProblem}`, {
        details: { entity: bad.entity, table: bad.config.table },
      });
    }
  }
  // the commands that plan or write refuse it; undo of a run made with it still sets back what was written
  const self = need.tenant === 'required' ? links.find((l) => l.selfNamed !== null) : undefined;
  if (self !== undefined) throw new BackfillError('CONFIG_INVALID', self.selfNamed!, { details: { entity: self.entity } });
  const scoped = links.some((l) => l.config.scope.length > 0);
  if (need.tenant === 'required' && scoped && tenant === null && opts.allTenants !== true) {
    throw new BackfillError('TENANT_REQUIRED', 'choose a tenant (--tenant ID) or every tenant (--all-tenants)');
  }
  let filter: ScopeFilter = { tenant: opts.allTenants === true ? null : tenant };
  const notices = builtin ? [`no config given: using the built-in Axis links (${BUILTIN_LINKS})`] : [];
  if (filter.tenant !== null) links = withoutUnscoped(links, opts.entities, notices);
  if (filter.tenant !== null && need.checkTenant !== false) {
    const checked = await checkTenant(db, links, filter.tenant, opts.entities, notices);
    filter = { tenant: checked.tenant };
    links = checked.links;
  }
  if (need.store !== false) await migrate(db);
  if (need.store !== false && (need.bind ?? need.tenant === 'required')) await bindLinkTargets(db, await linkTargetsOf(db, links));
  // the read-only commands say it instead (their counts read the config's table)
  if (need.store === false) notices.push(...(await retargetedNotices(db, await linkTargetsOf(db, links))));
  if (filter.tenant !== null) {
    for (const l of links.filter((x) => x.config.scope.length > 1)) {
      notices.push(
        `${l.entity}: the tenant filters ${l.config.scope[0]} only; every ${l.config.scope.slice(1).join('/')} of it is processed (names are still matched within the same ${l.config.scope.join('/')})`,
      );
    }
  }
  notices.push(...(await rowSecurityNotices(db, links, filter.tenant)));
  for (const l of links)
    if (l.fkSentinel !== undefined)
      notices.push(
        `${l.entity}: ${l.config.table}.${l.config.fk} is NOT NULL with default ${l.fkSentinel}: fk-backfill fills NULL FKs only, so a row holding ${l.fkSentinel} is never linked (verify counts it as an FK pointing nowhere); if ${l.fkSentinel} stands for "not set", make those rows NULL first: ${sentinelToNullSql({ sourceSql: l.sourceSql, fk: l.config.fk }, l.fkSentinel)}`,
      );
  return { db, config, configHash: configHash(config), links, filter, notices };
}

/**
 * Under --tenant, the links a tenant can restrict: a link without a scope column (a master shared by
 * every tenant, a Citus reference table) would be processed for every tenant's rows, so it is left out
 * with a notice, and refused when named with --entity or when no link has a scope (before: `apply
 * --tenant 2` linked the reference link's rows of every tenant, and said nothing).
 */
function withoutUnscoped(links: ResolvedLink[], named: readonly string[] | undefined, notices: string[]): ResolvedLink[] {
  const unscoped = links.filter((l) => l.config.scope.length === 0);
  if (unscoped.length === 0) return links;
  const why = "has no scope (tenant) column, so --tenant cannot restrict it to one tenant's rows";
  const asked = unscoped.filter((l) => named?.includes(l.entity) === true);
  if (asked.length > 0 || unscoped.length === links.length) {
    const l = asked[0] ?? unscoped[0]!;
    throw new BackfillError('USAGE', `${l.entity} ${why}: run it with --all-tenants (or without --tenant)`);
  }
  for (const l of unscoped) notices.push(`${l.entity} skipped: it ${why}; run it with --all-tenants`);
  return links.filter((l) => l.config.scope.length > 0);
}

const BUILTIN_LINKS =
  'sales_orders/sales_invoices.customer_id → customers, purchase_orders/purchase_bills.vendor_id → vendors, by name, per tenant_id';

/** Scope types whose text form the database makes canonical: `--tenant 01` and `--tenant 1` are one tenant, one plan. */
const CANONICAL_TENANT_TYPES = new Set(['smallint', 'integer', 'bigint', 'uuid']);

/**
 * A tenant that is not a valid value of the scope column, or that no row mentions, is an error. Returns the tenant
 * as the column's type spells it (a plan made for `01` was refused by an apply for `1`), and the links it can select:
 * a link whose scope column's type cannot hold the value (a clinic's uuid beside another link's enum of regions) has
 * no rows of that tenant, so it is left out with a notice, as a link without a scope is, unless it was named with
 * --entity or no link can hold the value (before: the other links' statements failed with 22P02, exit 1).
 */
async function checkTenant(
  db: Queryable,
  links: ResolvedLink[],
  tenant: string,
  named: readonly string[] | undefined,
  notices: string[],
): Promise<{ tenant: string; links: ResolvedLink[] }> {
  const scoped = links.filter((l) => l.config.scope[0] !== undefined);
  if (scoped.length === 0) return { tenant, links };
  let canonical: string | null = null;
  const invalid: ResolvedLink[] = [];
  for (const l of scoped) {
    try {
      const res = await db.query(tenantFoundStatement(l.sourceSql, l.targetSql, l.config.scope[0]!, tenant, targetScope(l.config)[0]!));
      if (canonical === null && res.rows[0]?.found === true) {
        const type = l.scopeTypes[0]!;
        canonical = CANONICAL_TENANT_TYPES.has(type)
          ? ((await db.query(canonicalTenantStatement(type, tenant))).rows[0]?.v ?? tenant)
          : tenant;
      }
    } catch (e) {
      const state = sqlState(e);
      if (state === '22P02' || state === '22003' || state === '22008' || state === '22007') {
        invalid.push(l);
        continue;
      }
      throw wrapDbError(e, `looking up tenant "${tenant}"`);
    }
  }
  const refused = invalid.find((l) => named?.includes(l.entity) === true) ?? (canonical === null ? invalid[0] : undefined);
  if (refused !== undefined) {
    // the same hint as for a value no row has: an enum's labels are case-sensitive too ('T1' for 't1')
    throw new BackfillError(
      'UNKNOWN_TENANT',
      `tenant "${tenant}" is not a valid ${refused.scopeTypes[0]} for ${refused.config.table}.${refused.config.scope[0]}${await tenantHint(db, refused, tenant)}`,
    );
  }
  if (canonical === null) {
    throw new BackfillError(
      'UNKNOWN_TENANT',
      `tenant "${tenant}" not found: no row of ${[...new Set(scoped.flatMap((l) => [l.config.table, l.config.target.table]))].join(', ')} has it${(await hiddenTables(db, scoped, tenant)) ?? (await tenantHint(db, scoped[0]!, tenant))}`,
    );
  }
  for (const l of invalid) {
    notices.push(
      `${l.entity} skipped: tenant "${tenant}" is not a valid ${l.scopeTypes[0]} for its scope ${l.config.table}.${l.config.scope[0]}, so it has no rows of that tenant; run it with --tenant of its own or --all-tenants`,
    );
  }
  return { tenant: canonical, links: links.filter((l) => !invalid.includes(l)) };
}

/** What an unknown tenant error says instead where row-level security shows this role none of a table's rows. */
async function hiddenTables(db: Queryable, links: readonly ResolvedLink[], tenant: string): Promise<string | null> {
  for (const l of links)
    for (const t of [
      { oid: l.sourceOid, sql: l.sourceSql, name: l.config.table },
      { oid: l.targetOid, sql: l.targetSql, name: l.config.target.table },
    ]) {
      const h = await hiddenByPolicies(db, t);
      if (h !== null) return `, but ${hiddenWhat(t.name, h, null)}: ${hiddenRemedy(h, tenant)}`;
    }
  return null;
}

/** What an unknown tenant error adds: the same value in another case, and some values that exist (read from a bounded sample). */
async function tenantHint(db: Queryable, l: ResolvedLink, tenant: string): Promise<string> {
  try {
    const res = await db.query(tenantHintStatement(l.targetSql, targetScope(l.config)[0]!, tenant));
    if (res.rows.length === 0) return ` (${l.config.target.table} has no ${targetScope(l.config)[0]} value at all)`;
    const ci = res.rows.find((r) => r.same_ci);
    const some = res.rows.map((r) => JSON.stringify(r.v)).join(', ');
    return `${ci !== undefined ? `; did you mean "${ci.v}"? tenant values are case-sensitive` : ''}; some ${targetScope(l.config)[0]} values of ${l.config.target.table}: ${some}`;
  } catch {
    return '';
  }
}

/** The warning of a link without an active predicate whose master table has soft-delete or status-like columns (plan, status, verify). */
export function softDeleteWarnings(l: ResolvedLink): string[] {
  return l.softDelete === null ? [] : [l.softDelete.warning];
}

/** The run's and the links' notices (a link left out under --tenant, …), as an optional result field. */
export function noticesOf(ctx: Context): { notices?: string[] } {
  // each said once (a trial on a schema per tenant printed one notice forty times)
  const n = [...new Set([...ctx.notices, ...ctx.links.flatMap((l) => l.notices)])];
  return n.length > 0 ? { notices: n } : {};
}
