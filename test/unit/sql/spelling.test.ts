import { describe, expect, it } from 'vitest';
import { mastersSpelledLikeStatement } from '../../../src/sql/spelling.js';
import { SALES_ORDERS_TOUCHED } from '../../helpers/link-shapes.js';

const skeleton = (col: string): string => {
  const x = `(${col}) COLLATE "default"`;
  return String.raw`lower(regexp_replace(CASE WHEN current_setting('server_encoding') = 'UTF8' THEN normalize(${x}, NFKC) ELSE ${x} END, '[[:space:]\u00a0\u00ad\u200b-\u200d\u2060\ufeff]+', '', 'g'))`;
};

describe('masters spelled like unlinked names but for case or blanks (whole text)', () => {
  it('active masters of the tenant whose skeleton is one of the names’ skeletons, the names one array parameter', () => {
    expect(mastersSpelledLikeStatement(SALES_ORDERS_TOUCHED, { tenant: 'T1' }, ['Acme ', 'beta'])).toEqual({
      text: `SELECT ARRAY[t."tenant_id"::text, t."branch"::text]::text[] AS scope_key, t."customer_name"::text AS name
  FROM "customers" t
 WHERE t."customer_name" IS NOT NULL AND t."is_active" IS TRUE AND t."tenant_id" = $2
   AND ${skeleton('t."customer_name"::text')} IN (SELECT ${skeleton('x')} FROM unnest($1::text[]) AS x)`,
      values: [['Acme ', 'beta'], 'T1'],
    });
  });
});
