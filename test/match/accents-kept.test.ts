import { describe, expect, it } from 'vitest';
import { accentsApart } from '../../src/match/accents.js';
import { decide, linkOf } from '../helpers/match.js';

/**
 * A word's accents read as letters where both names keep them (issue #16, lab13): "Trần Thị Lâm" is no typo of Trần
 * Thị Lan (Trần and Thị are written alike, so both sources write accents; Lâm and Lan are two edits apart with them).
 */
describe('accents kept where both names write them', () => {
  it('another accented letter, more edits apart than a typo, in names that share an accented word', () => {
    expect(accentsApart('Trần Thị Lâm', 'Trần Thị Lan', 'lam', 'lan')).toBe(true);
    expect(accentsApart('Phạm Minh Tuyến', 'Phạm Minh Tuấn', 'tuyen', 'tuan')).toBe(true);
    // written without accents, or sharing no accented word: compared as before
    expect(accentsApart('Tran Thi Lam', 'Trần Thị Lan', 'lam', 'lan')).toBe(false);
    expect(accentsApart('Lâm Văn', 'Lan Hoa', 'lam', 'lan')).toBe(false);
    // one edit with the accents (ý / í), or two in a long word: a typo or another language's spelling of the word
    expect(accentsApart('Instalatérstvý Šťastný', 'Instalatérství Šťastný', 'instalaterstvy', 'instalaterstvi')).toBe(false);
    expect(accentsApart('Hydroizolácie Šimek', 'Hydroizolace Šimek', 'hydroizolacie', 'hydroizolace')).toBe(false);
    // a Hangul syllable is no accented letter
    expect(accentsApart('(주)한빗유통', '(주)한빛유통', '한빗유통', '한빛유통')).toBe(false);
  });

  const ms = [
    { key: 'LAN', name: 'Trần Thị Lan' },
    { key: 'TUAN', name: 'Phạm Minh Tuấn' },
    { key: 'MUL', name: 'Müller Bäckerei Köln' },
  ];

  it('leaves a namesake written with its accents to review, the master first', () => {
    for (const [name, key] of [
      ['Trần Thị Lâm', 'LAN'],
      ['Phạm Minh Tuyến', 'TUAN'],
    ] as const) {
      const d = decide(ms, name);
      expect(d.outcome, name).not.toBe('linked');
      expect(d.candidates[0]!.key, name).toBe(key);
    }
  });

  it('still links a typo on a base letter, and a name written without accents', () => {
    expect(linkOf(ms, 'Müler Bäckerei Köln')).toBe('MUL');
    expect(linkOf(ms, 'Tran Thi Lan')).toBe('LAN');
    expect(linkOf(ms, 'Phạm Minh Tuấn')).toBe('TUAN');
  });
});
