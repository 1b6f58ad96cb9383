import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/index.js';
import { decodeEntities } from '../../src/match/mojibake.js';

/** trial14: 161 names exported through HTML ("Alpine Steel &amp; Wire GmbH") matched nothing under normalized. */
describe('HTML character references in a name', () => {
  it('are decoded: &amp;, numeric, hexadecimal, umlauts, twice encoded', () => {
    expect(decodeEntities('Alpine Steel &amp; Wire GmbH')).toBe('Alpine Steel & Wire GmbH');
    expect(decodeEntities('Smith &#38; Sons')).toBe('Smith & Sons');
    expect(decodeEntities('Smith &#x26; Sons')).toBe('Smith & Sons');
    expect(decodeEntities('M&uuml;ller &amp;amp; Co')).toBe('Müller & Co');
    expect(decodeEntities('O&apos;Brien &quot;Bau&quot;')).toBe('O\'Brien "Bau"');
    expect(normalizeName('Alpine Steel &amp; Wire GmbH').keys).toEqual(normalizeName('Alpine Steel & Wire GmbH').keys);
    expect(linkOf([{ key: 'A', name: 'Alpine Steel & Wire GmbH' }], 'Alpine Steel &amp; Wire GmbH')).toBe('A');
    expect(linkOf([{ key: 'M', name: 'Müller Präzision GmbH' }], 'M&uuml;ller Pr&auml;zision GmbH')).toBe('M');
  });
  it('a bare ampersand, an unknown or unterminated reference, stays as written', () => {
    expect(decodeEntities('AT&T Inc')).toBe('AT&T Inc');
    expect(decodeEntities('B&Q plc')).toBe('B&Q plc');
    expect(decodeEntities('Smith &amp Sons')).toBe('Smith &amp Sons');
    expect(decodeEntities('Foo &bogus; Bar &#0; &#xD800;')).toBe('Foo &bogus; Bar &#0; &#xD800;');
  });
});
