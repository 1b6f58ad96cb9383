import { describe, expect, it } from 'vitest';
import { decide, linkOf } from '../helpers/match.js';
import { MATCH_TUNING } from '../../src/match/index.js';

describe('a master that closes on a place in brackets, the name without it', () => {
  it('is review only: the firm or its parent as much as that national company or site', () => {
    const d = decide([{ key: 'N', name: 'Anheuser-Busch InBev (New York)' }], 'Anheuser-Busch InBev');
    expect(d.outcome).not.toBe('linked');
    expect(d.candidates[0]?.key).toBe('N');
    expect(d.candidates[0]!.score).toBeLessThanOrEqual(MATCH_TUNING.droppedWordCap);
    expect(d.candidates[0]?.signals['droppedWord']).toBe('new york');
  });
  it('the name with the place, or a bracketed word that is no place, links as before', () => {
    expect(linkOf([{ key: 'N', name: 'Novartis (Mexico)' }], 'Novartis Mexico')).toBe('N');
    expect(linkOf([{ key: 'G', name: 'Acme Widgets (Holdings) Ltd' }], 'Acme Widgets (Holdings) Ltd.')).toBe('G');
  });
});
