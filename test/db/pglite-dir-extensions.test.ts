/**
 * A pglite:// data directory whose schema uses a contrib extension (an application made it with PGlite and citext, a
 * pg_trgm index on the name): PGlite loads only the extensions it is given, and every plan failed with `could not
 * access file "$libdir/citext"` (exit 1, DB_ERROR). openDatabase registers the common contrib extensions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { describe, expect, it } from 'vitest';
import { apply, openDatabase, plan } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { TARGETS } from '../helpers/db.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'doc',
      table: 'docs',
      key: 'id',
      fk: 'customer_id',
      name: 'cust_name',
      scope: ['tenant_id'],
      target: { table: 'customer', key: 'id', name: 'name' },
    },
  ],
};

describe.runIf(TARGETS.includes('pglite'))('a pglite:// directory whose schema uses citext and pg_trgm [pglite]', () => {
  it('plans and applies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-pglite-ext-'));
    try {
      const app = new PGlite(dir, { extensions: { citext, pg_trgm } });
      await app.exec(`CREATE EXTENSION citext; CREATE EXTENSION pg_trgm;
        CREATE TABLE customer (id int PRIMARY KEY, tenant_id int NOT NULL, name varchar(40) NOT NULL);
        CREATE INDEX customer_name_trgm ON customer USING gin (name gin_trgm_ops);
        INSERT INTO customer VALUES (1, 1, 'Acme'), (2, 1, 'Beta');
        CREATE TABLE docs (id int PRIMARY KEY, tenant_id int NOT NULL, cust_name citext, customer_id int);
        INSERT INTO docs VALUES (1, 1, 'ACME', NULL), (2, 1, 'acme', NULL), (3, 1, 'Beta', NULL), (4, 1, 'Nobody', NULL);`);
      await app.close();
      const db = await openDatabase(`pglite://${dir}`);
      try {
        const p = await plan(db, { config, allTenants: true });
        expect(p.results[0]!.recordsMatched).toBe(3);
        const a = await apply(db, { config, allTenants: true, planRunId: p.runId });
        expect(a.results[0]!.updated).toBe(3);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
