import { describe, expect, it } from 'vitest';
import { foldDigraphs, legalAgreement, normalizeName } from '../../src/match/index.js';

const key = (s: string): string => normalizeName(s).key;

describe('normalizeName', () => {
  it('keeps the original', () => {
    expect(normalizeName('  ABC Corp. ').original).toBe('  ABC Corp. ');
  });
  it('applies NFKC and case folding', () => {
    expect(key('ＡＢＣ Ｃｏｒｐ')).toBe('abc'); // full-width letters
    expect(key('ACME WIDGETS')).toBe(key('acme widgets'));
    expect(key('ﬁne foods')).toBe('fine foods'); // ligature
  });
  it('folds diacritics, with both ü->u and ü->ue accepted', () => {
    const m = normalizeName('Müller GmbH');
    expect(m.key).toBe('muller');
    expect(m.keys).toEqual(['muller', 'mueller']);
    expect(normalizeName('Mueller GmbH').keys).toContain('mueller');
    expect(normalizeName('Muller GmbH').keys).toContain('muller');
    expect(key('Société Générale')).toBe('societe generale');
    expect(key('Straße AG')).toBe('strasse');
    expect(key('Łódź Holding')).toBe('lodz holding');
  });
  it('removes punctuation and whitespace noise, merging dotted acronyms', () => {
    expect(key('A.B.C. Corp.')).toBe('abc');
    expect(key('  Acme   Widgets ')).toBe('acme widgets');
    expect(key('Akzo-Nobel, N.V.')).toBe('akzo nobel');
    expect(key("McDonald's")).toBe('mcdonalds');
    expect(key('*Test Customer')).toBe('test customer');
    expect(key('** ABC Corp')).toBe('abc');
  });
  it('treats & and + as "and"', () => {
    expect(key('Procter & Gamble')).toBe(key('Procter and Gamble'));
    expect(key('Johnson+Johnson')).toBe('johnson and johnson');
  });
  it('strips legal forms across countries and records the canonical form', () => {
    const cases: [string, string, string][] = [
      ['ABC Inc', 'abc', 'inc'],
      ['ABC Inc.', 'abc', 'inc'],
      ['ABC Incorporated', 'abc', 'inc'],
      ['ABC Corp', 'abc', 'corp'],
      ['ABC Corporation', 'abc', 'corp'],
      ['ABC Co', 'abc', 'co'],
      ['ABC Company', 'abc', 'co'],
      ['ABC Ltd', 'abc', 'ltd'],
      ['ABC Limited', 'abc', 'ltd'],
      ['ABC LLC', 'abc', 'llc'],
      ['ABC L.L.C.', 'abc', 'llc'],
      ['Müller GmbH', 'muller', 'gmbh'],
      ['Siemens AG', 'siemens', 'ag'],
      ['Akzo Nobel N.V.', 'akzo nobel', 'nv'],
      ['Akzo Nobel NV', 'akzo nobel', 'nv'],
      ['Foo B.V.', 'foo', 'bv'],
      ['Vitol S.A.', 'vitol', 'sa'],
      ['Foo SAS', 'foo', 'sas'],
      ['Foo PLC', 'foo', 'plc'],
      ['Foo Pty Ltd', 'foo', 'pty ltd'],
      // India's private limited company, written four ways, and Brazil's EIRELI and the ME / EPP marks after Ltda
      ['Cognizant Technology Solutions India Pvt Ltd', 'cognizant technology solutions india', 'pvt ltd'],
      ['Ingram Micro India Private Limited', 'ingram micro india', 'pvt ltd'],
      ['Zensar Pvt. Ltd.', 'zensar', 'pvt ltd'],
      ['Sundaram (P) Ltd', 'sundaram', 'pvt ltd'],
      ['Empório Sabiá Comércio de Alimentos Eireli', 'emporio sabia comercio de alimentos', 'eireli'],
      ['Lanchonete Ki-Delícia Ltda ME', 'lanchonete ki delicia', 'ltda'],
      ['Padaria Nova Aurora Ltda. EPP', 'padaria nova aurora', 'ltda'],
      // written in full in Polish, Czech, Hungarian; France's EURL, Belgium's SPRL
      ['PKP Cargo Spółka Akcyjna', 'pkp cargo', 'sa'],
      ['Moravia Steel akciová společnost', 'moravia steel', 'as'],
      ['KOVACS ES TARSA KORLATOLT FELELOSSEGU TARSASAG', 'kovacs es tarsa', 'kft'],
      ['Nagy László egyéni vállalkozó', 'nagy laszlo', 'ev'],
      ['Fournil des Pentes EURL', 'fournil des pentes', 'eurl'],
      ['Brasserie Dubuisson Frères SPRL', 'brasserie dubuisson freres', 'sprl'],
      ['Costa Crociere S.p.A.', 'costa crociere', 'spa'],
      ['Transgourmet Polska Sp. z o.o.', 'transgourmet polska', 'sp zoo'],
      ['Foo KK', 'foo', 'kk'],
      ['Volvo AB', 'volvo', 'ab'],
      ['Foo AS', 'foo', 'as'],
      ['Nokia Oy', 'nokia', 'oy'],
      ['ESPN, Inc.', 'espn', 'inc'],
      ['Foo Co., Ltd.', 'foo', 'co ltd'],
      ['Foo GmbH & Co. KG', 'foo', 'gmbh co kg'],
      // long forms stand for the short ones
      ['Lindqvist Verktyg Aktiebolag', 'lindqvist verktyg', 'ab'],
      ['Aktiebolaget Volvo Penta', 'volvo penta', 'ab'],
      ['Lego Aktieselskab', 'lego', 'as'],
      ['Suomen Höyrylaiva Osakeyhtiö', 'suomen hoyrylaiva', 'oy'],
      ['Pobeda Airlines Limited Liability Company', 'pobeda airlines', 'llc'],
      ['Telefonica Sociedad Anonima', 'telefonica', 'sa'],
    ];
    for (const [name, k, lf] of cases) {
      const n = normalizeName(name);
      expect([name, n.key, n.legalForm]).toEqual([name, k, lf]);
    }
  });
  it('recognises common legal-form typos only as a trailing word', () => {
    expect(normalizeName('Acme Copr').legalForm).toBe('corp');
    expect(key('Acme Copr')).toBe('acme');
    expect(key('Golden Corn')).toBe('golden corn');
    // GmbH mistyped by one letter or two swapped; a long form by one edit
    for (const n of ['Braun Druck GmbG', 'Braun Druck GmhH', 'Braun Druck GbmH']) expect(normalizeName(n).legalForm).toBe('gmbh');
    expect(normalizeName('Lindqvist Verktyg Aktiebolg').legalForm).toBe('ab');
  });
  it('never strips a legal form that is the whole name', () => {
    expect(key('Inc')).toBe('inc');
    expect(key('Limited')).toBe('limited');
  });
  it('reorders "Lastname, Firstname"', () => {
    expect(key('Smith, John')).toBe('john smith');
    expect(key('John Smith')).toBe('john smith');
    expect(normalizeName('Smith, John').rules).toContain('name-order');
    expect(key('ESPN, Inc.')).toBe('espn'); // a legal form after a comma is not a first name
    // a couple's given names after the comma, as a donor list writes them
    expect(key('Smith, John & Mary')).toBe(key('John & Mary Smith'));
    expect(key('HARTMANN, RONALD & LINDA')).toBe('ronald and linda hartmann');
    // not a firm's words: with or without its legal form, one key
    expect(key('Oaks Hotels, Resorts & Suites')).toBe(key('Oaks Hotels, Resorts & Suites B.V.'));
  });
  it('drops a leading honorific before two more words, never before one', () => {
    expect(['Mr. Ian Thomas', 'Prof. C. Martin', 'Frau Anna Weiß', 'Sra. María López'].map(key)).toEqual([
      'ian thomas',
      'c martin',
      'anna weiss',
      'maria lopez',
    ]);
    expect(normalizeName('Dr T. Kaminski').rules).toContain('honorific');
    expect(['Dr. Oetker', 'Mrs Smith', 'Ian Mr Thomas'].map(key)).toEqual(['dr oetker', 'mrs smith', 'ian mr thomas']);
  });
  it('drops a leading "The" and leading noise', () => {
    expect(key('The Warburg Institute')).toBe('warburg institute');
    expect(key('# The Acme Company')).toBe('acme');
  });
  it('drops a trailing city after a comma, keeping the qualified key; never a parenthesised place', () => {
    const n = normalizeName('Acme Corp, London');
    expect(n.key).toBe('acme');
    expect(n.qualifiedKey).toBe('acme london');
    expect(key('New York Times Company, New York')).toBe('new york times');
    expect(key('Novartis (Mexico)')).toBe('novartis mexico');
  });
  it('legal form is a signal, not part of the key', () => {
    expect(key('Foo GmbH')).toBe(key('Foo AG'));
    expect(legalAgreement('gmbh', 'gmbh')).toBe('agree');
    expect(legalAgreement('inc', 'corp')).toBe('compatible');
    expect(legalAgreement('inc', 'gmbh')).toBe('disagree');
    expect(legalAgreement(null, 'gmbh')).toBe('missing');
  });
  it('is deterministic', () => {
    expect(normalizeName('Akzo-Nobel, N.V.')).toEqual(normalizeName('Akzo-Nobel, N.V.'));
  });
});

describe('foldDigraphs', () => {
  it('folds ae, oe and ue as the three replacements in a row would, on every string over a, e, o, u, x', () => {
    const byThree = (t: string): string => t.replace(/ae/g, 'a').replace(/oe/g, 'o').replace(/ue/g, 'u');
    const letters = ['a', 'e', 'o', 'u', 'x'];
    let words = [''];
    for (let len = 1; len <= 6; len++) {
      words = words.flatMap((w) => letters.map((c) => w + c));
      for (const w of words) expect(foldDigraphs(w), w).toBe(byThree(w));
    }
    expect(foldDigraphs('mueller')).toBe('muller');
    expect(foldDigraphs('goethe')).toBe('gothe');
  });
});
