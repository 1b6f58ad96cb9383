import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_MATCH_OPTIONS, type MasterRecord } from '../../src/match/index.js';

/**
 * A name whose words one master alone holds though some of them are other masters' words too: one of its words is that
 * master's only, a brand (sole-holder.ts soleBrandWord).
 */
const fuzzy = DEFAULT_MATCH_OPTIONS.fuzzy;
const filler: MasterRecord[] = [
  'Northwind Traders Ltd',
  'Contoso Pharmaceuticals Inc.',
  'Fabrikam Logistics LLC',
  'Tailspin Toys GmbH',
  'Litware Books Ltd',
  'Harbor Freight Lines Inc.',
  'Summit Express Freight LLC',
].map((name, i) => ({ key: `f${i}`, name }));
const match = (masters: MasterRecord[], name: string) => createMatcher([...masters, ...filler], [], fuzzy).match(name);

describe("a name whose brand word is one master's only, beside masters sharing its other words", () => {
  it('links "Estes Express" to Estes Express Lines beside another master with "Express"', () => {
    const d = match([{ key: 'ee', name: 'Estes Express Lines' }], 'Estes Express');
    expect(d.outcome).toBe('linked');
    expect(d.targetKey).toBe('ee');
    expect(d.candidates[0]!.signals['containment']).toBe('sole-holder');
  });
  it('does not join two firms: a word left out between the kept ones, or a master going on with "&"', () => {
    const uni = match(
      [
        { key: 'osu', name: 'The Ohio State University' },
        { key: 'pu', name: 'Purdue University' },
      ],
      'Ohio University',
    );
    expect(uni.outcome).not.toBe('linked');
    const amp = match(
      [
        { key: 'cs', name: 'Clearwater Scaffold & Insulation Inc.' },
        { key: 'sc', name: 'Scaffold Hire Ltd' },
      ],
      'Clearwater Scaffold',
    );
    expect(amp.outcome).not.toBe('linked');
  });
  it('does not link when the brand word is in another master too (Estes Express Lines and Estes Logistics LLC)', () => {
    const d = match(
      [
        { key: 'ee', name: 'Estes Express Lines' },
        { key: 'el', name: 'Estes Logistics LLC' },
      ],
      'Estes Express',
    );
    expect(d.outcome).not.toBe('linked');
  });
});
