import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/index.js';

describe('a country after a firm’s full name and legal form', () => {
  it('names the national company: kept as words of the name', () => {
    expect(normalizeName('Formosa Plastics Corporation, U.S.A.').key).toContain('usa');
    expect(linkOf([{ key: 'F', name: 'Formosa Plastics Corporation' }], 'Formosa Plastics Corporation, U.S.A.')).toBeNull();
  });
  it('a city there is still a site, and a country after a name without a legal form is still dropped', () => {
    expect(normalizeName('Acme Inc., London').key).toBe('acme');
    expect(normalizeName('Acme, USA').key).toBe('acme');
    expect(linkOf([{ key: 'F', name: 'Formosa Plastics Corporation' }], 'Formosa Plastics Corporation, Houston')).toBe('F');
  });
});
