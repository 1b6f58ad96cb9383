import { describe, expect, it } from 'vitest';
import { type QueryArgs, type Queryable, type QueryResult, statementOf } from '../../src/db/port.js';
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

  it('goes on collecting while a statement is in flight, never more than one, and never writes into the bytes being sent', async () => {
    let inFlight = 0;
    let most = 0;
    let overwritten = 0;
    const sent: { copy: string }[] = [];
    const pending: (() => void)[] = [];
    const db: Queryable = {
      query: <R>(...args: QueryArgs<R>) => {
        const doc = statementOf(...args).values![2] as Buffer;
        const copy = doc.toString('utf8');
        sent.push({ copy });
        most = Math.max(most, ++inFlight);
        return new Promise<QueryResult<R>>((resolve) =>
          pending.push(() => {
            // until its statement has ended, the bytes it was sent are what they were when sent
            if (doc.toString('utf8') !== copy) overwritten++;
            inFlight--;
            resolve({ rows: [] as R[], rowCount: 0 });
          }),
        );
      },
    };
    // the database answers each statement only after the matcher's next turns
    const answer = setInterval(() => pending.shift()?.(), 1);
    try {
      const entries = Array.from({ length: 200 }, (_, i) => entry(i, `Name ${i} Straße`, [{ key: `K${i}`, score: 0.5 }]));
      const w = planEntryWriter(db, '1', 'l', 512);
      let addedWhileInFlight = 0;
      for (const e of entries) {
        if (inFlight > 0) addedWhileInFlight++;
        await w.add(e);
      }
      await w.flush();
      expect(inFlight).toBe(0);
      expect(most).toBe(1);
      expect(addedWhileInFlight).toBeGreaterThan(0);
      // all entries arrive once, in order
      expect(overwritten).toBe(0);
      const a = recorder();
      await insertPlanEntries(a.db, '1', 'l', entries);
      expect(JSON.stringify(sent.flatMap((s) => JSON.parse(s.copy) as unknown[]))).toBe(a.docs[0]);
    } finally {
      clearInterval(answer);
    }
  });

  it('throws a failed insert from the next add or from flush, without an unhandled rejection', async () => {
    let calls = 0;
    const db: Queryable = {
      query: <R>() => (++calls === 2 ? Promise.reject(new Error('disk full')) : Promise.resolve({ rows: [] as R[], rowCount: 0 })),
    };
    const w = planEntryWriter(db, '1', 'l', 256);
    const run = async (): Promise<void> => {
      for (let i = 0; i < 100; i++) await w.add(entry(i, `Name ${i}`));
      await w.flush();
    };
    await expect(run()).rejects.toThrow('disk full');
    expect(calls).toBe(2);
  });
});
