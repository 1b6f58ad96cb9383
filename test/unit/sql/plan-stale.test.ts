import { describe, expect, it } from 'vitest';
import { namesakesSincePlanStatement } from '../../../src/sql/plan-stale.js';
import type { LinkShape } from '../../../src/sql/link.js';

const link: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"crm"."Customers"',
  key: 'id',
  fk: 'customer_id',
  name: 'customer name',
  targetKey: 'id',
  targetName: 'Legal Name',
  active: { column: 'is_active', activeWhen: true },
  scope: ['tenant_id'],
  fkType: 'int8',
  keyType: 'int8',
  touch: null,
  nameType: 'citext',
  nameCitext: true,
  targetNameType: 'character varying(60)',
};

describe('a stored plan against the masters now (whole text)', () => {
  it('linked names whose master has a namesake the plan did not see: two hashed equality joins, within the tenant', () => {
    expect(namesakesSincePlanStatement(link, { planRunId: '7', linkName: 'so' }, { tenant: 'T1' })).toEqual({
      text: `WITH e AS (
  SELECT e.scope_key, e.source_name, e.target_key, e.target_name, e.candidates
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = $1::int8 AND e.link = $2 AND e.outcome = 'linked' AND e.target_key IS NOT NULL
     AND e.method IS DISTINCT FROM 'decision'
     AND NOT EXISTS (SELECT 1 FROM fk_backfill.decisions d
                      WHERE d.link = e.link AND d.scope_key = e.scope_key AND md5(d.source_name) = md5(e.source_name)
                        AND d.source_name = e.source_name AND d.revoked_at IS NULL AND d.action = 'alias' AND d.target_key = e.target_key)
), h AS (
  SELECT e.scope_key, e.source_name, e.target_name, t."Legal Name"::text AS master, false AS folded
    FROM e JOIN "crm"."Customers" t ON t."Legal Name" = e.target_name::character varying(60) AND e.scope_key = ARRAY[t."tenant_id"::text]::text[] AND t."is_active" IS TRUE
   WHERE t."id"::text <> e.target_key
     AND NOT coalesce(e.candidates @> jsonb_build_array(jsonb_build_object('key', t."id"::text)), false) AND t."tenant_id" = $3
  UNION ALL
  SELECT e.scope_key, e.source_name, e.target_name, t."Legal Name"::text AS master, false AS folded
    FROM e JOIN "crm"."Customers" t ON t."Legal Name"::citext = e.source_name::citext AND e.scope_key = ARRAY[t."tenant_id"::text]::text[] AND t."is_active" IS TRUE
   WHERE t."id"::text <> e.target_key
     AND NOT coalesce(e.candidates @> jsonb_build_array(jsonb_build_object('key', t."id"::text)), false) AND t."tenant_id" = $4
)
SELECT h.scope_key, h.source_name, h.target_name, h.master, bool_and(h.folded) AS folded
  FROM h
 GROUP BY 1, 2, 3, 4
 ORDER BY 5, 2, 4
 LIMIT 1000`,
      values: ['7', 'so', 'T1', 'T1'],
    });
  });

  it('a normalised or fuzzy link (variants): two more joins on the names folded to their letters and digits', () => {
    const st = namesakesSincePlanStatement(link, { planRunId: '7', linkName: 'so', variants: true }, { tenant: null });
    expect(st.values).toEqual(['[^[:alnum:]]+', '7', 'so']);
    expect(st.text).toContain(
      `FROM e JOIN "crm"."Customers" t ON coalesce(nullif(lower(regexp_replace(t."Legal Name"::text COLLATE "default", $1, '', 'g')), ''), t."Legal Name"::text COLLATE "default") = coalesce(nullif(lower(regexp_replace(e.target_name::text COLLATE "default", $1, '', 'g')), ''), e.target_name::text COLLATE "default") AND`,
    );
    expect(st.text).toContain(
      `FROM e JOIN "crm"."Customers" t ON coalesce(nullif(lower(regexp_replace(t."Legal Name"::text COLLATE "default", $1, '', 'g')), ''), t."Legal Name"::text COLLATE "default") = coalesce(nullif(lower(regexp_replace(e.source_name::text COLLATE "default", $1, '', 'g')), ''), e.source_name::text COLLATE "default") AND`,
    );
    expect(st.text.match(/UNION ALL/g)).toHaveLength(3);
    // the folded joins are flagged: the caller keeps their pairs only when the matcher normalises the names alike
    expect(st.text.match(/, true AS folded\n/g)).toHaveLength(2);
  });
});
