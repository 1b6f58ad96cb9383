import { describe, expect, it } from 'vitest';
import { namesTable, singular } from '../../../src/discover/naming.js';

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
});
