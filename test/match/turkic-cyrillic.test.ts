import { describe, expect, it } from 'vitest';
import { foldChars } from '../../src/match/fold.js';
import { linkOf } from '../helpers/match.js';

/** Kazakh, Uzbek, Kyrgyz, Tatar and Bashkir Cyrillic typed on a Russian keyboard (issue #16, lab16; T39's misses). */

describe('the letters Central Asian Cyrillic adds fold to the Russian letters they are built on', () => {
  it('folds ң қ ғ ә ө ұ ү һ ў, and і beside them', () => {
    expect(foldChars('оңтүстік', false)).toBe('онтустик');
    expect(foldChars('қазақстан', false)).toBe('казакстан');
    expect(foldChars('ўзбекистон', false)).toBe('узбекистон');
    expect(foldChars('ғалымжан', false)).toBe('галымжан');
  });
  it("keeps Ukrainian і where no such letter is (cyrillic.ts reads it as Ukrainian's)", () => {
    expect(foldChars('олійник', false)).toBe('оліҋник'); // й kept apart as ҋ (fold.ts)
  });
  it('a Kazakh firm typed without its letters links to its master', () => {
    expect(linkOf([{ key: 'K', name: 'ТОО «Оңтүстік Логистика»' }], 'ТОО «Онтустик Логистика»')).toBe('K');
    expect(linkOf([{ key: 'U', name: 'ООО «Ўзбекистон Темир Йўллари»' }], 'Узбекистон Темир Йуллари')).toBe('U');
  });
  it('a Ukrainian name keeps its own reading', () => {
    expect(linkOf([{ key: 'P', name: 'ТОВ «Полтавазернопродукт»' }], 'TOV Poltavazernoprodukt')).toBe('P');
    expect(linkOf([{ key: 'M', name: 'Микола Олійник' }], 'Mykola Oliinyk')).toBe('M');
  });
});
