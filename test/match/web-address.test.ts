import { describe, expect, it } from 'vitest';
import { normalizeName } from '../../src/match/index.js';
import { linkOf } from '../helpers/match.js';

/** A firm named by its web address is named by the address's word (web-address.ts): Moonpig / Moonpig.com Limited. */
describe('a name written as its web address', () => {
  it('reads the address as its word', () => {
    expect(normalizeName('Moonpig.com Limited').tokens).toEqual(['moonpig']);
    expect(normalizeName('www.trainline.co.uk').tokens).toEqual(['trainline']);
    expect(normalizeName('Jet2.com Limited').tokens).toEqual(['jet2']);
    expect(normalizeName('AMAZON.COM*AB12CD').tokens).toEqual(['amazon', 'ab12cd']);
  });
  it('leaves a com written as a word, a country ending and initials', () => {
    expect(normalizeName('Foo Com Ltd').tokens).toEqual(['foo', 'com']);
    expect(normalizeName('Zalando.de SE').tokens).toEqual(['zalando', 'de']);
    expect(normalizeName('E.ON.com').tokens).toEqual(['e', 'on', 'com']);
  });
  it('links the brand and the address to the same master', () => {
    const masters = [
      { key: 'M', name: 'Moonpig.com Limited' },
      { key: 'J', name: 'Jet2.com Limited' },
      { key: 'T', name: 'Trainline.com Limited' },
      { key: 'S', name: 'Screwfix Direct Limited' },
    ];
    for (const [name, key] of [
      ['Moonpig', 'M'],
      ['JET2', 'J'],
      ['Trainline Ltd', 'T'],
      ['www.screwfix.com', null],
    ] as const)
      expect([name, linkOf(masters, name)]).toEqual([name, key]);
  });
  it('still links the address written without its dot or run together', () => {
    const masters = [
      { key: 'B', name: 'Booking.com B.V.' },
      { key: 'T', name: 'Trip.com Travel Singapore Pte. Ltd.' },
      { key: 'S', name: 'Salesforce, Inc.' },
    ];
    for (const [name, key] of [
      ['Booking com', 'B'],
      ['Bookingcom B.V.', 'B'],
      ['TRIP COM TRAVEL SINGAPORE', 'T'],
      ['salesforce.com, inc.', 'S'],
    ] as const)
      expect([name, linkOf(masters, name)]).toEqual([name, key]);
  });
});
