/**
 * A batched undo's bound, counted from the change sets' sizes (src/sql/undo.ts), is the position the
 * row-numbering definition gives: the limit-th changed row after `after`, in (set, position) order, over
 * every position and limit of a log with sets of several sizes, interleaved with another run's and link's.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import { undoBoundStatement } from '../../src/sql/undo.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';

/** The first definition: number the rows of the view, keep the limit-th (or the last). */
const BY_ROWS = `SELECT x.set_id::text || ':' || x.ord::text AS up_to, x.n::int8 AS n
  FROM (SELECT c.set_id, c.ord, row_number() OVER (ORDER BY c.set_id, c.ord) AS n
          FROM fk_backfill.changes c
         WHERE c.run_id = $1::int8 AND c.link = $2 AND c.set_id IS NOT NULL
           AND ($3::int8 IS NULL OR (c.set_id, c.ord) > ($3::int8, $4::int8))
         ORDER BY c.set_id, c.ord
         LIMIT $5::int8) x
 ORDER BY x.n DESC
 LIMIT 1`;

describeEach('undo batch bound', (target) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(target);
    await migrate(t.db);
  });
  afterEach(async () => t.dispose());

  it('equals the row-numbering definition at every position and limit', async () => {
    const sizes = [3, 1, 5, 2];
    const sets: { id: string; size: number }[] = [];
    for (const [i, size] of sizes.entries()) {
      const keys = Array.from({ length: size }, (_, k) => `r${i}-${k}`);
      const id = (
        await t.db.query<{ id: string }>(
          `INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, row_keys, new_values)
           VALUES (7, 'so', 'orders', 'customer_id', $1::text[], $1::text[]) RETURNING id::text AS id`,
          [keys],
        )
      ).rows[0]!.id;
      sets.push({ id, size });
      // another run's and another link's sets in between: never counted
      await t.db.query(
        `INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, row_keys) VALUES (8, 'so', 'orders', 'customer_id', '{x,y}'), (7, 'po', 'orders', 'vendor_id', '{z}')`,
      );
    }
    const positions: (string | null)[] = [null, ...sets.flatMap((s) => Array.from({ length: s.size }, (_, k) => `${s.id}:${k + 1}`))];
    let compared = 0;
    for (const after of positions) {
      for (let limit = 1; limit <= 12; limit++) {
        const [set, ord] = after === null ? [null, null] : after.split(':');
        const want = (await t.db.query<{ up_to: string; n: string }>(BY_ROWS, ['7', 'so', set, ord, limit])).rows;
        const got = (await t.db.query(undoBoundStatement({ targetRunId: '7', linkName: 'so' }, after, limit))).rows;
        expect({ after, limit, got: got.map((r) => [r.up_to, Number(r.n)]) }).toEqual({
          after,
          limit,
          got: want.map((r) => [r.up_to, Number(r.n)]),
        });
        compared++;
      }
    }
    // the last position leaves nothing: no row, the walk is done
    expect(compared).toBe(12 * (1 + 11));
  });
});
