/**
 * One pglite:// data directory opened twice in one process: two PGlite instances would each take the directory for
 * their own (neither sees the other's writes, the later close overwrites the earlier's files). The second open shares
 * the first's instance; the last handle closed closes it, and a handle closed twice counts once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/index.js';
import { TARGETS } from '../helpers/db.js';

describe.runIf(TARGETS.includes('pglite'))('a pglite:// directory opened twice in one process [pglite]', () => {
  it('shares one instance until the last handle closes; then a new open reads what they wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-pglite-shared-'));
    try {
      const [a, b] = await Promise.all([openDatabase(`pglite://${dir}`), openDatabase(`pglite://${dir}/.`)]);
      expect(a.driver).toBe(b.driver); // opened at once, by another spelling of the path: one instance
      await a.query(`CREATE TABLE t (v int)`);
      await b.query(`INSERT INTO t VALUES (1)`);
      await a.close();
      await a.close(); // counts once: b's handle stays usable
      expect((await b.query<{ n: number }>(`SELECT count(*)::int AS n FROM t`)).rows).toEqual([{ n: 1 }]);
      await b.close();
      await expect(b.query(`SELECT 1`)).rejects.toThrow(); // the last handle closed the instance

      const c = await openDatabase(`pglite://${dir}`);
      try {
        expect(c.driver).not.toBe(a.driver);
        expect((await c.query<{ v: number }>(`SELECT v FROM t`)).rows).toEqual([{ v: 1 }]);
      } finally {
        await c.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
