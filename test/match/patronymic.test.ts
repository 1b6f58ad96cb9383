import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { twoNames } from '../../src/match/names.js';

describe('a surname made of a given name is no clipped form of it', () => {
  it('Martín / Martínez, John / Johnson, Ivan / Ivanov are two names', () => {
    expect(twoNames('martin', 'martinez')).toBe(true);
    expect(twoNames('ivan', 'ivanov')).toBe(true);
    expect(twoNames('fernando', 'fernandez')).toBe(true);
    expect(linkOf([{ key: 'M', name: 'Francisco Javier Martínez Soler' }], 'Francisco Javier Martín Soler')).toBeNull();
  });
  it('a clipped given name is still the same name', () => {
    expect(twoNames('doug', 'douglas')).toBe(false);
    expect(twoNames('alex', 'alexander')).toBe(false);
    expect(
      linkOf(
        [
          { key: 'D', name: 'Douglas Whitfield' },
          { key: 'O', name: 'Anna Kowalska' },
        ],
        'Doug Whitfield',
      ),
    ).toBe('D');
  });
});
