import { describe, expect, it } from 'vitest';
import { keptRowsStatement } from '../../../src/sql/kept.js';
import { applyBatchStatement } from '../../../src/sql/apply.js';
import { undoStatement } from '../../../src/sql/undo.js';
import { WHOLE_LINK } from '../../../src/sql/walk.js';
import { SALES_ORDERS_TOUCHED } from '../../helpers/link-shapes.js';

const link = SALES_ORDERS_TOUCHED;
const kept = [
  { k: 'a1', fk: null, wrote: '2026-12-07T03:00:00.5+00:00', back: '2020-01-02T03:04:05+00:00' },
  { k: 'a2', fk: null, wrote: '2026-12-07T03:00:00.5+00:00', back: null },
];

describe('rows a trigger kept as they were (whole text)', () => {
  it('apply: updated_at set back where the row still holds the kept FK and the time written, the rows recorded as refused, left NULL', () => {
    expect(keptRowsStatement(link, kept, { tenant: 'T1' }, { runId: '7', linkName: 'so', kind: 'apply' })).toEqual({
      text: `WITH k AS (
  SELECT * FROM json_to_recordset($1::json) AS k(k text, fk text, wrote text, back text)
), restored AS (
  UPDATE "erp"."Sales Orders" s
     SET "updated_at" = k.back::timestamp with time zone
    FROM k
   WHERE s."id" = k.k::uuid AND s."customer_id" IS NOT DISTINCT FROM k.fk::uuid
     AND (to_jsonb(s."updated_at") #>> '{}') IS NOT DISTINCT FROM k.wrote AND k.wrote IS DISTINCT FROM k.back AND s."tenant_id" = $2
)
INSERT INTO fk_backfill.refused_rows (run_id, link, row_key, sqlstate, constraint_name, message)
SELECT $3::int8, $4::text, k.k, '', NULL, 'a BEFORE UPDATE trigger kept customer_id NULL (the row left as it was)'
  FROM k
    ON CONFLICT (run_id, link, row_key) DO NOTHING`,
      values: [JSON.stringify(kept), 'T1', '7', 'so'],
    });
  });

  it('undo: the row left linked; no restore without a touched column or where a trigger stamps it; nothing kept, nothing run', () => {
    const undo = keptRowsStatement({ ...link, touch: null }, kept, { tenant: null }, { runId: '8', linkName: 'so', kind: 'undo' });
    expect(undo).toEqual({
      text: `WITH k AS (
  SELECT * FROM json_to_recordset($1::json) AS k(k text, fk text, wrote text, back text)
)
INSERT INTO fk_backfill.refused_rows (run_id, link, row_key, sqlstate, constraint_name, message)
SELECT $2::int8, $3::text, k.k, '', NULL, 'a BEFORE UPDATE trigger kept customer_id at ' || coalesce(k.fk, 'NULL') || ' (the row left linked)'
  FROM k
    ON CONFLICT (run_id, link, row_key) DO NOTHING`,
      values: [JSON.stringify(kept), '8', 'so'],
    });
    const stamped = keptRowsStatement(
      { ...link, touch: { ...link.touch!, byTrigger: true } },
      kept,
      { tenant: null },
      { runId: '8', linkName: 'so', kind: 'undo' },
    );
    expect(stamped?.text).not.toContain('restored');
    expect(keptRowsStatement(link, [], { tenant: null }, { runId: '8', linkName: 'so', kind: 'undo' })).toBeNull();
  });

  it('apply and undo statements hand their kept rows to it, under their own run', () => {
    const typed = { ...link, scopeTypes: ['uuid', 'int4'] };
    const a = applyBatchStatement(typed, { runId: '7', linkName: 'so', tableName: 'T', map: 'm', range: WHOLE_LINK }, { tenant: 'T1' });
    expect(a.followUp?.({ changed: '1', kept: null })).toBeNull();
    expect(a.followUp?.({ changed: '1', kept })).toEqual(
      keptRowsStatement(link, kept, { tenant: 'T1' }, { runId: '7', linkName: 'so', kind: 'apply' }),
    );
    const u = undoStatement(link, { targetRunId: '7', runId: '8', linkName: 'so' }, { tenant: 'T1' });
    expect(u.followUp?.({ changed: '1', kept })).toEqual(
      keptRowsStatement(link, kept, { tenant: 'T1' }, { runId: '8', linkName: 'so', kind: 'undo' }),
    );
  });
});
