import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/index.js';

const norm = (s: string): [string, string | null] => {
  const n = normalizeName(s);
  return [n.key, n.legalForm];
};

describe('names in Cyrillic read in Latin letters', () => {
  it('transliterates after the legal form is read, by the scheme the letters point to', () => {
    expect(norm('Аптека Сердика ООД')).toEqual(norm('Apteka Serdika OOD'));
    expect(norm('ТОВ «Полтавазернопродукт»')).toEqual(norm('TOV Poltavazernoprodukt'));
    expect(norm('Флора Фарма АД')).toEqual(['flora farma', 'ad']);
    // Serbian as its Latin alphabet writes it, accents folded
    expect(norm('Апотека Здравље Плус д.о.о.')).toEqual(norm('Apoteka Zdravlje Plus d.o.o.'));
    expect(norm('Апотека Кошутњак')[0]).toBe(norm('Apoteka Košutnjak')[0]);
    // Ukrainian (і, є, ґ): г is h, и is y
    expect(norm('ПрАТ «Київський млинкомбінат»')).toEqual(norm('PrAT Kyivskyi Mlynkombinat'));
    // Russian -ий as English writes it
    expect(norm('Сергей Волконский')[0]).toBe('sergey volkonsky');
    expect(normalizeName('Аптека Витоша ЕООД').rules).toContain('transliteration');
  });
  it('a name beside itself in the other script is the name once', () => {
    expect(norm('Georgi Dimitrov (Георги Димитров)')[0]).toBe('georgi dimitrov');
  });
  it('links a master written in one script from a name in the other', () => {
    const masters = [
      { key: 'S', name: 'Аптека Сердика ООД' },
      { key: 'V', name: 'Аптека Витоша ЕООД' },
      { key: 'N', name: 'Apoteka Nada d.o.o.' },
    ];
    expect(linkOf(masters, 'Apteka Serdika OOD')).toBe('S');
    expect(linkOf(masters, 'Apteka Vitosha EOOD')).toBe('V');
    expect(linkOf(masters, 'Апотека Нада д.о.о.')).toBe('N');
  });
  it('two pharmacies of different names stay two in either script', () => {
    const masters = [
      { key: 'S', name: 'Аптека Сердика ООД' },
      { key: 'V', name: 'Аптека Витоша ЕООД' },
    ];
    expect(linkOf(masters, 'Apteka Mladost OOD')).toBeNull();
    expect(linkOf(masters, 'Аптека Младост ООД')).toBeNull();
  });
});
