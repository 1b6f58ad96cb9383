/**
 * A review CSV with one target key no master key can be (`CUST-00012` for an integer key, beyond its range, a name
 * for a uuid): that line is named, the others are judged on their own. A new user's trial: the lookup failed on the
 * cast for every key, so each valid line of the file was "not a master" too (51 errors for one bad line).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BackfillError, importDecisionsCsv, type ConfigInput } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

const config = (table: string): ConfigInput => ({
  links: [
    {
      entity: 'bill',
      table: 'bills',
      key: 'id',
      fk: table === 'vendors' ? 'vendor_id' : 'uvendor_id',
      name: 'vendor',
      scope: ['org'],
      target: { table, key: 'id', name: 'name' },
    },
  ],
});

describeEach('review import: a key no master can have', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE vendors (id int PRIMARY KEY, org text NOT NULL, name text NOT NULL);
      CREATE TABLE uvendors (id uuid PRIMARY KEY, org text NOT NULL, name text NOT NULL);
      CREATE TABLE bills (id int PRIMARY KEY, org text NOT NULL, vendor text, vendor_id int, uvendor_id uuid);
      INSERT INTO vendors VALUES (169, 'o1', 'Acme'), (170, 'o1', 'Beta');
      INSERT INTO uvendors VALUES ('00000000-0000-4000-8000-000000000001', 'o1', 'Acme');`);
    // the names the files decide, in the queue (a name the queue does not have is an error of its own)
    await t.db.exec(
      `INSERT INTO bills VALUES (11, 'o1', 'Acme Inc'), (12, 'o1', 'Acme Corp'), (13, 'o1', 'Beta Co'), (14, 'o1', 'Beta Ltd')`,
    );
  });
  afterEach(async () => t.dispose());

  const importing = async (table: string, rows: string[]): Promise<string> => {
    const csv = ['link,scope,name,decision,target_key', ...rows, ''].join('\n');
    const err = (await importDecisionsCsv(t.db, csv, { config: config(table), tenantId: 'o1', by: 'x' }).then(
      () => null,
      (e: unknown) => e,
    )) as BackfillError | null;
    expect(err).toBeInstanceOf(BackfillError);
    return err!.message;
  };

  it('integer keys: only the bad lines are errors', async () => {
    const msg = await importing('vendors', [
      'bill,"[""o1""]",Acme Inc,alias,169',
      'bill,"[""o1""]",Acme Corp,alias,CUST-00012',
      'bill,"[""o1""]",Beta Co,alias,170',
      'bill,"[""o1""]",Beta Ltd,alias,99999999999',
    ]);
    expect(msg).toContain('line 3: target key CUST-00012 is not a master of vendors');
    expect(msg).toContain('line 5: target key 99999999999 is not a master of vendors');
    expect(msg).not.toMatch(/line [24]:/);
  });

  it('uuid keys: only the bad line is an error', async () => {
    const msg = await importing('uvendors', [
      'bill,"[""o1""]",Acme Inc,alias,00000000-0000-4000-8000-000000000001',
      'bill,"[""o1""]",Acme Corp,alias,Acme',
    ]);
    expect(msg).toContain('line 3: target key Acme is not a master of uvendors');
    expect(msg).not.toMatch(/line 2:/);
  });

  it('a uuid written in capitals or in braces is the master, recorded in the form the database writes it', async () => {
    await t.db.exec(`INSERT INTO bills VALUES (1, 'o1', 'ACME INC', NULL, NULL), (2, 'o1', 'Acme Inc', NULL, NULL)`);
    const csv = [
      'link,scope,name,decision,target_key',
      'bill,"[""o1""]",ACME INC,alias,00000000-0000-4000-8000-00000000000A',
      'bill,"[""o1""]",Acme Inc,alias,{00000000-0000-4000-8000-000000000001}',
      '',
    ].join('\n');
    const opts = { config: config('uvendors'), tenantId: 'o1', by: 'x' };
    const r = await importDecisionsCsv(t.db, csv, opts).then(
      (x) => x,
      (e: unknown) => e,
    );
    // the first is no master (…0A is not …01); the second is, in another form
    expect((r as Error).message).toContain('line 2: target key 00000000-0000-4000-8000-00000000000A is not a master of uvendors');
    expect((r as Error).message).not.toMatch(/line 3:/);
    await t.db.exec(`INSERT INTO uvendors VALUES ('00000000-0000-4000-8000-00000000000a', 'o1', 'Acme Two')`);
    await importDecisionsCsv(t.db, csv, opts);
    const d = await t.db.query<{ source_name: string; target_key: string }>(
      `SELECT source_name, target_key FROM fk_backfill.decisions WHERE revoked_at IS NULL ORDER BY source_name`,
    );
    expect(d.rows).toEqual([
      { source_name: 'ACME INC', target_key: '00000000-0000-4000-8000-00000000000a' },
      { source_name: 'Acme Inc', target_key: '00000000-0000-4000-8000-000000000001' },
    ]);
  });
});
