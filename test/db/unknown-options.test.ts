/**
 * An option key a library call does not take is refused (USAGE, naming the key, the key it may have meant and the keys
 * the call takes), before anything is read or written, by every public call alike (src/api/public.ts). An app
 * developer's trial: the keys were ignored — `apply(db, { dryRun: true })` linked every row, `apply(db, { planId })`
 * applied a new plan, not the one reviewed, `undo(db, { runId, dryRun: true })` set every row back, `constrain(db,
 * { dry_run: true })` added the FOREIGN KEY, `removeGuard(db, { entity: [...] })` removed every guard, and an
 * `abortSignal` stopped nothing. TypeScript flags such keys in an object literal only, not in a variable or in JS.
 */
import { afterEach, expect, it } from 'vitest';
import * as fk from '../../src/index.js';
import { BackfillError } from '../../src/index.js';
import { describeEach, freshDb, type TestDb } from '../helpers/db.js';
import { refused, snapshot } from '../helpers/hostile.js';
import { DOCUMENTS_SCHEMA, documentsConfig } from '../helpers/orders-config.js';

const config = documentsConfig();
const base = { config, allTenants: true };
/** Options built at run time (a variable, a spread, JSON): what TypeScript's excess-property check never sees. */
const loose = <T>(o: Record<string, unknown>): T => o as T;

describeEach('unknown option keys', (target) => {
  let t: TestDb;
  afterEach(async () => t.dispose());

  it('every public call refuses them before it touches the database', async () => {
    t = await freshDb(target);
    await t.db.exec(DOCUMENTS_SCHEMA);
    await t.db.query(`INSERT INTO documents VALUES (1, 1, 'Beta', NULL), (2, 1, 'Gamma', NULL)`);
    const before = await snapshot(t.db);
    const db = t.db;
    const linked = async (): Promise<number> =>
      Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM documents WHERE customer_id IS NOT NULL`)).rows[0]?.n);

    const e = await refused(
      fk.apply(db, loose({ ...base, dryRun: true })),
      'USAGE',
      /^apply\(\): unknown option "dryRun"; options takes config, tenantId, allTenants, entities, batchSize/,
    );
    expect(e.details).toMatchObject({ function: 'apply', option: 'dryRun', unknown: ['dryRun'] });
    expect((e.details as { accepted: string[] }).accepted).toContain('planRunId');
    await refused(fk.apply(db, loose({ ...base, planId: '1' })), 'USAGE', /unknown option "planId" \(did you mean "planRunId"\?\)/);
    await refused(
      fk.apply(db, loose({ ...base, abortSignal: new AbortController().signal })),
      'USAGE',
      /"abortSignal" \(did you mean "signal"\?\)/,
    );
    await refused(fk.plan(db, loose({ config, tenant: '1' })), 'USAGE', /^plan\(\): unknown option "tenant" \(did you mean "tenantId"\?\)/);
    await refused(fk.verify(db, loose({ config, tenant: '1' })), 'USAGE', /^verify\(\): unknown option "tenant"/);
    await refused(fk.status(db, loose({ config, entity: ['document'] })), 'USAGE', /"entity" \(did you mean "entities"\?\)/);
    await refused(
      fk.constrain(db, loose({ config, dry_run: true })),
      'USAGE',
      /^constrain\(\): unknown option "dry_run" \(did you mean "dryRun"\?\)/,
    );
    await refused(fk.drift(db, loose({ config, limt: 1 })), 'USAGE', /"limt" \(did you mean "limit"\?\)/);
    await refused(fk.discover(db, loose({ schema: ['x'] })), 'USAGE', /"schema" \(did you mean "schemas"\?\)/);
    await refused(
      fk.backfillForeignKeys(db, loose({ config, tenantId: '1', dryrun: false })),
      'USAGE',
      /"dryrun" \(did you mean "dryRun"\?\)/,
    );
    await refused(fk.undo(db, loose({ runID: '1' })), 'USAGE', /^undo\(\): unknown option "runID" \(did you mean "runId"\?\)/);
    await refused(fk.resumeApply(db, loose({ runId: '1', resume: true })), 'USAGE', /^resumeApply\(\): unknown option "resume"/);
    await refused(fk.resumeUndo(db, loose({ runId: '1', entities: ['document'] })), 'USAGE', /^resumeUndo\(\): unknown option "entities"/);
    await refused(fk.installGuard(db, loose({ config, tenantId: '1' })), 'USAGE', /^installGuard\(\): unknown option "tenantId"/);
    await refused(fk.guardStatus(db, loose({ entity: ['document'] })), 'USAGE', /^guardStatus\(\): unknown option "entity"/);
    await refused(
      fk.removeGuard(db, loose({ entity: ['other'] })),
      'USAGE',
      /^removeGuard\(\): unknown option "entity" \(did you mean "entities"\?\)/,
    );
    await refused(
      fk.reviewQueue(db, loose({ ...base, filter: { band: ['review'] } })),
      'USAGE',
      /^reviewQueue\(\): unknown key of options\.filter "band" \(did you mean "bands"\?\)/,
    );
    await refused(fk.reviewCounts(db, loose({ ...base, page: 2 })), 'USAGE', /^reviewCounts\(\): unknown option "page"/);
    await refused(fk.exportQueueCsv(db, loose({ ...base, out: 'x.csv' })), 'USAGE', /^exportQueueCsv\(\): unknown option "out"/);
    await refused(
      fk.importDecisionsCsv(db, 'link\n', loose({ ...base, by: null, dryRun: true })),
      'USAGE',
      /^importDecisionsCsv\(\): unknown option "dryRun"/,
    );
    await refused(
      fk.decide(db, loose({ link: 'document', scopeKey: ['1'], name: 'x', action: 'never', by: null, target: '2' })),
      'USAGE',
      /^decide\(\): unknown option "target"/,
    );
    await refused(fk.revokeDecision(db, loose({ decisionId: '1' })), 'USAGE', /^revokeDecision\(\): unknown option "decisionId"/);
    await refused(
      fk.bulkAccept(db, loose({ ...base, minScore: 0.9, by: null, dryRun: true })),
      'USAGE',
      /^bulkAccept\(\): unknown option "dryRun"/,
    );
    await refused(fk.proposeMasters(db, loose({ ...base, out: 'f.json' })), 'USAGE', /^proposeMasters\(\): unknown option "out"/);
    await refused(
      fk.createMasters(db, loose({ ...base, proposals: {}, by: null, from: 'f.json' })),
      'USAGE',
      /^createMasters\(\): unknown option "from"/,
    );
    await refused(fk.revenueReport(db, loose({ ...base, top: 5 })), 'USAGE', /^revenueReport\(\): unknown option "top"/);
    await refused(fk.runReport(db, loose({ run: '1' })), 'USAGE', /^runReport\(\): unknown option "run"/);
    await refused(fk.report(db, loose({ runId: '1', format: 'text', out: 'r.txt' })), 'USAGE', /^report\(\): unknown option "out"/);
    await refused(
      fk.startReviewServer(db, loose({ ...base, by: null, host: '0.0.0.0' })),
      'USAGE',
      /^startReviewServer\(\): unknown option "host"/,
    );
    await refused(
      fk.openDatabase('memory://', loose({ conections: 1 })),
      'USAGE',
      /^openDatabase\(\): unknown option "conections" \(did you mean "connections"\?\)/,
    );
    await refused(fk.runDemo(loose({ url: 'memory://', tenant: '1' })), 'USAGE', /^runDemo\(\): unknown option "tenant"/);
    // not an object at all (plain JavaScript passing a tenant where the options go)
    await refused(
      fk.plan(db, loose('1' as unknown as Record<string, unknown>)),
      'USAGE',
      /^plan\(\): options must be an object \(got string\)/,
    );

    expect(await snapshot(db)).toEqual(before); // not even fk_backfill's own tables were made
    expect(await linked()).toBe(0);
    // the right keys still work, and a call without options is unchanged
    const a = await fk.apply(db, { ...base, signal: new AbortController().signal });
    expect([a.status, a.totalUpdated, await linked()]).toEqual(['done', 2, 2]);
    expect((await fk.status(db, { config })).total.populatedFks).toBe(2);
    expect(fk.apply.name).toBe('apply');
    expect(new BackfillError('USAGE', 'x').exitCode).toBe(2);
  });

  it('entities, allTenants, singleTransaction, onProgress and signal of the wrong type are refused, an empty entities list too', async () => {
    t = await freshDb(target);
    await t.db.exec(DOCUMENTS_SCHEMA);
    await t.db.query(`INSERT INTO documents VALUES (1, 1, 'Beta', NULL), (2, 1, 'Gamma', NULL)`);
    const db = t.db;
    const a = await fk.apply(db, base);
    await fk.installGuard(db, { config });
    const before = await snapshot(db);
    // an empty list (a filter computed empty) took every link: undo set back every row, removeGuard removed every guard
    await refused(
      fk.undo(db, { runId: a.runId, entities: [] }),
      'USAGE',
      /^undo\(\): entities must be a non-empty list of entity names .*\(got \[\]\)/,
    );
    await refused(fk.removeGuard(db, { entities: [] }), 'USAGE', /^removeGuard\(\): entities must be a non-empty list/);
    // a string: was DB_ERROR "entities.filter is not a function"
    await refused(fk.plan(db, loose({ ...base, entities: 'document' })), 'USAGE', /^plan\(\): entities must be .*\(got "document"\)/);
    await refused(fk.plan(db, loose({ config, allTenants: 'yes' })), 'USAGE', /^plan\(\): allTenants must be true or false \(got "yes"\)/);
    await refused(
      fk.apply(db, loose({ ...base, singleTransaction: 'false' })),
      'USAGE',
      /singleTransaction must be true or false \(got "false"\)/,
    );
    await refused(fk.apply(db, loose({ ...base, onProgress: 'yes' })), 'USAGE', /onProgress must be a function/);
    await refused(fk.apply(db, loose({ ...base, signal: {} })), 'USAGE', /signal must be an AbortSignal \(got object\)/);
    expect(await snapshot(db)).toEqual(before);
    expect((await fk.guardStatus(db, { entities: ['document'] })).guards).toHaveLength(1);
  });
});
