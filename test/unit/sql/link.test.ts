import { describe, expect, it } from 'vitest';
import {
  activeWhere,
  changedCount,
  entryName,
  entryScopeJoin,
  idCols,
  loose,
  Params,
  rowKeyMatch,
  rowKeyText,
  rowRead,
  rowRecheck,
  sameMasterName,
  scopeJoin,
  scopeKeyExpr,
  scopeEq,
  scopeWhere,
  textForm,
  touchedOld,
  withChangedCount,
  type LinkShape,
} from '../../../src/sql/link.js';

/** A composite key, two scope columns (the second loose: citext or a nondeterministic collation), typed names, a touched column. */
const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"customers"',
  key: 'id',
  keys: ['id', 'Line No'],
  keyTypes: ['uuid', 'int4'],
  fk: 'customer_id',
  name: 'customer name',
  targetKey: 'id',
  targetName: 'Customer Name',
  active: { column: 'is_active', activeWhen: true },
  scope: ['tenant_id', 'Branch'],
  scopeLoose: [false, true],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: { column: 'updated_at', type: 'timestamp with time zone' },
  nameType: 'character(40)',
  targetNameType: 'citext',
};
/** One key column, one plain scope column, text names, no touched column, no active predicate. */
const single: LinkShape = {
  ...link,
  keys: undefined,
  keyTypes: undefined,
  scope: ['tenant_id'],
  scopeLoose: undefined,
  touch: null,
  nameType: undefined,
  targetNameType: undefined,
  active: undefined,
};

describe('link fragments (whole text)', () => {
  it('the tenant filter: the first scope column against a bound parameter, nothing without a tenant or a scope', () => {
    const p = new Params();
    expect(scopeWhere('s', link, { tenant: "t'; DROP" }, p)).toBe(' AND s."tenant_id" = $1');
    expect(p.values).toEqual(["t'; DROP"]);
    expect(scopeWhere('s', link, { tenant: null }, new Params())).toBe('');
    expect(scopeWhere('s', { ...link, scope: [] }, { tenant: 'x' }, new Params())).toBe('');
    // a loose tenant column: its own spelling only ('t1', not 'T1'), by the text form under "C"; one bound value
    const q = new Params();
    expect(scopeWhere('s', { ...single, scopeLoose: [true] }, { tenant: 't1' }, q)).toBe(
      ' AND s."tenant_id" = $1 AND s."tenant_id"::text COLLATE "C" = $1::text',
    );
    expect(q.values).toEqual(['t1']);
  });

  it('a loose scope value compares by its text form under the deterministic "C" collation (::text keeps a nondeterministic one)', () => {
    expect(textForm('s."t"')).toBe('s."t"::text COLLATE "C"');
    expect(scopeEq(link, 1, 'a.x', 'b.x')).toBe('a.x::text COLLATE "C" = b.x::text COLLATE "C"');
    expect(scopeEq(link, 0, 'a.x', 'b.x')).toBe('a.x = b.x');
  });

  it("the master still has the name the plan recorded: the entry's name cast to the master name's type unless already typed", () => {
    expect(sameMasterName(link, 't', 'e')).toBe(
      'CASE WHEN e.target_name IS NULL THEN true ELSE t."Customer Name" = e.target_name::citext END',
    );
    expect(sameMasterName(link, 't', 'm', true)).toBe(
      'CASE WHEN m.target_name IS NULL THEN true ELSE t."Customer Name" = m.target_name END',
    );
    expect(sameMasterName(single, 't', 'e')).toBe('CASE WHEN e.target_name IS NULL THEN true ELSE t."Customer Name" = e.target_name END');
  });

  it("a row's identity columns and types: the key's type for the walk key, text for a key column of unknown type", () => {
    expect(idCols(link)).toEqual([
      { col: 'id', type: 'uuid' },
      { col: 'Line No', type: 'int4' },
    ]);
    expect(idCols(single)).toEqual([{ col: 'id', type: 'uuid' }]);
    expect(idCols({ ...link, keyTypes: undefined })).toEqual([
      { col: 'id', type: 'uuid' },
      { col: 'Line No', type: 'text' },
    ]);
  });

  it('row keys as the change log stores them, and matched back typed', () => {
    expect(rowKeyText('s', link)).toBe('ARRAY[s."id"::text, s."Line No"::text]::text');
    expect(rowKeyText('s', single)).toBe('s."id"::text');
    expect(rowKeyMatch('s', link, 'c.row_key')).toBe(
      's."id" = (c.row_key::text[])[1]::uuid AND s."Line No" = (c.row_key::text[])[2]::int4',
    );
    expect(rowKeyMatch('s', single, 'c.row_key')).toBe('s."id" = c.row_key::uuid');
  });

  it("a date or time key part is stored in jsonb's ISO form, not in the session's DateStyle", () => {
    const dated = { ...link, keys: ['id', 'bill_date', 'at'], keyTypes: ['int4', 'date', 'timestamp without time zone'] };
    expect(rowKeyText('s', dated)).toBe(`ARRAY[s."id"::text, (to_jsonb(s."bill_date") #>> '{}'), (to_jsonb(s."at") #>> '{}')]::text`);
    expect(rowKeyText('s', { ...single, keyType: 'timestamp with time zone' })).toBe(`(to_jsonb(s."id") #>> '{}')`);
  });

  it('loose scope columns; entry names cast back to the source name type', () => {
    expect([loose(link, 0), loose(link, 1), loose(single, 0)]).toEqual([false, true, false]);
    expect(entryName(link, 'e')).toBe('e.source_name::character(40)');
    expect(entryName(single, 'e')).toBe('e.source_name');
    expect(entryName({ ...single, nameType: 'text' }, 'e')).toBe('e.source_name');
  });

  it('scope keys and same-scope joins (a loose column by its text form too); the active predicate or nothing', () => {
    expect(scopeKeyExpr('s', link)).toBe('ARRAY[s."tenant_id"::text, s."Branch"::text COLLATE "C"]::text[]');
    expect(scopeKeyExpr('s', { ...single, scope: [] })).toBe('ARRAY[]::text[]');
    expect(scopeJoin('a', 'b', link)).toBe(
      ' AND a."tenant_id" = b."tenant_id" AND a."Branch"::text COLLATE "C" = b."Branch"::text COLLATE "C"',
    );
    expect(scopeJoin('a', 'b', { ...single, scope: [] })).toBe('');
    expect(entryScopeJoin('t', link, 'm')).toBe(
      ' AND t."tenant_id" = m.fkb_scope_1 AND t."Branch"::text COLLATE "C" = m.fkb_scope_2::text COLLATE "C"',
    );
    expect(activeWhere('t', link)).toBe(' AND t."is_active" IS TRUE');
    expect(activeWhere('t', single)).toBe('');
  });

  it('what apply reads of a row, and rechecks on the row it updates (the touched value by its text form for a type without plain equality)', () => {
    expect(rowRead('o', link)).toBe(
      'o.ctid AS fkb_tid, o."id" AS fkb_key, o."Line No" AS fkb_key_2, o."customer name" AS fkb_name, o."tenant_id" AS fkb_scope_1, o."Branch" AS fkb_scope_2, o."updated_at" AS fkb_touched',
    );
    expect(rowRead('r', single, false)).toBe('r."id" AS fkb_key, r."customer name" AS fkb_name, r."tenant_id" AS fkb_scope_1');
    expect(rowRecheck(link, 'x')).toBe(
      's.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."Line No" = x.fkb_key_2 AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."Branch"::text COLLATE "C" = x.fkb_scope_2::text COLLATE "C" AND s."updated_at" IS NOT DISTINCT FROM x.fkb_touched',
    );
    expect(rowRecheck(single, 'x', false)).toBe(
      's."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1',
    );
    expect(rowRecheck({ ...single, touch: { column: 'Changed', type: 'jsonb' } }, 'x')).toBe(
      's.ctid = x.fkb_tid AND s."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."Changed"::text IS NOT DISTINCT FROM x.fkb_touched::text',
    );
    // the link's own active: a row soft-deleted since the read is not written
    expect(rowRecheck({ ...single, sourceActive: { column: 'deleted_at', activeWhen: 'null' } }, 'x', false)).toBe(
      's."id" = x.fkb_key AND s."customer_id" IS NULL AND s."customer name" = x.fkb_name AND s."tenant_id" = x.fkb_scope_1 AND s."deleted_at" IS NULL',
    );
    expect(touchedOld(link, 'x')).toBe("(to_jsonb(x.fkb_touched) #>> '{}')");
    expect(touchedOld(single, 'x')).toBe('NULL::text');
  });

  it("the change set as a second data-modifying CTE, and the statement's changed count", () => {
    expect(withChangedCount('INSERT INTO t SELECT 1 FROM upd')).toBe(`, ins AS (
INSERT INTO t SELECT 1 FROM upd
RETURNING 1
)
SELECT (SELECT count(*) FROM upd)::int8 AS changed`);
    expect(changedCount({ rowCount: 0, rows: [{ changed: '42' }] })).toBe(42);
    expect(changedCount({ rowCount: 7, rows: [] })).toBe(7);
    expect(changedCount({ rowCount: 3, rows: [{ other: 1 }] })).toBe(3);
  });
});
