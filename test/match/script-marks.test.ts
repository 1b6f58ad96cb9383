import { describe, expect, it } from 'vitest';
import { marksApart } from '../../src/match/accents.js';
import { normalizeEvidence } from '../../src/match/evidence.js';
import { nameWords, stripAccents } from '../../src/match/fold.js';
import { normalizeName } from '../../src/match/index.js';
import { foldForPrefix } from '../../src/match/truncation.js';
import { linkOf } from '../helpers/match.js';

/**
 * Combining marks that are letters, not accents (issue #16, lab15): folding stripped every mark after NFD, so a Thai,
 * Khmer or Devanagari vowel sign went, and Ram / Rama, Heng Vuthy / Heng Vutha read as one name.
 */
describe('marks kept in Brahmic and South-East Asian scripts', () => {
  it('strips accents of Latin, Greek and Cyrillic, and Arabic and Hebrew vowel points', () => {
    expect(normalizeName('Crème Brûlée SARL').key).toBe('creme brulee');
    expect(normalizeName('Ελένη Παπαδάκη').key).toBe('ελενη παπαδακη');
    expect(normalizeName('Nguyễn Văn Lâm').key).toBe('nguyen van lam');
    expect(stripAccents('مُحَمَّد'.normalize('NFD'))).toBe('محمد');
    expect(stripAccents('שָׁלוֹם'.normalize('NFD'))).toBe('שלום');
    // a mark after no letter goes
    expect(stripAccents('\u0301a')).toBe('a');
  });

  it('keeps vowel signs, viramas and tone marks: two names stay two keys', () => {
    const apart = [
      ['มาลา ใจดี', 'มาลัย ใจดี'], // Thai Mala / Malai
      ['राम शर्मा', 'रमा शर्मा'], // Hindi Ram / Rama Sharma
      ['கலா முருகன்', 'கலை முருகன்'], // Tamil Kala / Kalai Murugan
      ['ហេង វុទ្ធី', 'ហេង វុទ្ធា'], // Khmer Heng Vuthy / Heng Vutha
      ['ဦးမောင်မောင်', 'ဦးမောင်မင်း'], // Burmese U Maung Maung / U Maung Min
      ['ສົມພອນ', 'ສົມພູ'], // Lao Somphone / Somphou
      ['カトウ', 'ガトウ'], // kana voicing mark: Katō / Gatō
    ];
    for (const [a, b] of apart) expect(normalizeName(a!).key, a).not.toBe(normalizeName(b!).key);
    expect(normalizeName('ประเสริฐ มั่นคง').tokens).toEqual(['ประเสริฐ', 'มั่นคง']);
    expect(nameWords('सुनील वर्मा')).toEqual(['सुनील', 'वर्मा']);
  });

  it('drops the Indic nukta, a dot often left out', () => {
    expect(normalizeName('ज़ाकिर हुसैन').key).toBe(normalizeName('जाकिर हुसैन').key);
  });

  it('folds compare columns and cut names the same way', () => {
    expect(normalizeEvidence('Zürich')).toBe('zurich');
    expect(normalizeEvidence('ราม')).not.toBe(normalizeEvidence('รม'));
    expect(foldForPrefix('स्वामी ट्रेडर्स')).toBe('स्वामी ट्रेडर्स'.normalize('NFD'));
  });

  it('reads another vowel sign on the same letters as another word', () => {
    expect(marksApart('វុទ្ធី', 'វុទ្ធា')).toBe(true);
    expect(marksApart('राम', 'रमा')).toBe(true);
    expect(marksApart('राम', 'राम')).toBe(false);
    // Thai with an honorific joined: another vowel sign and a letter, two edits in a long word
    expect(marksApart('นายสมชาติ', 'นายสมชาย')).toBe(true);
    expect(marksApart('นางมาลา', 'นางมาลัย')).toBe(true);
    // one other letter, the marks alike: a typo may be
    expect(marksApart('ทองดี', 'ทองตี')).toBe(false);
    expect(marksApart('vuthy', 'vutha')).toBe(false);
  });

  const ms = [
    { key: 'MALA', name: 'มาลา ใจดี' },
    { key: 'SOMCHAI', name: 'นายสมชาย ใจดี' },
    { key: 'MALAI', name: 'นางมาลัย ทองดี' },
    { key: 'SOMCHAI2', name: 'สมชาย ศรีสุข' },
    { key: 'RAM', name: 'राम शर्मा' },
    { key: 'SUNIL', name: 'सुनील वर्मा' },
    { key: 'KALA', name: 'கலா முருகன்' },
    { key: 'VUTHY', name: 'ហេង វុទ្ធី' },
    { key: 'CHEA', name: 'ជា សុផល' },
    { key: 'MAUNG', name: 'ဦးမောင်မောင်' },
  ];

  it('links no namesake a vowel sign apart', () => {
    for (const name of ['นายสมชาติ ใจดี', 'นางมาลา ทองดี', 'มาลัย ใจดี', 'रमा शर्मा', 'கலை முருகன்', 'ហេង វុទ្ធា', 'ဦးမောင်မင်း'])
      expect(linkOf(ms, name), name).toBeNull();
  });

  it('still links the name as written, and a spacing or punctuation variant', () => {
    expect(linkOf(ms, 'มาลา ใจดี')).toBe('MALA');
    expect(linkOf(ms, 'राम  शर्मा')).toBe('RAM');
    expect(linkOf(ms, 'ហេង វុទ្ធី.')).toBe('VUTHY');
  });
});
