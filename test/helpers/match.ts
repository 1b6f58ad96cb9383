/**
 * How the matcher tests ask one question: the masters given, beside a few unrelated ones (so a scope is never
 * trivially small), decided with the shipped fuzzy defaults.
 */
import { createMatcher, DEFAULT_MATCH_OPTIONS, type MasterRecord } from '../../src/match/index.js';

/** Unrelated masters every question is asked beside (a test that builds its own matcher adds them too). */
export const FILLER: MasterRecord[] = [
  'Acme Tools Ltd',
  'Northwind Traders',
  'Contoso Pharmaceuticals',
  'Fabrikam Inc.',
  'Tailspin Toys',
].map((name, i) => ({ key: `F${i}`, name }));

/** The decision on `name` among `masters` and the filler masters. */
export const decide = (masters: MasterRecord[], name: string) =>
  createMatcher([...masters, ...FILLER], [], DEFAULT_MATCH_OPTIONS.fuzzy).match(name);

/** The key `name` is linked to, or null when it is not linked. */
export const linkOf = (masters: MasterRecord[], name: string): string | null => {
  const d = decide(masters, name);
  return d.outcome === 'linked' ? d.targetKey : null;
};
