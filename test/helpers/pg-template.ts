/**
 * vitest globalSetup: one PostgreSQL database per run with schema fk_backfill already migrated, the template every
 * `freshDb('postgres')` copies (CREATE DATABASE … TEMPLATE: ~60 ms, where template0 and then 21 migrations at the
 * first use took ~250 ms of a test, each of ~350 tests). A test that needs a database the tool never touched (no
 * fk_backfill schema: migrations, "nothing written", a role that creates the schema itself) asks
 * `freshDb(target, { migrated: false })`. Created here, once, in the main process (the workers only copy it: a
 * database nobody is connected to), dropped at the end of the run. Without PostgreSQL among the targets, or when the
 * server cannot be reached, nothing is provided and freshDb copies template0 as before (the tests then say why).
 */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/index.js';
import { migrate } from '../../src/store/migrate.js';
import { admin, dbUrl, PG_ADMIN_URL, TARGETS } from './db.js';
import { dropPooled } from './pg-pool.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template database of this run ('' when there is none). */
    fkbPgTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  project.provide('fkbPgTemplate', '');
  if (!TARGETS.includes('postgres')) return undefined;
  const name = `fkb_tpl_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  } catch {
    return undefined; // no server: the tests that need it fail with their own message
  }
  const db = await openDatabase(dbUrl(name));
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  // nobody may connect to it (a connection would make every CREATE DATABASE … TEMPLATE of it fail)
  await admin((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`));
  project.provide('fkbPgTemplate', name);
  return async () => {
    // the copies the workers kept for their next test (test/helpers/pg-pool.ts)
    await dropPooled(PG_ADMIN_URL, name);
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  };
}
