import { describe, expect, it } from 'vitest';
import { csvSafe, csvUnsafe } from '../../../src/review/csv.js';

describe('review CSV: formula-safe names', () => {
  it('every name survives export and import unchanged; formulas are never a cell a spreadsheet runs', () => {
    const names = [
      '=Equals GmbH',
      "'=Already quoted GmbH",
      "''=Twice",
      "'t Hooft Bouw",
      '+49 Telecom',
      '-Minus AG',
      '@Home',
      '\tTab',
      'Plain Ltd',
      "'",
    ];
    for (const n of names) {
      expect(csvUnsafe(csvSafe(n)), n).toBe(n);
      expect(csvSafe(n), n).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(csvSafe("'t Hooft Bouw")).toBe("'t Hooft Bouw");
    expect(csvSafe("'=Already quoted GmbH")).toBe("''=Already quoted GmbH");
  });
});
