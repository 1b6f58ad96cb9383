/** Reading back a review CSV as spreadsheets save it (src/review/csv-text.ts): its encoding and its separator. */
import { describe, expect, it } from 'vitest';
import { csvDelimiter, decodeCsvBytes } from '../../../src/review/csv-text.js';

const TEXT = 'link;scope;name;decision\nso;["t"];Zürich Gärten;never\n';

describe('review CSV text', () => {
  it('decodes UTF-8 (with or without a BOM), UTF-16 with or without its BOM, and Windows-1252', () => {
    const be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
    for (const bytes of [
      Buffer.from(TEXT, 'utf8'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]),
      Buffer.from(TEXT, 'utf16le'),
      Buffer.concat([Buffer.from([0xfe, 0xff]), be(TEXT)]),
      be(TEXT),
      Buffer.from(TEXT, 'latin1'),
    ]) {
      expect(decodeCsvBytes(bytes).replace(/^\ufeff/, '')).toBe(TEXT);
    }
  });

  it('Windows-1252 curly quotes, dashes and the euro sign are those characters, not C1 controls', () => {
    // "O’Brien – “Café” € 5…" as Excel writes it on Windows: 0x92, 0x96, 0x93, 0x94, 0x80, 0x85
    const bytes = Buffer.concat([
      Buffer.from('name\nO', 'latin1'),
      Buffer.from([0x92]),
      Buffer.from('Brien ', 'latin1'),
      Buffer.from([0x96, 0x20, 0x93]),
      Buffer.from('Caf\u00e9', 'latin1'),
      Buffer.from([0x94, 0x20, 0x80, 0x20, 0x35, 0x85, 0x81]),
      Buffer.from('\n', 'latin1'),
    ]);
    expect(decodeCsvBytes(bytes)).toBe('name\nO\u2019Brien \u2013 \u201cCaf\u00e9\u201d \u20ac 5\u2026\u0081\n');
  });

  it('takes the separator from the header: comma, semicolon, tab, quoted cells too; a comma when no header is there', () => {
    expect(csvDelimiter(TEXT)).toBe(';');
    expect(csvDelimiter('"link"\t"scope"\t"decision"\n')).toBe('\t');
    expect(csvDelimiter('\ufefflink,scope,decision\r\n')).toBe(',');
    expect(csvDelimiter('name;rows\n')).toBe(',');
  });
});
