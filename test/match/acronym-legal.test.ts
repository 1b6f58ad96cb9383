import { describe, expect, it } from 'vitest';
import { legalLetters } from '../../src/match/acronym.js';
import { decide, linkOf } from '../helpers/match.js';

/**
 * A firm's acronym spells its legal form too ("JCI" / Johnson Controls, Inc., "TSMC" / Taiwan Semiconductor
 * Manufacturing Co., Ltd., "GISSA" / Grupo Industrial Saltillo, S.A.B. de C.V.): acronym.ts legalLetters.
 */
describe("an acronym that spells the firm's legal form", () => {
  it('reads the letters a legal form adds, as written', () => {
    expect(legalLetters('San Miguel Corporation')).toBe('c');
    expect(legalLetters('Johnson Controls, Inc.')).toBe('i');
    expect(legalLetters('Taiwan Semiconductor Manufacturing Co., Ltd.')).toBe('cl');
    expect(legalLetters('Amazon Internet Services Private Limited')).toBe('pl');
    expect(legalLetters('Ford Motor Credit Company LLC')).toBe('cllc');
    expect(legalLetters('Farmacias Ahumada S.A.')).toBe('sa');
    expect(legalLetters('Grupo Industrial Saltillo, S.A.B. de C.V.')).toBe('sabcv');
    // a legal form no letter stands for ends them; a legal word first is no firm's legal form
    expect(legalLetters('Robert Bosch GmbH')).toBe('');
    expect(legalLetters('PT Astra International Tbk')).toBe('');
    expect(legalLetters('Acme Widgets')).toBe('');
  });

  const masters = [
    { key: 'JCI', name: 'Johnson Controls, Inc.' },
    { key: 'TSMC', name: 'Taiwan Semiconductor Manufacturing Co., Ltd.' },
    { key: 'FMCC', name: 'Ford Motor Credit Company LLC' },
    { key: 'GIS', name: 'Grupo Industrial Saltillo, S.A.B. de C.V.' },
    { key: 'HSBC', name: 'The Hongkong and Shanghai Banking Corporation Limited' },
  ];
  it('links the one master whose initials and legal form a capitalised word spells', () => {
    for (const [name, key] of [
      ['JCI', 'JCI'],
      ['TSMC', 'TSMC'],
      ['FMCC', 'FMCC'],
      ['GISSA', 'GIS'],
      ['HSBC', 'HSBC'],
    ] as const)
      expect([name, linkOf(masters, name)]).toEqual([name, key]);
  });
  it('not when another master spells it too, with or without its legal form', () => {
    const two = [...masters, { key: 'JCI2', name: 'Jackson County Insurance' }];
    expect(decide(two, 'JCI').outcome).toBe('ambiguous');
    // letters past the legal form's are no reading ("JCIX"), nor the legal form alone
    expect(linkOf(masters, 'JCIX')).toBeNull();
    expect(linkOf(masters, 'CL')).toBeNull();
  });
});
