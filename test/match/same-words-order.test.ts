import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';

/**
 * Every word of a name of three words or more in another order, a person's name among them (score.ts
 * sameWordsOrder): a person or a firm written surname first, or its trade or title after the person (trials T9-T20:
 * payroll and bank exports, Polish and Lithuanian sole traders, estates).
 */
describe('the same three words or more in another order', () => {
  it('links a person or a sole trader written surname first, without a comma or a legal form', () => {
    expect(linkOf([{ key: 'C', name: 'Carlos Andrés Restrepo Gómez' }], 'Restrepo Gomez Carlos Andres')).toBe('C');
    expect(linkOf([{ key: 'W', name: 'Usługi Transportowe Grzegorz Wójcik' }], 'Wójcik Grzegorz Usługi Transportowe')).toBe('W');
    expect(linkOf([{ key: 'K', name: 'Estate of Dorothy Keswick' }], 'Keswick, Dorothy (Estate of)')).toBe('K');
    expect(linkOf([{ key: 'F', name: 'Howard and Janet Feldman' }], 'FELDMAN HOWARD & JANET')).toBe('F');
  });
  it('is the same decision whatever the order of the masters', () => {
    const masters = [
      { key: 'C', name: 'Carlos Andrés Restrepo Gómez' },
      { key: 'X', name: 'Restrepo Distribuciones S.A.S.' },
    ];
    expect(decide(masters, 'Restrepo Gomez Carlos Andres')).toEqual(decide([...masters].reverse(), 'Restrepo Gomez Carlos Andres'));
  });
  it('not two one-word names, nor words without a person name, nor with an initial as the third word', () => {
    expect(linkOf([{ key: 'W', name: 'William Ryan' }], 'Ryan William')).toBeNull();
    expect(linkOf([{ key: 'A', name: 'American National Insurance Company' }], 'National American Insurance')).toBeNull();
    expect(
      linkOf(
        [
          { key: 'T', name: 'Thomas J. Ryan' },
          { key: 'R', name: 'Ryan J. Thomas' },
        ],
        'RYAN THOMAS J',
      ),
    ).toBe('T');
  });
  it('not two legal forms of one family that differ: two firms of the same partners', () => {
    expect(linkOf([{ key: 'P', name: 'Cellers Puig i Roca, S.A.' }], 'Cellers Roca i Puig, S.L.')).toBeNull();
  });
  it('not when a word differs, or the master has a word more', () => {
    expect(linkOf([{ key: 'C', name: 'Carlos Andrés Restrepo Gómez' }], 'Restrepo Gomez Carlos Alberto')).toBeNull();
    expect(linkOf([{ key: 'M', name: 'Maria Cristina R. Villanueva' }], 'Villanueva Maria Cristina')).toBeNull();
  });
});
