/**
 * Ctrl-C at `undo`'s confirmation prompt (a terminal: the CLI under `script`, a pseudo-terminal): one line saying
 * nothing was changed, exit 130, the rows still linked. Before: "Aborted with Ctrl+C [INTERNAL]" (exit 1), or, with
 * stderr not a terminal, exit 130 and no word.
 */
import { spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { apply } from '../../src/index.js';
import { createAxis } from '../../src/demo/axis.js';
import { CLI } from '../helpers/cli.js';
import { openDatabase } from '../../src/db/index.js';
import type { Database } from '../../src/db/port.js';
import { closeParked, describeEach, freshDb, type TestDb } from '../helpers/db.js';

/** The CLI on a pseudo-terminal; Ctrl-C typed once the prompt is shown. */
async function interruptAtPrompt(args: string[]): Promise<{ code: number | null; out: string }> {
  await closeParked(); // the child must be the only one with an on-disk PGlite open
  return new Promise((resolve, reject) => {
    const line = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qefc', line, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let sent = false;
    const read = (d: Buffer): void => {
      out += d.toString();
      if (!sent && out.includes('[y/N]')) {
        sent = true;
        child.stdin.write('\x03');
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describeEach('Ctrl-C at the confirmation of undo', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('says nothing was changed, exit 130, nothing set back', async () => {
    t = await freshDb(target, { onDisk: true });
    await createAxis(t.db);
    const a = await apply(t.db, { allTenants: true, entities: ['sales_order'], singleTransaction: true });
    const linked = async (db: Database): Promise<number> =>
      (await db.query<{ n: number }>(`SELECT count(customer_id)::int AS n FROM sales_orders`)).rows[0]!.n;
    const before = await linked(t.db);
    await t.release();
    const r = await interruptAtPrompt(['undo', '--run', a.runId, '--db', t.url]);
    expect(r.out).toContain('fk-backfill: interrupted at the confirmation (Ctrl-C): nothing was changed [CONFIRMATION_REQUIRED]');
    expect(r.code).toBe(130);
    const db = await openDatabase(t.url);
    try {
      expect(await linked(db)).toBe(before);
    } finally {
      await db.close();
    }
  });
});
