import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';
import { normalizeName } from '../../src/match/index.js';
import { repairMojibake } from '../../src/match/mojibake.js';

describe('UTF-8 read as Windows-1252 or Latin-1', () => {
  it('is decoded again: CosteÃ±a, MÃ¼ller, SociÃ©tÃ©, Ã‰cole', () => {
    expect(repairMojibake('Conservas La CosteÃ±a SA de CV')).toBe('Conservas La Costeña SA de CV');
    expect(repairMojibake('SociÃ©tÃ© de la francophonie')).toBe('Société de la francophonie');
    expect(repairMojibake('Ã‰cole Saint-Jean')).toBe('École Saint-Jean');
    expect(normalizeName('MÃ¼ller GerÃ¼stbau GmbH').keys).toEqual(normalizeName('Müller Gerüstbau GmbH').keys);
    expect(linkOf([{ key: 'P', name: 'Postobón S.A.' }], 'PostobÃ³n S.A.')).toBe('P');
  });
  it('a name that only looks so, or whose bytes are no UTF-8, stays as written', () => {
    expect(repairMojibake('SÃO PAULO ALPARGATAS')).toBe('SÃO PAULO ALPARGATAS');
    expect(repairMojibake('Café Ñandú')).toBe('Café Ñandú');
    expect(repairMojibake('Ã± and € 5')).toBe('Ã± and € 5');
  });
  it('two firms whose names differ by a repaired letter stay two', () => {
    expect(linkOf([{ key: 'M', name: 'Müller Gerüstbau GmbH' }], 'MÃ¼ller Gerätebau GmbH')).toBeNull();
  });
});
