/**
 * A guard links new rows by its link as it was installed. A new user's trial changed the config's `target.active`
 * after `guard install`: the guard went on linking rows to masters the config now calls inactive, and `guard status`
 * said nothing. It now names each guard whose link the config defines otherwise, or no longer has, and what to do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardStatus, installGuard, removeGuard } from '../../src/index.js';
import { parseConfig } from '../../src/config/load.js';
import { differingFields } from '../../src/guard/stale.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { DOCUMENTS_SCHEMA, documentsConfig } from '../helpers/orders-config.js';

const installed = parseConfig(documentsConfig({}, { active: { column: 'blocked', activeWhen: false } }), 'test');

describe('differingFields', () => {
  it('names the fields whose values differ, target ones as target.x, whatever the order of keys', () => {
    const a = installed.links[0]!;
    const reordered = JSON.parse(
      JSON.stringify({ ...a, target: { active: a.target.active, name: a.target.name, key: a.target.key, table: a.target.table } }),
    );
    expect(differingFields(a, reordered)).toEqual([]);
    expect(differingFields(a, { ...a, name: 'other_name', target: { ...a.target, active: undefined } })).toEqual(['name', 'target.active']);
  });
});

describeEach('guard status and a config changed since install', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`${DOCUMENTS_SCHEMA}; ALTER TABLE customers ADD COLUMN blocked boolean NOT NULL DEFAULT false;`);
  });
  afterEach(async () => t.dispose());

  it('the same link: nothing said; another active predicate: named with the install to run; a link gone: named with the remove', async () => {
    const g = await installGuard(t.db, { config: installed });
    expect((await guardStatus(t.db, { config: installed })).warnings).toBeUndefined();
    const changed = parseConfig(documentsConfig({}, { active: { column: 'blocked', activeWhen: true } }), 'test');
    expect((await guardStatus(t.db, { config: changed })).warnings).toEqual([
      `document: the guard links new rows as the link was when it was installed (run ${g.runId}); the config has changed target.active since, which plan and apply use: fk-backfill guard install --entity document --yes to guard with it`,
    ]);
    const gone = parseConfig(documentsConfig({ entity: 'invoice' }), 'test');
    expect((await guardStatus(t.db, { config: gone })).warnings).toEqual([
      'document: the config has no link of that name any more, but its guard still links new rows as installed: fk-backfill guard remove --entity document --yes, or add the link back',
    ]);
    // without a config (the library's callers, the CLI without a config file): nothing compared
    expect((await guardStatus(t.db)).warnings).toBeUndefined();
    await removeGuard(t.db);
  });
});
