/**
 * A name (or scope) column that is GENERATED ALWAYS AS … STORED: plan and apply link by it, but the guard's BEFORE
 * trigger cannot read it (NULL in NEW; PostgreSQL refuses a WHEN that names it). A new user's trial: `guard install`
 * failed with the server's error (DB_ERROR, exit 1) and left a failed guard run behind on every attempt. Now refused
 * before anything is written, exit 2.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { apply, installGuard, type ConfigInput } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';

const config: ConfigInput = {
  links: [
    {
      entity: 'visit',
      table: 'visits',
      key: 'id',
      fk: 'person_id',
      name: 'person_name',
      target: { table: 'people', key: 'id', name: 'full_name' },
      scope: ['org'],
    },
  ],
};

describeEach('guard on a generated name column', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE people (id int PRIMARY KEY, org text NOT NULL, full_name text NOT NULL);
      CREATE TABLE visits (id int PRIMARY KEY, org text NOT NULL, first text, last text,
        person_name text GENERATED ALWAYS AS (first || ' ' || last) STORED, person_id int);
      INSERT INTO people VALUES (1, 'o1', 'Ada Lovelace'), (2, 'o2', 'Ada Lovelace');
      INSERT INTO visits (id, org, first, last) VALUES (1, 'o1', 'Ada', 'Lovelace'), (2, 'o2', 'Ada', 'Lovelace');`);
  });
  afterEach(async () => t.dispose());

  it('apply links by it; guard install is refused before anything is written (GUARD_UNSUPPORTED, exit 2)', async () => {
    const a = await apply(t.db, { config, allTenants: true });
    expect(a.totalUpdated).toBe(2);
    const before = await snapshot(t.db);
    await refused(installGuard(t.db, { config }), 'GUARD_UNSUPPORTED', /visits\.person_name is a generated column.*nothing was installed/);
    expect(await snapshot(t.db)).toEqual(before);
    const triggers = await t.db.query(`SELECT 1 FROM pg_trigger WHERE tgrelid = 'visits'::regclass AND NOT tgisinternal`);
    expect(triggers.rows).toHaveLength(0);
  });
});
