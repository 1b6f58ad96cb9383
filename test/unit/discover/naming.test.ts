import { describe, expect, it } from 'vitest';
import { baseKind, comparableBases, namesTable, singular, sourceActiveFromColumns } from '../../../src/discover/naming.js';
import type { Col } from '../../../src/discover/types.js';

describe('a column names a table', () => {
  it('through plurals no suffix rule makes: person_id names people (a trial), child_id children', () => {
    expect(['people', 'children', 'statuses', 'customers', 'companies', 'boxes'].map(singular)).toEqual([
      'person',
      'child',
      'status',
      'customer',
      'company',
      'box',
    ]);
    expect(namesTable(['person'], 'people')).toBe('exact');
    expect(namesTable(['contact', 'person'], 'people')).toBe('role');
  });

  it('through the words a table wraps its entity in: vendorRef names vendor_master (a trial), cust_id customer_mstr, at most by role', () => {
    expect(namesTable(['vendor'], 'vendor_master')).toBe('role');
    expect(namesTable(['cust'], 'customer_mstr')).toBe('abbreviated');
    expect(namesTable(['supplier'], 'supplier_list')).toBe('role');
    // a prefix alone was already read by the table's last word
    expect(namesTable(['customer'], 'tbl_customers')).toBe('tail');
    expect(namesTable(['vendor'], 'vendors')).toBe('exact');
    // only around the entity: a table that is all such words, or a column naming something else, names nothing
    expect(namesTable(['vendor'], 'master_data')).toBeNull();
    expect(namesTable(['account'], 'vendor_master')).toBeNull();
  });
});

describe('comparableBases: the type pairs plan takes as one', () => {
  it('the same base, two integer types, varchar beside text; nothing else', () => {
    expect(comparableBases('int4', 'int8')).toBe(true);
    expect(comparableBases('int8', 'int2')).toBe(true);
    expect(comparableBases('varchar', 'text')).toBe(true);
    expect(comparableBases('uuid', 'uuid')).toBe(true);
    expect(comparableBases('text', 'int4')).toBe(false);
    expect(comparableBases('bpchar', 'text')).toBe(false);
    expect(comparableBases('numeric', 'int4')).toBe(false);
    expect(comparableBases('citext', 'text')).toBe(false);
    expect(baseKind('int2')).toBe(baseKind('int8'));
  });
});

describe("a link's own active, from the documents' columns", () => {
  const table = (cols: [string, string][]): { cols: Map<string, Col>; order: string[] } => ({
    cols: new Map(
      cols.map(([name, base]) => [
        name,
        { name, type: base, base, category: '', notNull: false, identity: '', generated: '', readable: true },
      ]),
    ),
    order: cols.map(([n]) => n),
  });
  it('a soft-delete timestamp or flag is proposed; a closed_at, an active flag or a status of a document is not', () => {
    expect(
      sourceActiveFromColumns(
        table([
          ['deleted_at', 'timestamptz'],
          ['closed_at', 'timestamptz'],
          ['is_active', 'bool'],
        ]),
      ).active,
    ).toEqual({
      column: 'deleted_at',
      activeWhen: 'null',
    });
    expect(
      sourceActiveFromColumns(
        table([
          ['is_deleted', 'bool'],
          ['voided', 'bool'],
        ]),
      ).active,
    ).toEqual([
      { column: 'is_deleted', activeWhen: false },
      { column: 'voided', activeWhen: false },
    ]);
    expect(
      sourceActiveFromColumns(
        table([
          ['closed_at', 'timestamptz'],
          ['blocked', 'bool'],
          ['status', 'text'],
          ['enabled', 'bool'],
        ]),
      ),
    ).toEqual({
      active: null,
      evidence: [],
    });
  });
});
