/**
 * A fresh database with the citext extension available, on each target. PostgreSQL and Citus: a fresh database
 * (freshDb). PGlite: the shared instance has no extensions, so one instance per test file with citext loaded, reset
 * for every call as freshDb resets the shared one (resetPglite: user schemas and test roles dropped, fk_backfill
 * migrated and empty); the file closes it in afterAll (closeCitextPglite).
 */
import { PGlite } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { fromPglite } from '../../src/db/pglite/adapter.js';
import type { Database } from '../../src/db/port.js';
import { freshDb, resetPglite, type Target } from './db.js';

let instance: PGlite | undefined;

export async function citextDb(target: Target): Promise<{ db: Database; dispose(): Promise<void> }> {
  if (target !== 'pglite') {
    const t = await freshDb(target);
    return { db: t.db, dispose: () => t.dispose() };
  }
  if (instance === undefined) {
    instance = new PGlite({ extensions: { citext } });
    await instance.waitReady;
  }
  // reset as freshDb resets the shared instance: schema fk_backfill kept migrated and emptied when nothing changed it
  // (it was dropped, and migrated again at the tool's first use: seconds per case of the property tests on PGlite)
  await resetPglite(instance, true);
  return { db: fromPglite(instance as never, { owned: false, description: 'memory://' }), dispose: async () => undefined };
}

export async function closeCitextPglite(): Promise<void> {
  const i = instance;
  instance = undefined;
  await i?.close();
}
