/** Synthetic company names of one scope for the throughput benchmarks (bench:match, bench:plan). */
import type { MasterRecord } from '../src/match/index.js';
import { mulberry32 } from './accuracy/dataset.js';

const SYL = [
  'ka',
  'lo',
  'mi',
  'ra',
  'ten',
  'vo',
  'zu',
  'bel',
  'cor',
  'dan',
  'el',
  'fin',
  'gar',
  'hol',
  'is',
  'jo',
  'kre',
  'lum',
  'mar',
  'nor',
  'os',
  'pra',
  'qui',
  'ros',
  'sil',
  'tor',
  'ul',
  'ver',
  'wes',
  'xan',
  'yor',
  'zen',
];
const GENERIC = [
  'Global',
  'Services',
  'Group',
  'Holdings',
  'International',
  'Systems',
  'Solutions',
  'Trading',
  'Industries',
  'Logistics',
  'Foods',
  'Partners',
];
const LEGAL = ['Inc.', 'Ltd', 'GmbH', 'Corp.', 'LLC', 'S.A.', 'AG', 'B.V.', 'PLC', 'Co.', ''];

/**
 * `nMasters` masters (keys M0…) and up to `nNames` distinct document names: 70 % noisy copies of a
 * master (upper case, a dropped letter, a dropped legal form), 30 % companies that are not masters.
 */
export function syntheticScope(nMasters: number, nNames: number, seed: number): { masters: MasterRecord[]; names: Set<string> } {
  const r = mulberry32(seed);

  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const word = (): string => {
    const n = 2 + Math.floor(r() * 2);
    let w = '';
    for (let i = 0; i < n; i++) w += pick(SYL);
    return w[0]!.toUpperCase() + w.slice(1);
  };
  const company = (): string => {
    const parts = [word()];
    if (r() < 0.6) parts.push(r() < 0.5 ? word() : pick(GENERIC));
    if (r() < 0.3) parts.push(pick(GENERIC));
    const lf = pick(LEGAL);
    return lf ? `${parts.join(' ')} ${lf}` : parts.join(' ');
  };
  const noisy = (s: string): string => {
    const x = r();
    if (x < 0.25) return s.toUpperCase();
    if (x < 0.5) {
      const p = 1 + Math.floor(r() * (s.length - 2));
      return s.slice(0, p) + s.slice(p + 1);
    }
    if (x < 0.65) return s.replace(/ (Inc\.|Ltd|GmbH|Corp\.|LLC|S\.A\.|AG|B\.V\.|PLC|Co\.)$/, '');
    return s;
  };

  const masters: MasterRecord[] = [];
  for (let i = 0; i < nMasters; i++) masters.push({ key: `M${i}`, name: company() });
  const names = new Set<string>();
  let guard = 0;
  while (names.size < nNames && guard++ < nNames * 10) {
    names.add(r() < 0.7 ? noisy(masters[Math.floor(r() * nMasters)]!.name) : company());
  }
  return { masters, names };
}
