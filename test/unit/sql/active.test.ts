import { describe, expect, it } from 'vitest';
import {
  activeAnd,
  activeExpr,
  activeSql,
  activeValueSql,
  describeActive,
  softDeleteLike,
  type ActivePredicate,
} from '../../../src/sql/active.js';

const flag: ActivePredicate = { column: 'Is Active', activeWhen: true };
const archived: ActivePredicate = { column: 'archived', activeWhen: false };
const deleted: ActivePredicate = { column: 'deleted_at', activeWhen: 'null' };
const approved: ActivePredicate = { column: 'approved "at"', activeWhen: 'notNull' };

describe('active predicate fragments (whole text)', () => {
  it('one builder for a boolean flag, an inverted flag, a soft-delete timestamp, a not-NULL column', () => {
    expect(activeSql('t', { column: 'is_active', activeWhen: true })).toBe('t."is_active" IS TRUE');
    expect(activeSql('t', { column: 'archived', activeWhen: false })).toBe('t."archived" IS FALSE');
    expect(activeSql('t', { column: 'deleted_at', activeWhen: 'null' })).toBe('t."deleted_at" IS NULL');
    expect(activeSql('t', { column: 'approved "at"', activeWhen: 'notNull' })).toBe('t."approved ""at""" IS NOT NULL');
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
  it('the value that makes a master active: SQL keywords only, none for a not-NULL predicate', () => {
    expect(activeValueSql(flag)).toBe('true');
    expect(activeValueSql(archived)).toBe('false');
    expect(activeValueSql(deleted)).toBe('NULL');
    expect(activeValueSql(approved)).toBeNull();
  });
  it('how a predicate reads in messages (not SQL: the name unquoted)', () => {
    expect(describeActive(flag)).toBe('Is Active = true');
    expect(describeActive(archived)).toBe('archived = false');
    expect(describeActive(deleted)).toBe('deleted_at IS NULL');
    expect(describeActive(approved)).toBe('approved "at" IS NOT NULL');
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
});
