import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { quotedName, shownName, table } from '../../../src/render/table.js';

describe('text tables', () => {
  it('columns line up as a terminal shows them: CJK and emoji take two columns, a combining accent none', () => {
    const out = table(
      ['Name', 'Rows'],
      [
        ['株式会社トヨタ', 12],
        ['Müller GmbH', 3],
        ['Cafe\u0301 🍕', 1000],
      ],
      { totalRow: ['Total', 1015] },
    );
    expect(out).toBe(
      [
        'Name           | Rows',
        '---------------|-----',
        '株式会社トヨタ |   12',
        'Müller GmbH    |    3',
        'Cafe\u0301 🍕        | 1000',
        '---------------|-----',
        'Total          | 1015',
      ].join('\n'),
    );
    // every line ends its first column at the same screen column
    for (const line of out.split('\n')) expect(stringWidth(line.split(/ \||-\|/)[0]!)).toBe(14);
  });
  it('numbers and percentages right-aligned, text left; trailing spaces trimmed', () => {
    expect(
      table(
        ['a', 'b', 'c'],
        [
          ['x', 1, '5%'],
          ['yy', 22, '50%'],
        ],
      ),
    ).toBe(['a  |  b |   c', '---|----|----', 'x  |  1 |  5%', 'yy | 22 | 50%'].join('\n'));
  });
});

describe('names as table cells', () => {
  it('quoted only when spaces at either end or invisible characters would hide a difference', () => {
    expect(shownName('Mueller Textiles S.A.')).toBe('Mueller Textiles S.A.');
    expect(shownName('Mueller Textiles S.A. ')).toBe('"Mueller Textiles S.A. "');
    expect(shownName(' Acme')).toBe('" Acme"');
    expect(shownName('Ac\u200bme')).toBe('"Ac\\u200bme"');
    // a no-break, thin or ideographic space, a soft hyphen: quoted and written as escapes (they print like a space, or nothing)
    expect(shownName('ACME\u00a0Corp')).toBe('"ACME\\u00a0Corp"');
    expect(shownName('ACME\u2009Corp\u00ad')).toBe('"ACME\\u2009Corp\\u00ad"');
    expect(quotedName('ACME Corp')).toBe('"ACME Corp"');
    expect(quotedName('Tab\there\u3000')).toBe('"Tab\\there\\u3000"');
    expect(shownName('株式会社 トヨタ')).toBe('株式会社 トヨタ');
    // a name written with separate accents (NFD) prints like the composed one: quoted, its accents as escapes (a trial
    // had two "Björk Textiles LLC" lines); the composed name, and marks a script composes with nothing, as they are
    expect(shownName('Bjo\u0308rk Textiles LLC')).toBe('"Bjo\\u0308rk Textiles LLC"');
    expect(shownName('Bj\u00f6rk Textiles LLC')).toBe('Björk Textiles LLC');
    expect(shownName('हिन्दी')).toBe('हिन्दी');
  });
});

describe('a very long name in a table', () => {
  it('is cut to 80 characters, saying how long it is (a trial: a 2,000-character name made every line 8,000 wide); short names whole', () => {
    const long = 'Ä'.repeat(2000);
    expect(shownName(long)).toBe(`${'Ä'.repeat(79)}… (2,000 characters)`);
    expect(shownName(` ${'x'.repeat(100)}`)).toBe(JSON.stringify(` ${'x'.repeat(78)}… (101 characters)`));
    expect(shownName('Acme')).toBe('Acme');
  });
});
