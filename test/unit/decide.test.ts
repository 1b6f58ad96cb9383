import { describe, expect, it } from 'vitest';
import { applyHumanDecision, decideExact, formatRate, placeholderReason } from '../../src/plan/decide.js';

describe('decideExact', () => {
  it('links exactly one candidate', () => {
    expect(decideExact('ABC Corp', ['k1'], 1)).toMatchObject({ outcome: 'linked', targetKey: 'k1', method: 'exact', score: 1 });
  });
  it('never links more than one (no LIMIT 1)', () => {
    const d = decideExact('Twin', ['a', 'b'], 2);
    expect(d.outcome).toBe('ambiguous');
    expect(d.targetKey).toBeNull();
    expect(d.candidates.map((c) => c.key)).toEqual(['a', 'b']);
  });
  it('unmatched without candidates or without a name', () => {
    expect(decideExact('Nobody', [], 0).outcome).toBe('unmatched');
    expect(decideExact(null, [], 0)).toMatchObject({ outcome: 'unmatched', reason: 'no name' });
  });
  it('never links an empty or blank name, even to a master with the same blank name', () => {
    expect(decideExact('', ['k'], 1)).toMatchObject({ outcome: 'unmatched', targetKey: null, reason: 'blank name' });
    expect(decideExact(' \t', ['k'], 1)).toMatchObject({ outcome: 'unmatched', targetKey: null, reason: 'blank name' });
  });
});

describe('applyHumanDecision', () => {
  const machine = decideExact('Twin', ['a', 'b'], 2);
  it('alias to an active master links', () => {
    expect(applyHumanDecision({ action: 'alias', targetKey: 'a' }, machine, new Set(['a']))).toMatchObject({
      outcome: 'linked',
      targetKey: 'a',
      method: 'decision',
    });
  });
  it('alias to a master that is not active goes to review', () => {
    expect(applyHumanDecision({ action: 'alias', targetKey: 'z' }, machine, new Set())).toMatchObject({
      outcome: 'review',
      targetKey: null,
    });
  });
  it('never beats an exact match', () => {
    const exact = decideExact('ABC', ['k'], 1);
    expect(applyHumanDecision({ action: 'never', targetKey: null }, exact, null)).toMatchObject({ outcome: 'unmatched', targetKey: null });
  });
});

describe('formatRate', () => {
  it('formats like the seed', () => {
    expect(formatRate(7, 7)).toBe('100.0%');
    expect(formatRate(2, 9)).toBe('22.2%');
    expect(formatRate(1, 3)).toBe('33.3%');
    expect(formatRate(0, 2)).toBe('0.0%');
    expect(formatRate(0, 0)).toBe('100.0%');
  });
  it('says 100.0% only when none is left and 0.0% only when none is there', () => {
    expect(formatRate(249_997, 250_000)).toBe('99.9%');
    expect(formatRate(3, 250_000)).toBe('0.1%');
    expect(formatRate(250_000, 250_000)).toBe('100.0%');
    expect(formatRate(1_999, 2_000)).toBe('99.9%');
  });
});

describe('placeholderReason (master proposals are not approved for these)', () => {
  it('blank, symbols, placeholders in several languages, "unknown <party>"', () => {
    for (const n of [
      '',
      '   ',
      '???',
      '-',
      'N/A',
      'n/a',
      'TBD',
      'unknown',
      'Unknown Vendor',
      'unknown customers',
      'No Name Supplier',
      'Customer N/A',
      'Customer ???',
      'unbekannt',
      'k.A.',
      'inconnu',
      'desconocido',
      '0000',
      // numbered (a trial: "Misc Vendor" was held back, "Misc Vendor 26" approved)
      'Misc Vendor 26',
      'Petty cash 17',
      'Petty Cash',
      'Test #3',
      'Walk-in Customer',
      'unknown customer no. 4',
      // a new user's trial: "Unknown Buyer 0" … "Unknown Buyer 6" were approved and created as masters
      'Unknown Buyer 0',
      'Unknown Payee',
      'unnamed donor 12',
      'Patient unknown',
    ]) {
      expect(placeholderReason(n), n).not.toBeNull();
    }
  });
  it('real names, including ones that contain such words, stay names', () => {
    for (const n of [
      'Test Customer',
      'Test Vendor',
      'Kent Supplies',
      'Unknown Pleasures Records',
      'NC Tools',
      'ND Holdings',
      'Other World Computing',
      'Nil Sen GmbH',
      'ABC Corp',
      'Studio 54',
      'Cloud 9',
      'Formula 1 Group',
      'No Frills Buyer',
      'Member Choice Credit Union',
      'NA 1',
      'Cash America International',
    ]) {
      expect(placeholderReason(n), n).toBeNull();
    }
  });
});
