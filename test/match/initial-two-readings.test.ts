import { describe, expect, it } from 'vitest';
import { linkOf } from '../helpers/match.js';

describe('an initial that reads the given names of several masters', () => {
  it('links none of them (a blind trial: "G. Bouchard" beside three Bouchards whose given names start with G)', () => {
    const bouchards = [
      { key: 'GN', name: 'Bouchard, Ghislaine' },
      { key: 'GL', name: 'Bouchard, Ghislain' },
      { key: 'GS', name: 'Bouchard, Gilles' },
      { key: 'D', name: 'Bouchard, Denis' },
    ];
    expect(linkOf(bouchards, 'G. Bouchard')).toBeNull();
  });
  it('nor when the other reading has a second given name ("QUISPE MAMANI J.": Juana, Juan Carlos, Juan José)', () => {
    const quispes = [
      { key: 'JA', name: 'Quispe Mamani, Juana' },
      { key: 'JC', name: 'Quispe Mamani, Juan Carlos' },
      { key: 'JJ', name: 'Quispe Mamani, Juan José' },
      { key: 'R', name: 'Quispe Huamán, Rosa' },
    ];
    expect(linkOf(quispes, 'QUISPE MAMANI J.')).toBeNull();
  });
  it('still links the one master the initial reads', () => {
    const one = [
      { key: 'GN', name: 'Bouchard, Ghislaine' },
      { key: 'D', name: 'Bouchard, Denis' },
      { key: 'J', name: 'Quispe Mamani, Juana' },
      { key: 'R', name: 'Quispe Mamani, Rosa' },
    ];
    expect(linkOf(one, 'QUISPE MAMANI J.')).toBe('J');
    // the same word read in both masters is no second reading: "B." is bin in both, the name has no Faizal
    const ismails = [
      { key: 'H', name: 'Haji Ahmad bin Ismail' },
      { key: 'F', name: 'Ahmad Faizal bin Ismail' },
    ];
    expect(linkOf(ismails, 'HJ AHMAD B. ISMAIL')).toBe('H');
    expect(linkOf(ismails, 'AHMAD FAIZAL B ISMAIL')).toBe('F');
  });
});
