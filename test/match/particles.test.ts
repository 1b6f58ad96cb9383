import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/index.js';

const key = (s: string): string => normalizeName(s).key;

describe('"Surname, Given" with particles', () => {
  it('reads a surname with particles in the given-name order', () => {
    expect(key('Sánchez de la Peña, Lucía')).toBe('lucia sanchez de la pena');
    expect(key('Van den Broek, Maarten')).toBe('maarten van den broek');
    expect(key('Gómez Ortiz, Ana del Pilar')).toBe('ana del pilar gomez ortiz');
    expect(normalizeName('Sánchez de la Peña, Lucía').rules).toContain('name-order');
  });
  it("moves a Dutch surname's particles written after the given names back before the surname", () => {
    expect(key('Broek, Maarten van den')).toBe(key('Maarten van den Broek'));
    expect(key('Broek, Maarten van den')).toBe(key('Van den Broek, Maarten'));
  });
  it('links the name in either convention to its master', () => {
    const masters = [
      { key: 'L', name: 'Lucía Sánchez de la Peña' },
      { key: 'M', name: 'Van den Broek, Maarten' },
      { key: 'A', name: 'Ana del Pilar Gómez Ortiz' },
    ];
    expect(linkOf(masters, 'Sánchez de la Peña, Lucía')).toBe('L');
    expect(linkOf(masters, 'Maarten van den Broek')).toBe('M');
    expect(linkOf(masters, 'Broek, Maarten van den')).toBe('M');
    expect(linkOf(masters, 'Gómez Ortiz, Ana del Pilar')).toBe('A');
  });
  it('leaves other comma segments as they are', () => {
    expect(key('Casa de la Moneda, S.A.')).toBe('casa de la moneda'); // a legal form
    expect(key('Instituto de Salud Pública, Laboratorio Central de Análisis')).toBe(
      'instituto de salud publica laboratorio central de analisis',
    ); // too many words
    expect(key('Hotel de la Plage, Restaurant')).toBe('hotel de la plage restaurant'); // trade and generic words
  });
});

describe('a hyphenated name and a one-word name, swapped', () => {
  it('is one person whichever comes first, the hyphen written on either side', () => {
    const masters = [
      { key: 'G', name: 'Marie-Claude Girardin' },
      { key: 'P', name: 'Park Ji-hoon' },
      { key: 'H', name: 'Karl-Heinz Hollmann' },
    ];
    expect(linkOf(masters, 'Girardin Marie-Claude')).toBe('G');
    expect(linkOf(masters, 'GIRARDIN MARIE CLAUDE')).toBe('G');
    expect(linkOf(masters, 'Ji-hoon Park')).toBe('P');
    expect(linkOf(masters, 'Ji Hoon Park')).toBe('P');
    expect(decide(masters, 'Hollmann Karl-Heinz').candidates[0]!.signals['order']).toBe('surname-first');
  });
  it('not two one-word names swapped, nor words that are not all the same', () => {
    expect(linkOf([{ key: 'T', name: 'Thomas Ryan' }], 'Ryan Thomas')).toBeNull();
    expect(linkOf([{ key: 'G', name: 'Marie-Claude Girardin' }], 'Girardin Marie-Claire')).toBeNull();
  });
});
