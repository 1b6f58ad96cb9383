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

  it('takes the separator from the header: comma, semicolon, tab, quoted cells too; a comma when no header is there', () => {
    expect(csvDelimiter(TEXT)).toBe(';');
    expect(csvDelimiter('"link"\t"scope"\t"decision"\n')).toBe('\t');
    expect(csvDelimiter('\ufefflink,scope,decision\r\n')).toBe(',');
    expect(csvDelimiter('name;rows\n')).toBe(',');
  });
});
