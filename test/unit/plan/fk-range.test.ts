import { describe, expect, it } from 'vitest';
import { fitsFk, fkRangeOf } from '../../../src/plan/fk-range.js';
import { fitsFkSql } from '../../../src/sql/fk-fit.js';
import { Params } from '../../../src/sql/link.js';

describe('an FK narrower than its key', () => {
  it('integers by width, numeric by digits before and after the point, varchar by length; none when every key fits', () => {
    expect(fkRangeOf('smallint', 'integer', 'smallint')).toEqual({ kind: 'range', type: 'smallint', min: '-32768', max: '32767' });
    expect(fkRangeOf('bigint', 'integer', 'bigint')).toBeNull();
    expect(fkRangeOf('numeric', 'numeric', 'numeric(12,0)', 'numeric(16,2)')).toEqual({
      kind: 'digits',
      type: 'numeric(12,0)',
      precision: 12,
      scale: 0,
    });
    expect(fkRangeOf('numeric', 'numeric', 'numeric(12,2)', 'numeric')).toMatchObject({ kind: 'digits' });
    expect(fkRangeOf('numeric', 'numeric', 'numeric(12,2)', 'numeric(10,2)')).toBeNull();
    expect(fkRangeOf('numeric', 'numeric', 'numeric', 'numeric(10,2)')).toBeNull();
    expect(fkRangeOf('character varying', 'text', 'character varying(4)', 'text')).toEqual({
      kind: 'length',
      type: 'character varying(4)',
      length: 4,
    });
    expect(fkRangeOf('character varying', 'character varying', 'character varying(4)', 'character varying(10)')).toMatchObject({
      kind: 'length',
    });
    expect(fkRangeOf('character varying', 'character varying', 'character varying(10)', 'character varying(4)')).toBeNull();
    expect(fkRangeOf('text', 'character varying', 'text', 'character varying(4)')).toBeNull();
  });
  it('a negative scale (rounded to hundreds) and char(n) too (a review)', () => {
    const h = fkRangeOf('numeric', 'numeric', 'numeric(5,-2)', 'numeric(10,0)')!;
    expect(h).toEqual({ kind: 'digits', type: 'numeric(5,-2)', precision: 5, scale: -2 });
    expect(['100', '1234500', '123', '12345600', '0'].map((k) => fitsFk(k, h))).toEqual([true, true, false, false, true]);
    expect(fkRangeOf('character', 'character', 'character(4)', 'character(10)')).toEqual({
      kind: 'length',
      type: 'character(4)',
      length: 4,
    });
    expect(fkRangeOf('character', 'text', 'character(4)', 'text')).toMatchObject({ kind: 'length', length: 4 });
  });
  it('which keys fit', () => {
    const d = fkRangeOf('numeric', 'numeric', 'numeric(5,1)', 'numeric')!;
    expect(['1234.5', '-1234.50', '0.1', '12345', '1.25', '99999.0'].map((k) => fitsFk(k, d))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    const l = fkRangeOf('character varying', 'text', 'character varying(4)', 'text')!;
    expect(['C-07', 'Ünïç', 'C-0001', '😀😀😀😀'].map((k) => fitsFk(k, l))).toEqual([true, true, false, true]);
  });
  it('the same in SQL, every number bound (whole text)', () => {
    const p = new Params();
    expect(fitsFkSql('e.target_key', fkRangeOf('numeric', 'numeric', 'numeric(5,1)', 'numeric')!, (v) => p.add(v))).toBe(
      '(e.target_key::numeric = round(e.target_key::numeric, $1::int) AND abs(e.target_key::numeric) < power(10::numeric, $2::int))',
    );
    expect(fitsFkSql('k', fkRangeOf('character varying', 'text', 'character varying(4)', 'text')!, (v) => p.add(v))).toBe(
      'char_length(k) <= $3::int',
    );
    expect(fitsFkSql('k', fkRangeOf('smallint', 'integer', 'smallint')!, (v) => p.add(v))).toBe(
      'k::numeric BETWEEN $4::numeric AND $5::numeric',
    );
    expect(p.values).toEqual([1, 4, 4, '-32768', '32767']);
  });
});
