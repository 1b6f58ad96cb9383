import { describe, expect, it } from 'vitest';
import { Params, type LinkShape } from '../../../src/sql/link.js';
import { citusPlannedNames } from '../../../src/sql/undo-names.js';

const link: LinkShape = {
  sourceSql: '"orders"',
  targetSql: '"customers"',
  key: 'tenant_id',
  keys: ['tenant_id', 'id'],
  keyTypes: ['text', 'int4'],
  fk: 'customer_id',
  name: 'customer_name',
  targetKey: 'id',
  targetName: 'name',
  scope: ['tenant_id'],
  fkType: 'int4',
  keyType: 'text',
  touch: null,
  citus: 'distributed',
};

describe("undo's name check on Citus (whole fragments)", () => {
  it("joins each log row with the plan's names of its master in the row's tenant, read off its key; the UPDATE compares the name", () => {
    const p = new Params();
    p.add('x');
    expect(citusPlannedNames(link, { p, id: '9' }, '$1')).toEqual({
      columns: `,
         e.source_name AS fkb_name`,
      join: `
    JOIN fk_backfill.plan_entries e ON e.run_id = $2::int8 AND e.link = $1 AND e.outcome = 'linked' AND e.scope_key[1] = (c.row_key::text[])[1]
     AND CASE WHEN e.outcome = 'linked' THEN e.target_key::int4 END = c.new_value::int4`,
      where: ` AND s."customer_name" = c.fkb_name`,
    });
    expect(p.values).toEqual(['x', '9']);
  });

  it('nothing without a plan, where updated_at decides, or where a scope column is not in the key (the FK decides)', () => {
    const none = { columns: '', join: '', where: '' };
    expect(citusPlannedNames(link, { p: new Params(), id: undefined }, '$1')).toEqual(none);
    expect(
      citusPlannedNames({ ...link, touch: { column: 'updated_at', type: 'timestamptz' } }, { p: new Params(), id: '9' }, '$1'),
    ).toEqual(none);
    expect(citusPlannedNames({ ...link, scope: ['tenant_id', 'region'] }, { p: new Params(), id: '9' }, '$1')).toEqual(none);
  });
});
