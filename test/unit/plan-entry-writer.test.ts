import { describe, expect, it } from 'vitest';
import { type QueryArgs, type Queryable, statementOf } from '../../src/db/port.js';
import { insertPlanEntries, type PlanEntryRow, planEntryWriter } from '../../src/store/plan-entries.js';

/** A Queryable that records the JSON document of each plan-entry insert. */
function recorder(): { db: Queryable; docs: string[] } {
  const docs: string[] = [];
  const db: Queryable = {
    query: <R>(...args: QueryArgs<R>) => {
      // both bind their document as UTF-8 bytes (copied: the writer reuses its Buffer)
      const doc = statementOf(...args).values![2] as string | Buffer;
      docs.push(typeof doc === 'string' ? doc : doc.toString('utf8'));
      return Promise.resolve({ rows: [] as R[], rowCount: 0 });
    },
  };
  return { db, docs };
}

const entry = (i: number, name: string, candidates: unknown[] = []): PlanEntryRow => ({
  scopeKey: [String(i % 3), null],
  sourceName: name,
  outcome: i % 2 === 0 ? 'linked' : 'review',
  targetKey: i % 2 === 0 ? `K${i}` : null,
  method: i % 2 === 0 ? 'fuzzy' : null,
  score: i % 5 === 0 ? null : 0.9123,
  rowCount: i + 1,
  candidates,
  reason: 'r',
  ...(i % 4 === 0 ? { targetName: `Müller ${i}` } : {}),
});

describe('planEntryWriter', () => {
  it('sends, over its statements, the same entries as insertPlanEntries (multi-byte names, an entry larger than a statement)', async () => {
    const big = [{ key: 'K', name: 'x'.repeat(5000), score: 1, method: 'exact', signals: { via: 'master' } }];
    const entries = Array.from({ length: 60 }, (_, i) =>
      entry(i, i === 7 ? 'Zoë 😀 \u2028 "q"' : `Name ${i} Straße`, i === 30 ? big : [{ key: `K${i}`, score: 0.5 }]),
    );
    const a = recorder();
    await insertPlanEntries(a.db, '1', 'l', entries);
    const b = recorder();
    const w = planEntryWriter(b.db, '1', 'l', 512);
    for (const e of entries) await w.add(e);
    await w.flush();
    await w.flush(); // nothing left: no statement
    expect(b.docs.length).toBeGreaterThan(5);
    const parsed = b.docs.map((d) => JSON.parse(d) as unknown[]);
    expect(parsed.every((p) => p.length > 0)).toBe(true);
    expect(JSON.stringify(parsed.flat())).toBe(a.docs[0]);
  });
});
