import { describe, expect, it } from 'vitest';
import {
  activeAnd,
  activeExpr,
  activeSql,
  activeValueSql,
  activeValues,
  describeActive,
  softDeleteLike,
  validityOf,
  type ActivePredicate,
} from '../../../src/sql/active.js';

const flag: ActivePredicate = { column: 'Is Active', activeWhen: true };
const archived: ActivePredicate = { column: 'archived', activeWhen: false };
const deleted: ActivePredicate = { column: 'deleted_at', activeWhen: 'null' };
const approved: ActivePredicate = { column: 'approved "at"', activeWhen: 'notNull' };
const status: ActivePredicate = { column: 'status', activeWhen: { in: ['active', "on 'hold'"] } };
const notClosed: ActivePredicate = { column: 'Status', activeWhen: { notIn: ['closed', '5'] } };

describe('active predicate fragments (whole text)', () => {
  it('one builder for a boolean flag, an inverted flag, a soft-delete timestamp, a not-NULL column', () => {
    expect(activeSql('t', { column: 'is_active', activeWhen: true })).toBe('t."is_active" IS TRUE');
    expect(activeSql('t', { column: 'archived', activeWhen: false })).toBe('t."archived" IS FALSE');
    expect(activeSql('t', { column: 'deleted_at', activeWhen: 'null' })).toBe('t."deleted_at" IS NULL');
    expect(activeSql('t', { column: 'approved "at"', activeWhen: 'notNull' })).toBe('t."approved ""at""" IS NOT NULL');
  });
  it('a status column: in or not in some values, as literals; NULL is inactive under in, active under notIn', () => {
    expect(activeSql('t', status)).toBe(`(t."status" IN ('active', 'on ''hold''')) IS TRUE`);
    expect(activeSql('m', notClosed)).toBe(`(m."Status" NOT IN ('closed', '5')) IS NOT FALSE`);
    expect(activeExpr('t', { column: 's', activeWhen: { in: ['$x$'] } })).toBe(`((t."s" IN (E'\\x24x\\x24')) IS TRUE)`);
  });
  it('AND-ed onto a WHERE: the predicate, quoted, or nothing without one', () => {
    expect(activeAnd('t', flag)).toBe(' AND t."Is Active" IS TRUE');
    expect(activeAnd('m', approved)).toBe(' AND m."approved ""at""" IS NOT NULL');
    expect(activeAnd('t', undefined)).toBe('');
  });
  it('as a boolean expression: parenthesised, or true without a predicate', () => {
    expect(activeExpr('t', archived)).toBe('(t."archived" IS FALSE)');
    expect(activeExpr('t', deleted)).toBe('(t."deleted_at" IS NULL)');
    expect(activeExpr('t', undefined)).toBe('true');
  });
  it('the value that makes a master active: a keyword or the first status value, none for not-NULL or not-in', () => {
    expect(activeValueSql(flag)).toBe('true');
    expect(activeValueSql(archived)).toBe('false');
    expect(activeValueSql(deleted)).toBe('NULL');
    expect(activeValueSql(approved)).toBeNull();
    expect(activeValueSql(status)).toBe(`'active'`);
    expect(activeValueSql(notClosed)).toBeNull();
  });
  it('how a predicate reads in messages (not SQL: the name unquoted)', () => {
    expect(describeActive(flag)).toBe('Is Active = true');
    expect(describeActive(archived)).toBe('archived = false');
    expect(describeActive(deleted)).toBe('deleted_at IS NULL');
    expect(describeActive(approved)).toBe('approved "at" IS NOT NULL');
    expect(describeActive(status)).toBe(`status IN ('active', 'on ''hold''')`);
    expect(describeActive(notClosed)).toBe(`Status NOT IN ('closed', '5')`);
  });
  it('columns that look like a soft delete or a status', () => {
    expect(softDeleteLike(['id', 'deleted_at', 'archived', 'is_deleted', 'status', 'name', 'is_active', 'deletedness'])).toEqual([
      'deleted_at',
      'archived',
      'is_deleted',
      'status',
      'is_active',
    ]);
  });
  it('several columns that must all hold: AND-ed, read with AND, every column written by masters create unless one implies no value', () => {
    const both: ActivePredicate = { ...deleted, also: [notClosed] };
    expect(activeSql('t', both)).toBe(`t."deleted_at" IS NULL AND (t."Status" NOT IN ('closed', '5')) IS NOT FALSE`);
    expect(activeExpr('t', both)).toBe(`(t."deleted_at" IS NULL AND (t."Status" NOT IN ('closed', '5')) IS NOT FALSE)`);
    expect(`NOT ${activeExpr('t', both)}`).toBe(`NOT (t."deleted_at" IS NULL AND (t."Status" NOT IN ('closed', '5')) IS NOT FALSE)`);
    expect(describeActive(both)).toBe(`deleted_at IS NULL AND Status NOT IN ('closed', '5')`);
    // notIn implies no value: left to the column's default (masters create checks the row is active)
    expect(activeValues(both)).toEqual([{ column: 'deleted_at', value: 'NULL' }]);
    expect(activeValues({ ...deleted, also: [flag, status] })).toEqual([
      { column: 'deleted_at', value: 'NULL' },
      { column: 'Is Active', value: 'true' },
      { column: 'status', value: `'active'` },
    ]);
  });
  it('validity dates: open-ended when NULL, the end day itself still valid, never NULL; written NULL by masters create', () => {
    const until: ActivePredicate = { column: 'Valid To', activeWhen: 'notPast' };
    const from: ActivePredicate = { column: 'valid_from', activeWhen: 'notFuture' };
    expect(activeSql('m', until)).toBe('(m."Valid To" IS NULL OR m."Valid To" >= now() OR m."Valid To" = current_date)');
    expect(activeSql('m', { ...from, also: [until] })).toBe(
      '(m."valid_from" IS NULL OR m."valid_from" <= now()) AND (m."Valid To" IS NULL OR m."Valid To" >= now() OR m."Valid To" = current_date)',
    );
    expect(describeActive({ ...from, also: [until] })).toBe(
      'valid_from not future (NULL, or now or earlier) AND Valid To not past (NULL, or now or later)',
    );
    expect(activeValues({ ...deleted, also: [from, until] })).toEqual([
      { column: 'deleted_at', value: 'NULL' },
      { column: 'valid_from', value: 'NULL' },
      { column: 'Valid To', value: 'NULL' },
    ]);
  });
  it('columns named like a validity: the end is also soft-delete-like (a warning without a predicate), the start is not', () => {
    const ends = ['valid_to', 'validTo', 'valid_until', 'effective_to_date', 'expires_at', 'expiry_date', 'end_date', 'eff_thru'];
    const starts = ['valid_from', 'validFrom', 'effective_since', 'eff_start_dt'];
    const neither = ['validated_at', 'end_user', 'effective', 'valid', 'from_date', 'expired_by'];
    expect([...ends, ...starts, ...neither].map((c) => [c, validityOf(c)])).toEqual([
      ...ends.map((c) => [c, 'notPast']),
      ...starts.map((c) => [c, 'notFuture']),
      ...neither.map((c) => [c, null]),
    ]);
    expect(softDeleteLike([...ends, ...starts, 'name'])).toEqual(ends);
  });
});
