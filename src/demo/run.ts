import { openDatabase } from '../db/index.js';
import type { Database } from '../db/port.js';
import { BackfillError, sqlState } from '../errors.js';
import { backfillForeignKeys, type BackfillSummary } from '../apply/backfill.js';
import { status, type StatusReport } from '../status/status.js';
import { deleteCustomerStatement, existingTablesStatement } from '../sql/demo.js';
import { AXIS_TABLES, createAxis, DEMO_TENANT, dropAxis } from './axis.js';
import { AXIS_CONFIG } from '../config/defaults.js';

/** The RESTRICT check as the demo shows it (the CLI prints it). */
export { deleteCustomerShown } from '../sql/demo.js';

export interface DemoResult {
  tenantId: string;
  before: StatusReport;
  dryRun: BackfillSummary;
  applied: BackfillSummary;
  after: StatusReport;
  /** Deleting customer 'ABC Corp' (now referenced) was refused by ON DELETE RESTRICT. */
  restrictVerified: boolean;
}

class Rollback extends Error {}

/** The seed's check: delete 'ABC Corp' inside a transaction that is always rolled back. */
export async function deleteIsRefused(db: Database, tenant: string, name: string): Promise<boolean> {
  let refused = false;
  try {
    await db.transaction(async (tx) => {
      try {
        await tx.query(deleteCustomerStatement(tenant, name));
      } catch (e) {
        if (sqlState(e) !== '23503') throw e;
        refused = true;
      }
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return refused;
}

/**
 * Builds the seed's ERP (embedded in memory unless `url` says otherwise) and runs the seed's migration
 * end to end: before table, dry run, live run, after table, RESTRICT check.
 */
export async function runDemo(opts: { url?: string; reset?: boolean; userId?: string } = {}): Promise<DemoResult> {
  const db = await openDatabase(opts.url ?? 'memory://');
  try {
    const existing = await db.query(existingTablesStatement(AXIS_TABLES));
    if (existing.rows.length > 0) {
      if (opts.reset !== true) {
        throw new BackfillError(
          'USAGE',
          `demo tables already exist in ${db.description} (${existing.rows.map((r) => r.t).join(', ')}); pass --reset to drop and rebuild them`,
        );
      }
      await db.transaction(async (tx) => dropAxis(tx));
    }
    await createAxis(db);
    const userId = opts.userId ?? 'demo';
    // the demo's links are the built-in ones on purpose: said by the demo, not as a "no config given" notice
    const before = await status(db, { config: AXIS_CONFIG, tenantId: DEMO_TENANT });
    const dryRun = await backfillForeignKeys(db, { tenantId: DEMO_TENANT, dryRun: true, userId });
    const applied = await backfillForeignKeys(db, { tenantId: DEMO_TENANT, dryRun: false, userId });
    const after = await status(db, { config: AXIS_CONFIG, tenantId: DEMO_TENANT });
    const restrictVerified = await deleteIsRefused(db, DEMO_TENANT, 'ABC Corp');
    return { tenantId: DEMO_TENANT, before, dryRun, applied, after, restrictVerified };
  } finally {
    await db.close();
  }
}
