import { describe, expect, it } from 'vitest';
import { isKnownName, twoNames } from '../../src/match/names.js';
import { nameWords } from '../../src/match/normalize.js';

describe('known person names (faker locales, chance)', () => {
  it('given names and surnames of several languages, tokenised as the matcher tokenises names', () => {
    expect(['paula', 'paul', 'erica', 'soren', 'muller', 'garcia', 'tanner', 'oneill'].map(isKnownName)).toEqual(Array(8).fill(true));
    expect(['thoma', 'gmbh', 'acme', 'robsn'].map(isKnownName)).toEqual([false, false, false, false]);
    expect(nameWords('O’Neill-García Jürgen')).toEqual(['oneill', 'garcia', 'jurgen']);
  });
  it('two different known names are two names; a clipped form, a doubled letter or an inner variant is the same name; a word that is no name is neither', () => {
    expect(twoNames('paula', 'paul')).toBe(true);
    expect(twoNames('danielle', 'daniel')).toBe(true); // a name's ending, not a clipped form
    expect(twoNames('tanner', 'turner')).toBe(true);
    expect([twoNames('ball', 'bell'), twoNames('barker', 'baker'), twoNames('walters', 'walker')]).toEqual([true, true, true]); // chance's English surnames
    expect(twoNames('doug', 'douglas')).toBe(false);
    expect(twoNames('alex', 'alexander')).toBe(false);
    expect(twoNames('maxmilian', 'maximilian')).toBe(false); // one inner letter of a long name: a spelling
    expect(twoNames('christian', 'christina')).toBe(true);
    expect([twoNames('conor', 'connor'), twoNames('phillip', 'philip'), twoNames('ball', 'bal')]).toEqual([false, false, false]);
    expect(twoNames('paul', 'paul')).toBe(false);
    expect(twoNames('robsn', 'robson')).toBe(false);
  });
});
