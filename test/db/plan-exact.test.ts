/**
 * The exact plan is decided where the rows are (one INSERT … SELECT, src/sql/plan.ts). Its entries must be
 * exactly what the pure decideExact says for the same candidates: outcome, target, method, score,
 * candidates, reason and the recorded master name, for linked, ambiguous (more candidates than are
 * listed), only-inactive, unmatched, NULL and blank names (every character JavaScript's trim removes).
 */
import { afterEach, expect, it } from 'vitest';
import { decide, plan } from '../../src/index.js';
import { decideExact, isBlankName } from '../../src/plan/decide.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { ordersConfig } from '../helpers/orders-config.js';

const config = ordersConfig({}, { active: 'is_active' });

const WHITE = [
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  ' ',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2005',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  // invisible, and no space to trim(): a name of only these is blank too (a trial: a zero-width space was "no master")
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\u180e',
];

describeEach('exact plan decided in SQL', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('every entry equals decideExact on the same candidates; decisions still override', async () => {
    t = await freshDb(target);
    await t.db.exec(`
      CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, is_active boolean);
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int REFERENCES customers (id));`);
    const masters: [number, number, string | null, boolean | null][] = [
      [1, 1, 'One Ltd', true],
      [2, 2, 'One Ltd', true], // another tenant's
      [3, 1, 'Dup Co', true],
      [4, 1, 'Dup Co', true],
      [5, 1, 'Gone Inc', false],
      [6, 1, 'Gone Twice', false],
      [7, 1, 'Gone Twice', null],
      [8, 1, ' ', true], // a blank master name never links a blank document name
      [9, 1, 'Decided Ltd', true],
    ];
    for (let i = 0; i < 12; i++) masters.push([100 + i, 1, 'Many', true]);
    await t.db.query(
      `INSERT INTO customers SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id int, tenant_id int, customer_name text, is_active boolean)`,
      [JSON.stringify(masters.map(([id, tenant_id, customer_name, is_active]) => ({ id, tenant_id, customer_name, is_active })))],
    );
    const names: (string | null)[] = [
      'One Ltd',
      'one ltd',
      'Dup Co',
      'Gone Inc',
      'Gone Twice',
      'Many',
      'Nobody',
      null,
      '',
      ' ',
      ...WHITE.map((w) => `${w}${w}`),
      'x\u00a0',
      'Decided Ltd',
      'Never Me',
    ];
    await t.db.query(
      `INSERT INTO orders (id, tenant_id, customer_name) SELECT x.o, 1, x.n FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS j(v, o), LATERAL (SELECT j.o::int AS o, j.v #>> '{}' AS n) x`,
      [JSON.stringify(names)],
    );
    await t.db.query(`INSERT INTO orders (id, tenant_id, customer_name) VALUES (1000, 1, 'One Ltd'), (1001, 2, 'One Ltd')`);
    await decide(t.db, { config, link: 'order', scopeKey: ['1'], name: 'Never Me', action: 'alias', targetKey: '9', by: 'test' });
    await decide(t.db, { config, link: 'order', scopeKey: ['1'], name: 'One Ltd', action: 'never', by: 'test' });
    const p = await plan(t.db, { config, allTenants: true });
    const entries = (
      await t.db.query<{
        scope_key: string[];
        source_name: string | null;
        outcome: string;
        target_key: string | null;
        method: string | null;
        score: number | null;
        row_count: string;
        candidates: unknown;
        reason: string;
        target_name: string | null;
      }>(
        `SELECT scope_key, source_name, outcome, target_key, method, score, row_count::text, candidates, reason, target_name FROM fk_backfill.plan_entries WHERE run_id = $1::int8`,
        [p.runId],
      )
    ).rows;
    expect(entries).toHaveLength(names.length + 1); // + tenant 2's One Ltd
    const byName = (tenant: number, n: string | null) => masters.filter((m) => m[1] === tenant && m[2] === n);
    for (const e of entries) {
      const tenant = Number(e.scope_key[0]);
      const cands = byName(tenant, e.source_name);
      const active = cands
        .filter((m) => m[3] === true)
        .map((m) => String(m[0]))
        .sort();
      const inactive = cands
        .filter((m) => m[3] !== true)
        .map((m) => String(m[0]))
        .sort();
      let want: Record<string, unknown> = { ...decideExact(e.source_name, active.slice(0, 10), active.length, inactive.slice(0, 10)) };
      want = { ...want, targetName: want['outcome'] === 'linked' ? e.source_name : null };
      if (tenant === 1 && e.source_name === 'Never Me')
        want = {
          ...want,
          outcome: 'linked',
          targetKey: '9',
          method: 'decision',
          score: 1,
          reason: 'decision: alias',
          targetName: 'Decided Ltd',
        };
      if (tenant === 1 && e.source_name === 'One Ltd')
        want = {
          ...want,
          outcome: 'unmatched',
          targetKey: null,
          method: null,
          score: null,
          reason: 'decision: never match',
          targetName: null,
        };
      const got = {
        outcome: e.outcome,
        targetKey: e.target_key,
        method: e.method,
        score: e.score === null ? null : Number(e.score),
        candidates: typeof e.candidates === 'string' ? JSON.parse(e.candidates) : e.candidates,
        reason: e.reason,
        targetName: e.target_name,
      };
      expect(got, JSON.stringify(e.source_name)).toEqual(want);
      if (e.source_name !== null && e.source_name !== '' && e.source_name !== ' ' && isBlankName(e.source_name))
        expect(e.outcome).toBe('unmatched');
    }
    // a name of invisible characters only is blank, in SQL and in JavaScript alike
    expect(entries.filter((e) => e.source_name === '\u200b\u200b').map((e) => e.reason)).toEqual(['blank name']);
    expect(isBlankName('\u200b\u2060 ')).toBe(true);
    const r = p.results[0]!;
    expect(r.distinctNames).toEqual({ linked: 3, ambiguous: 2, review: 0, unmatched: names.length + 1 - 5 });
    expect(r.recordsMatched).toBe(3); // tenant 2's One Ltd and Decided Ltd (exact), Never Me (a person's alias)
    expect(r.linkedByMethod).toEqual({ exact: 2, decision: 1 });
    expect(r.inferredLinks.map((i) => [i.name, i.targetKey, i.method])).toEqual([['Never Me', '9', 'decision']]);
  });
});
