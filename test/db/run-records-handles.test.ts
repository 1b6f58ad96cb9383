/**
 * `getRun`, `listRuns` and `migrate` take the handles every other call takes (a Drizzle db, a PGlite instance, a pg
 * Pool). Before, they took a Queryable only: on a Drizzle db they failed with DB_ERROR "db.query is not a function"
 * (an app developer's trial), and neither a Drizzle db nor a PGlite instance compiled.
 */
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { expect, it } from 'vitest';
import { apply, getRun, listRuns, migrate } from '../../src/index.js';
import { DOCUMENTS_SCHEMA, documentsConfig } from '../helpers/orders-config.js';

it('getRun, listRuns and migrate on a Drizzle db and on a PGlite instance', async () => {
  const lite = new PGlite();
  try {
    await lite.exec(DOCUMENTS_SCHEMA);
    await lite.exec(`INSERT INTO documents VALUES (1, 1, 'Beta', NULL)`);
    const orm = drizzle(lite);
    expect((await migrate(orm)).applied.length).toBeGreaterThan(0);
    expect((await migrate(lite)).applied).toEqual([]);
    const a = await apply(orm, { config: documentsConfig(), allTenants: true });
    for (const h of [orm, lite]) {
      expect(await getRun(h, a.runId)).toMatchObject({ id: a.runId, kind: 'apply', status: 'done' });
      expect((await listRuns(h, 1)).map((r) => r.id)).toEqual([a.runId]);
    }
  } finally {
    await lite.close();
  }
});
