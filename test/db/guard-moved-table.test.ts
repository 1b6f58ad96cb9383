/**
 * `guard install` with a config whose link has the entity name of an installed guard but reads another table (a new
 * user's trial): it dropped the guard from public.documents without a word ("Replaced: yes") and put one on
 * other.documents that read public.documents' aliases and decisions. Now refused before anything is written.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { guardStatus, installGuard, removeGuard } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { Queryable } from '../../src/db/port.js';
import { runCli } from '../helpers/cli.js';
import { describeEach, freshDb, reopen, type TestDb } from '../helpers/db.js';

const configOf = (table: string, entity = 'document'): ConfigInput => ({
  links: [
    {
      entity,
      table,
      key: 'id',
      fk: 'customer_id',
      name: 'customer_name',
      target: { table: 'customers', key: 'id', name: 'name' },
      scope: ['tenant_id'],
    },
  ],
});

async function state(db: Queryable): Promise<{ runs: string; triggers: string[] }> {
  const runs = (await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM fk_backfill.runs`)).rows[0]!.n;
  const triggers = await db.query<{ t: string }>(
    `SELECT tgrelid::regclass::text AS t FROM pg_trigger WHERE tgname LIKE 'zz\\_fkb\\_guard\\_%' ORDER BY 1`,
  );
  return { runs, triggers: triggers.rows.map((r) => r.t) };
}

describeEach('guard install on another table under an installed entity name', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target, { onDisk: true });
    await t.db.exec(`
      CREATE SCHEMA other;
      CREATE TABLE customers (tenant_id int NOT NULL, id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE documents (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      CREATE TABLE other.documents (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
      INSERT INTO customers VALUES (1, 2, 'Beta');`);
  });
  afterEach(async () => t.dispose());

  it(
    'is refused (exit 2, one line naming both tables, nothing written); the same table again is replaced',
    { timeout: 120_000 },
    async () => {
      await installGuard(t.db, { config: configOf('documents') });
      const before = await state(t.db);
      expect(before.triggers).toEqual(['documents']);
      await expect(installGuard(t.db, { config: configOf('other.documents') })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        exitCode: 2,
        message: expect.stringMatching(
          /^document: its guard is installed on public\.documents, but this config's link reads other\.documents; nothing/,
        ),
      });
      expect(await state(t.db)).toEqual(before);

      // from the command line: exit 2, one line, nothing written
      await t.release();
      const file = join(mkdtempSync(join(tmpdir(), 'fkb-guard-')), 'other.json');
      writeFileSync(file, JSON.stringify(configOf('other.documents')));
      const r = await runCli(['guard', 'install', '--db', t.url, '--config', file, '--yes']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('guard remove --entity document --yes');
      const db = await reopen(t);
      try {
        expect(await state(db)).toEqual(before);
        // the same table again: replaced; the other table under another entity name: a guard of its own
        expect((await installGuard(db, { config: configOf('documents') })).guards[0]!.replaced).toBe(true);
        expect((await installGuard(db, { config: configOf('other.documents', 'other_document') })).guards[0]!.replaced).toBe(false);
        expect((await state(db)).triggers).toEqual(['documents', 'other.documents']);
        expect((await guardStatus(db)).guards.map((g) => [g.entityType, g.table])).toEqual([
          ['document', 'public.documents'],
          ['other_document', 'other.documents'],
        ]);
        // the table dropped and created again under its name (its oid gone): the same table, replaced
        await db.exec(
          `DROP TABLE documents; CREATE TABLE documents (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int)`,
        );
        expect((await installGuard(db, { config: configOf('documents') })).guards[0]!.replaced).toBe(true);
        await removeGuard(db);
      } finally {
        await db.close();
      }
    },
  );
});
