import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AXIS_CONFIG, configHash, defaultConfig, loadConfig, parseConfig } from '../../src/config/index.js';
import { activePredicate } from '../../src/config/schema.js';
import { BackfillError } from '../../src/errors.js';

function err(fn: () => unknown): BackfillError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BackfillError) return e;
    throw e;
  }
  throw new Error('expected a BackfillError');
}

describe('config', () => {
  it('defaults to the four Axis links with exact matching', () => {
    const c = defaultConfig();
    expect(c.links.map((l) => [l.entity, l.table, l.fk, l.name, l.document, l.target.table])).toEqual([
      ['sales_order', 'sales_orders', 'customer_id', 'customer_name', 'order_number', 'customers'],
      ['sales_invoice', 'sales_invoices', 'customer_id', 'customer_name', 'invoice_number', 'customers'],
      ['purchase_order', 'purchase_orders', 'vendor_id', 'vendor_name', 'po_number', 'vendors'],
      ['purchase_bill', 'purchase_bills', 'vendor_id', 'vendor_name', 'bill_number', 'vendors'],
    ]);
    expect(c.links.every((l) => l.match === 'exact' && l.scope.join() === 'tenant_id')).toBe(true);
  });

  it('names the JSON path of each problem', () => {
    const bad = structuredClone(AXIS_CONFIG) as unknown as { links: Record<string, unknown>[] };
    delete (bad.links[1]!['target'] as Record<string, unknown>)['key'];
    bad.links[2]!['fk'] = '';
    bad.links[3]!['colour'] = 'red';
    const e = err(() => parseConfig(bad, 'x.json'));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('$.links[1].target.key');
    expect(e.message).toContain('$.links[2].fk');
    expect(e.message).toContain('colour');
  });

  it('rejects duplicate entities, bad thresholds, bad table names', () => {
    const dup = { links: [AXIS_CONFIG.links[0], AXIS_CONFIG.links[0]] };
    expect(err(() => parseConfig(dup)).message).toContain('$.links[1].entity');
    const th = { links: [{ ...AXIS_CONFIG.links[0], match: 'fuzzy', autoLinkAt: 0.5, reviewAt: 0.9 }] };
    expect(err(() => parseConfig(th)).message).toContain('$.links[0].reviewAt');
    const tn = { links: [{ ...AXIS_CONFIG.links[0], table: 'a.b.c' }] };
    expect(err(() => parseConfig(tn)).message).toContain('$.links[0].table');
    expect(err(() => parseConfig({ links: [] })).message).toContain('$.links');
  });

  it('loads a file, reports missing files and invalid JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-cfg-'));
    writeFileSync(join(dir, 'fk-backfill.config.json'), JSON.stringify({ links: [AXIS_CONFIG.links[0]] }));
    expect(loadConfig(undefined, dir).config.links).toHaveLength(1);
    expect(err(() => loadConfig('nope.json', dir)).code).toBe('CONFIG_NOT_FOUND');
    writeFileSync(join(dir, 'bad.json'), '{ links: ');
    expect(err(() => loadConfig('bad.json', dir)).message).toMatch(/not valid JSON/);
    const empty = mkdtempSync(join(tmpdir(), 'fkb-cfg-'));
    expect(loadConfig(undefined, empty).source).toBe('built-in Axis links');
    // saved with a byte order mark (Notepad): read as the JSON it is
    writeFileSync(join(dir, 'bom.json'), '\uFEFF' + JSON.stringify({ links: [AXIS_CONFIG.links[0]] }));
    expect(loadConfig('bom.json', dir).config.links).toHaveLength(1);
    expect(err(() => loadConfig('.', dir))).toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: expect.stringMatching(/is a directory, not a file$/),
    });
  });

  it('a JSON syntax error names its line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fkb-cfg-'));
    writeFileSync(join(dir, 'bad.json'), '{\n  "links": [\n    { "entity": "x", }\n  ]\n}\n');
    expect(err(() => loadConfig('bad.json', dir)).message).toMatch(/not valid JSON: .*line 3,? column 22/);
    writeFileSync(join(dir, 'cut.json'), '{\n  "links": [\n');
    expect(err(() => loadConfig('cut.json', dir)).message).toMatch(/not valid JSON: .*line 3,? column 1/);
    // Node gives no position for these (a snippet instead, over several lines): found, and one line
    writeFileSync(join(dir, 'trailing.json'), '{\n  "links": [\n    { "entity": "x" },\n  ]\n}\n');
    expect(err(() => loadConfig('trailing.json', dir)).message).toMatch(/not valid JSON: Unexpected token '\]' at line 4, column 3$/);
    writeFileSync(join(dir, 'lead.json'), '{\n  "links": [,\n  ]\n}\n');
    expect(err(() => loadConfig('lead.json', dir)).message).toMatch(/not valid JSON: Unexpected token ',' at line 2, column 13$/);
    writeFileSync(join(dir, 'word.json'), '{"links": tru}');
    expect(err(() => loadConfig('word.json', dir)).message).toMatch(/ at line 1, column 14$/);
  });

  it('active predicate: a column name or { column, activeWhen }; anything else names the accepted shapes', () => {
    const withActive = (active: unknown): unknown => ({
      links: [{ ...AXIS_CONFIG.links[0], target: { ...AXIS_CONFIG.links[0]!.target, active } }],
    });
    expect(parseConfig(withActive({ column: 'deleted_at', activeWhen: 'null' })).links[0]!.target.active).toEqual({
      column: 'deleted_at',
      activeWhen: 'null',
    });
    expect(parseConfig(withActive({ column: 'archived', activeWhen: false })).links[0]!.target.active).toEqual({
      column: 'archived',
      activeWhen: false,
    });
    expect(parseConfig(withActive({ column: 'status', activeWhen: { in: ['active', 2] } })).links[0]!.target.active).toEqual({
      column: 'status',
      activeWhen: { in: ['active', 2] },
    });
    expect(activePredicate(parseConfig(withActive({ column: 'status', activeWhen: { notIn: [2, 'x'] } })).links[0]!.target.active)).toEqual(
      {
        column: 'status',
        activeWhen: { notIn: ['2', 'x'] },
      },
    );
    for (const bad of [
      { column: 'x', activeWhen: 'yes' },
      { column: 'x' },
      5,
      { activeWhen: true },
      { column: 'x', activeWhen: { in: [true] } },
      { column: 'x', activeWhen: { in: ['a'], notIn: ['b'] } },
      { column: 'x', activeWhen: ['a'] },
    ]) {
      expect(err(() => parseConfig(withActive(bad))).message).toContain(
        '$.links[0].target.active: must be a boolean column name or { "column": "...", "activeWhen": true | false | "null" | "notNull" | "notPast" | "notFuture" | { "in": [values] } | { "notIn": [values] } }',
      );
    }
    expect(err(() => parseConfig(withActive({ column: 'x', activeWhen: { in: [] } }))).message).toContain(
      '$.links[0].target.active.activeWhen.in: must list at least one status value',
    );
    // a list: all must hold, one predicate per column
    const two = [{ column: 'deleted_at', activeWhen: 'null' }, 'is_active'];
    expect(activePredicate(parseConfig(withActive(two)).links[0]!.target.active)).toEqual({
      column: 'deleted_at',
      activeWhen: 'null',
      also: [{ column: 'is_active', activeWhen: true }],
    });
    expect(activePredicate(parseConfig(withActive(['is_active'])).links[0]!.target.active)).toEqual({
      column: 'is_active',
      activeWhen: true,
    });
    for (const bad of [[], ['a', { column: 'a', activeWhen: false }], ['a', 5]])
      expect(err(() => parseConfig(withActive(bad))).message).toContain('$.links[0].target.active');
    expect(err(() => parseConfig(withActive(['a', 'b', 'c', 'd', 'e']))).message).toContain(
      'must list at most 4 active predicates (has 5)',
    );
  });

  it('hashes independently of key order', () => {
    const a = parseConfig({ links: [AXIS_CONFIG.links[0]] });
    const b = parseConfig(JSON.parse(JSON.stringify({ links: [Object.fromEntries(Object.entries(AXIS_CONFIG.links[0]!).reverse())] })));
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).not.toBe(configHash(defaultConfig()));
  });
});

describe('config: target.shared', () => {
  const link = (over: Record<string, unknown>, target: Record<string, unknown> = {}): unknown => ({
    links: [
      {
        entity: 'o',
        table: 'orders',
        key: 'id',
        fk: 'customer_id',
        name: 'customer_name',
        scope: ['tenant_id'],
        ...over,
        target: { table: 'customers', key: 'id', name: 'name', ...target },
      },
    ],
  });
  it('"null-scope" with a scope is taken; absent by default', () => {
    expect(parseConfig(link({}, { shared: 'null-scope' })).links[0]!.target.shared).toBe('null-scope');
    expect(parseConfig(link({})).links[0]!.target).not.toHaveProperty('shared');
  });
  it('without a scope, or another value: one line naming the path', () => {
    const e = err(() => parseConfig(link({ scope: [] }, { shared: 'null-scope' })));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/links\[0\]\.target\.shared: a shared master is one of no scope: "shared" needs "scope"/);
    expect(e.message).not.toMatch(/\n/);
    expect(err(() => parseConfig(link({}, { shared: true }))).message).toMatch(/links\[0\]\.target\.shared: must be "null-scope"/);
  });
});

describe('config: a scope column named otherwise in the master', () => {
  const link = (scope: unknown): unknown => ({
    links: [
      {
        entity: 'o',
        table: 'orders',
        key: 'id',
        fk: 'customer_id',
        name: 'customer_name',
        scope,
        target: { table: 'customers', key: 'id', name: 'name' },
      },
    ],
  });
  it('{ source, target } parses to the documents’ columns and the master’s (targetScope); plain names as before', () => {
    const mapped = parseConfig(link([{ source: 'org_id', target: 'organization_id' }, 'region'])).links[0]!;
    expect(mapped.scope).toEqual(['org_id', 'region']);
    expect(mapped.targetScope).toEqual(['organization_id', 'region']);
    // alike names, however written: the config of plain names, same hash
    const plain = parseConfig(link(['org_id']));
    const spelled = parseConfig(link([{ source: 'org_id', target: 'org_id' }]));
    expect(plain.links[0]).not.toHaveProperty('targetScope');
    expect(spelled).toEqual(plain);
    expect(configHash(spelled)).toBe(configHash(plain));
  });
  it('a parsed config (a run’s stored one) parses to itself', () => {
    const once = parseConfig(link([{ source: 'org_id', target: 'organization_id' }]));
    const twice = parseConfig(JSON.parse(JSON.stringify(once)));
    expect(twice).toEqual(once);
    expect(configHash(twice)).toBe(configHash(once));
  });
  it('a target named twice, or an entry of another shape, is one line naming the path', () => {
    const twice = err(() =>
      parseConfig(
        link([
          { source: 'a', target: 'x' },
          { source: 'b', target: 'x' },
        ]),
      ),
    );
    expect(twice.exitCode).toBe(2);
    expect(twice.message).toMatch(/links\[0\]\.scope: scope target columns must be distinct/);
    expect(err(() => parseConfig(link([{ source: 'a' }]))).message).toMatch(/links\[0\]\.scope\[0\]/);
    expect(err(() => parseConfig(link([{ source: 'a', target: 'b', as: 'c' }]))).message).not.toMatch(/\n/);
  });
});
