/**
 * The words normalisation and scoring know: legal forms (their spellings, families and common
 * misspellings), countries, places and cities, and generic business words.
 */
import { LEADING_SPELLINGS, LEGAL_SPELLINGS } from './legal-spellings.js';

/** Legal forms: spelling (tokens after normalisation, joined by space) -> canonical form. */
// Word lists below keep several entries per line, grouped by meaning (prettier-ignore).
// prettier-ignore
export const LEGAL_FORMS: Record<string, string> = {
  inc: 'inc', incorporated: 'inc', incorp: 'inc',
  corp: 'corp', corporation: 'corp', corpn: 'corp', corporated: 'corp',
  co: 'co', company: 'co', cos: 'co', companies: 'co',
  ltd: 'ltd', limited: 'ltd', ltda: 'ltda', lda: 'ltda',
  llc: 'llc', llp: 'llp', lp: 'lp', lllp: 'lllp', pllc: 'pllc', pc: 'pc', ulc: 'ulc', 'unlimited liability corporation': 'ulc',
  plc: 'plc', 'public limited company': 'plc', 'public ltd co': 'plc',
  gmbh: 'gmbh', mbh: 'gmbh', 'gesellschaft mit beschrankter haftung': 'gmbh', ggmbh: 'gmbh',
  ag: 'ag', aktiengesellschaft: 'ag', kg: 'kg', kgaa: 'kgaa', ohg: 'ohg', se: 'se', ug: 'ug', eg: 'eg', ev: 'ev',
  'gmbh and co kg': 'gmbh co kg', 'gmbh co kg': 'gmbh co kg', 'ag and co kg': 'ag co kg', 'ag co kg': 'ag co kg',
  nv: 'nv', 'naamloze vennootschap': 'nv', bv: 'bv', 'besloten vennootschap': 'bv', bvba: 'bvba', vof: 'vof', cv: 'cv',
  sa: 'sa', 'societe anonyme': 'sa', sas: 'sas', sasu: 'sasu', sarl: 'sarl', sca: 'sca', snc: 'snc', scs: 'scs',
  'sa de cv': 'sa de cv', 'sab de cv': 'sab de cv', 'sapi de cv': 'sapi de cv', 's de rl de cv': 's de rl de cv',
  spa: 'spa', 'societa per azioni': 'spa', srl: 'srl', sapa: 'sapa', scarl: 'scarl', sl: 'sl', slu: 'slu',
  'sp zoo': 'sp zoo', spzoo: 'sp zoo', 'spolka z ograniczona odpowiedzialnoscia': 'sp zoo', 'sp j': 'sp j', 'sp k': 'sp k',
  pty: 'pty', 'pty ltd': 'pty ltd', 'proprietary limited': 'pty ltd', pl: 'pty ltd', 'p l': 'pty ltd', 'pte ltd': 'pte ltd', pte: 'pte',
  // India and its neighbours; Brazil's one-owner company and the small-business marks written after Ltda
  'pvt ltd': 'pvt ltd', 'private limited': 'pvt ltd', 'pvt limited': 'pvt ltd', 'private ltd': 'pvt ltd', 'p ltd': 'pvt ltd',
  eireli: 'eireli', 'eireli me': 'eireli', 'eireli epp': 'eireli', 'ltda me': 'ltda', 'ltda epp': 'ltda',
  // France's one-person SARL, Belgium's SPRL (now SRL); Polish, Czech and Hungarian forms written in full
  eurl: 'eurl', sprl: 'sprl', 'spolka akcyjna': 'sa', 'akciova spolecnost': 'as', 'spolecnost s rucenim omezenym': 'sro',
  'korlatolt felelossegu tarsasag': 'kft', 'zartkoruen mukodo reszvenytarsasag': 'zrt', 'nyilvanosan mukodo reszvenytarsasag': 'nyrt',
  'egyeni vallalkozo': 'ev',
  'sdn bhd': 'sdn bhd', bhd: 'bhd', berhad: 'bhd', tbk: 'tbk',
  kk: 'kk', 'kabushiki kaisha': 'kk', kabushikigaisha: 'kk', 'kabushiki gaisha': 'kk', gk: 'gk', yk: 'yk',
  'co ltd': 'co ltd', 'co inc': 'co inc', 'corp ltd': 'corp ltd',
  ab: 'ab', abp: 'abp', 'ab publ': 'ab', as: 'as', asa: 'asa', aps: 'aps', oy: 'oy', oyj: 'oyj', hf: 'hf', ehf: 'ehf', tmi: 'tmi',
  sro: 'sro', 'spol sro': 'sro', 'spol s ro': 'sro', ks: 'ks', doo: 'doo', dd: 'dd', ad: 'ad', ood: 'ood', eood: 'eood',
  kft: 'kft', zrt: 'zrt', nyrt: 'nyrt', rt: 'rt',
  jsc: 'jsc', pjsc: 'pjsc', ojsc: 'ojsc', cjsc: 'cjsc', oao: 'oao', ooo: 'ooo', zao: 'zao', pao: 'pao',
  'anonim sirketi': 'as', toiminimi: 'tmi',
  // the long forms the short ones stand for ("Lindqvist Verktyg Aktiebolag" is "… AB")
  aktiebolag: 'ab', aktiebolaget: 'ab', aktieselskab: 'as', aktieselskabet: 'as', aksjeselskap: 'as', allmennaksjeselskap: 'asa',
  anpartsselskab: 'aps', osakeyhtio: 'oy', 'julkinen osakeyhtio': 'oyj', kommanditgesellschaft: 'kg', 'offene handelsgesellschaft': 'ohg',
  'limited liability company': 'llc', 'limited partnership': 'lp', 'limited liability partnership': 'llp',
  'sociedad anonima': 'sa', 'sociedade anonima': 'sa', 'sociedad limitada': 'sl', 'societe a responsabilite limitee': 'sarl',
  'societe par actions simplifiee': 'sas', 'societa a responsabilita limitata': 'srl',
  // abbreviations of forms above as ledgers write them: Malaysia's S/B, India's (P) Ltd, Thailand's PCL, a JSC or a
  // limited partnership written out, the UAE's free-zone forms, Austria's OG, Italy's sports associations (A.S.D.,
  // S.S.D. a r.l.) and France's farming companies (SCEA, SCEV, GAEC); these last, a PCL, an A.S.D., an S.S.D. have no
  // family (LEGAL_FAMILY): each is a kind of body of its own, "SCEA Château X" is not "Château X SAS"
  sb: 'sdn bhd', 'p limited': 'pvt ltd', pcl: 'pcl', 'public company limited': 'pcl', 'public company ltd': 'pcl', 'public co ltd': 'pcl',
  'public co': 'pcl',
  'joint stock company': 'jsc', 'joint stock co': 'jsc', 'ltd partnership': 'lp', 'fz llc': 'fz llc', fze: 'fze', fzco: 'fzco',
  // in other scripts and languages: Russian and Kazakh forms in Cyrillic, Azerbaijan's MMC and Uzbekistan's MChJ (an
  // LLC), Japan's 株式会社 / 合同会社 / 有限会社
  ооо: 'ooo', оао: 'oao', зао: 'zao', пао: 'pao', ао: 'jsc', тоо: 'llp', mmc: 'llc', mchj: 'llc',
  株式会社: 'kk', 合同会社: 'gk', 有限会社: 'yk',
  og: 'og', asd: 'asd', ssd: 'ssd', arl: 'srl', 'a rl': 'srl', scea: 'scea', scev: 'scev', gaec: 'gaec',
  // the Baltic LLCs (Latvia's SIA, Lithuania's UAB) and Ukraine's TOV, which their ledgers write first or last
  sia: 'sia', uab: 'uab', tov: 'tov', тов: 'tov', aktsiaselts: 'as',
  // the Balkan forms in Cyrillic (read before the name is transliterated: cyrillic.ts), Ukraine's private JSC and
  // sole trader (ПрАТ, ФОП)
  оод: 'ood', еоод: 'eood', ад: 'ad', доо: 'doo', прат: 'prat', prat: 'prat', фоп: 'fop', fop: 'fop',
  // a German merchant's e.K., Austria's Ges.m.b.H., Ltda written out, a Norwegian sole trader's ENK,
  // Egypt's S.A.E.
  ek: 'ek', 'ges mbh': 'gmbh', gesmbh: 'gmbh', limitada: 'ltda', enk: 'enk', sae: 'sa',
  // Ireland's Teoranta (Teo.) and DAC, a ring-fenced South African company, its Afrikaans (Edms.) Bpk.,
  // Turkey's Ltd. Şti. (Şirketi alone too: "BYD Turkey Otomotiv Şirketi")
  teoranta: 'ltd', teo: 'ltd', dac: 'dac', 'unlimited company': 'ulc', 'rf pty ltd': 'pty ltd',
  'pty ltd rf': 'pty ltd', 'edms bpk': 'pty ltd', 'proprietary ltd': 'pty ltd', 'ltd sti': 'ltd sti', 'limited sirketi': 'ltd sti',
  sirketi: 'ltd sti',
  // Mexico's forms without their "de C.V." (variable capital), as clerks and imports cut them: S.A.B., S.A.P.I., S. de R.L.
  sab: 'sab de cv', sapi: 'sapi de cv', 's de rl': 's de rl de cv', ...LEGAL_SPELLINGS,
};

/**
 * Legal forms also recognised at the start of a name, where their countries' ledgers write them ("PT Telkom", "OOO
 * Gazprom", "SIA Latgales Graudi", "UAB Kauno grūdai", "CV Maju Bersama", "UD Sinar Harapan", Estonia's "AS Tallinna
 * Jahuveski", Finland's "Oy Karl Fazer Ab", "Kabushiki Kaisha Toshiba"), and as a comma segment of their own after the
 * name ("Sinar Jaya Abadi, PT"). Not Sweden's AB (initials as often: "AB Mauri"); the two-letter ones only as a word written so (normalize.ts).
 */
// prettier-ignore
export const LEADING_LEGAL = new Set([
  'pt', 'ooo', 'oao', 'zao', 'pao', 'pjsc', 'ojsc', 'jsc', 'cjsc', 'aktiebolaget',
  'ооо', 'оао', 'зао', 'пао', 'ао', 'тоо', '株式会社', 'asd', 'ssd', 'scea', 'scev', 'gaec',
  'sia', 'uab', 'tov', 'тов', 'cv', 'ud', 'as', 'oy', 'kabushiki kaisha', 'ет', 'et', 'прат', 'prat', 'фоп', 'fop', ...LEADING_SPELLINGS,
]);
export const LEADING_LEGAL_CANON: Record<string, string> = { pt: 'pt', ud: 'ud', ет: 'et', et: 'et' };

/** Rough legal-form families: within a family two forms are "compatible" (Inc vs Corp), across families "disagree". */
// prettier-ignore
const LEGAL_FAMILY: Record<string, string> = {
  inc: 'us', corp: 'us', co: 'us', ulc: 'us', llc: 'us', llp: 'us', lp: 'us', lllp: 'us', pllc: 'us', pc: 'us', 'co inc': 'us',
  ltd: 'uk', plc: 'uk', 'co ltd': 'asia', 'corp ltd': 'asia', kk: 'asia', gk: 'asia', yk: 'asia',
  pty: 'au', 'pty ltd': 'au', 'pte ltd': 'sg', pte: 'sg', 'pvt ltd': 'uk', 'sdn bhd': 'my', bhd: 'my', tbk: 'id', pt: 'id',
  gmbh: 'de', ag: 'de', kg: 'de', kgaa: 'de', ohg: 'de', se: 'de', ug: 'de', eg: 'de', ev: 'de', 'gmbh co kg': 'de', 'ag co kg': 'de',
  nv: 'nl', bv: 'nl', bvba: 'nl', vof: 'nl', cv: 'nl',
  sa: 'romance', sas: 'romance', sasu: 'romance', sarl: 'romance', sca: 'romance', snc: 'romance', scs: 'romance',
  spa: 'romance', srl: 'romance', sapa: 'romance', scarl: 'romance', sl: 'romance', slu: 'romance', ltda: 'romance', eireli: 'romance', eurl: 'romance', sprl: 'romance',
  'sa de cv': 'romance', 'sab de cv': 'romance', 'sapi de cv': 'romance', 's de rl de cv': 'romance',
  'sp zoo': 'pl', 'sp j': 'pl', 'sp k': 'pl',
  // one country each: a Swedish AB and a Danish A/S of one name are two companies ("DSV Road AB" / DSV Road A/S)
  ab: 'se', abp: 'se', as: 'dk-no', asa: 'dk-no', aps: 'dk-no', oy: 'fi', oyj: 'fi', tmi: 'fi', hf: 'is', ehf: 'is',
  sro: 'cee', ks: 'cee', doo: 'cee', dd: 'cee', ad: 'cee', ood: 'cee', eood: 'cee', kft: 'cee', zrt: 'cee', nyrt: 'cee', rt: 'cee',
  'fz llc': 'gulf', fze: 'gulf', fzco: 'gulf', og: 'de',
  jsc: 'ru', pjsc: 'ru', ojsc: 'ru', cjsc: 'ru', oao: 'ru', ooo: 'ru', zao: 'ru', pao: 'ru',
  sia: 'lv', uab: 'lt', tov: 'ua', ud: 'id', ek: 'de', enk: 'dk-no', dac: 'uk',
  'ltd sti': 'tr',
};

/** Common misspellings of long legal words (adjacent transpositions; deletions for 7+ letters): "Acme Copr". */
const LEGAL_TYPOS: Map<string, string> = (() => {
  const m = new Map<string, string>();
  for (const word of ['corp', 'gmbh', 'corporation', 'incorporated', 'limited', 'company']) {
    const canon = LEGAL_FORMS[word]!;
    // GmbH mistyped by one letter ("GmbG", "GmhH"): no such spelling is a word of a name
    if (word === 'gmbh')
      for (let i = 0; i < word.length; i++)
        for (const c of 'abcdefghijklmnopqrstuvwxyz') {
          const t: string = word.slice(0, i) + c + word.slice(i + 1);
          if (t !== word && !(t in LEGAL_FORMS)) m.set(t, canon);
        }
    for (let i = 0; i + 1 < word.length; i++) {
      const t = word.slice(0, i) + word[i + 1]! + word[i]! + word.slice(i + 2);
      if (t !== word && !(t in LEGAL_FORMS)) m.set(t, canon);
    }
    if (word.length >= 7) {
      for (let i = 1; i < word.length; i++) {
        const t = word.slice(0, i) + word.slice(i + 1);
        if (!(t in LEGAL_FORMS)) m.set(t, canon);
      }
    }
  }
  return m;
})();

export const MAX_LEGAL_WORDS = 6;

/** Short function words an initialism skips ("Royal Society for the Prevention of Cruelty to Animals" → RSPCA). */
// prettier-ignore
export const FUNCTION_WORDS = new Set([
  'of', 'the', 'and', 'for', 'to', 'in', 'at', 'on', 'a', 'an', 'de', 'del', 'della', 'di', 'du', 'des', 'la', 'le',
  'les', 'el', 'los', 'las', 'y', 'e', 'et', 'der', 'die', 'das', 'und', 'fur', 'van', 'von', 'voor', 'en', 'och', 'og',
]);

/**
 * Honorifics a document puts before a person's name ("Mr. Ian Thomas", "Dr T. Kaminski", "Frau Anna Weiß", "Sra.
 * María López"): how a letter addresses someone, not part of the name. Only leading, and only before two more words.
 */
// prettier-ignore
export const HONORIFICS = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'rev', 'herr', 'frau', 'mme', 'mlle', 'sr', 'sra', 'srta', 'dott',
  // West African and Muslim honorifics of a person who went on the hajj, and a teacher's; a European noble's
  'alhaji', 'alhaja', 'hajiya', 'hajia', 'haji', 'hj', 'mallam', 'comte', 'comtesse', 'graf', 'grafin',
]);

/**
 * Degrees and professional letters written after a person's name ("Anne Leclerc, DDS", "John Miller MD", "R. Shah
 * Esq."): how a practice or a letter titles someone, not part of the name. Only trailing, and only after two words.
 */
// prettier-ignore
export const POST_NOMINALS = new Set([
  'md', 'do', 'dds', 'dmd', 'dvm', 'vmd', 'phd', 'esq', 'cpa', 'rn', 'np', 'mba', 'facs', 'pharmd', 'rph', 'lpn', 'od', 'dpm',
  // British and Commonwealth honours and an engineer's licence ("Margaret Fairweather OBE", "Jason MacDonald P.Eng.")
  'obe', 'mbe', 'cbe', 'kbe', 'dbe', 'peng', 'qc', 'kc',
]);

/** Long legal words whose one-edit misspellings are still legal forms ("Corpporation", "Limted"). */
const LONG_LEGAL = ['corporation', 'incorporated', 'limited', 'company', 'companies', 'aktiengesellschaft', 'aktiebolag', 'osakeyhtio'];

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // transposition
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Canonical legal form of a misspelt legal word, or null. */
export function legalTypo(t: string): string | null {
  const known = LEGAL_TYPOS.get(t);
  if (known !== undefined) return known;
  if (t.length < 6 || !/^\p{L}+$/u.test(t)) return null;
  for (const w of LONG_LEGAL) if (editDistanceAtMostOne(t, w)) return LEGAL_FORMS[w]!;
  return null;
}

/**
 * Words that make a name another body than the firm or person it is named after: its foundation, trust, fund or
 * charity ("Royal Bank of Canada Foundation" is not Royal Bank of Canada).
 */
export const ENTITY_WORDS = new Set([
  'foundation',
  'stiftung',
  'fondation',
  'fundacion',
  'fundacao',
  'fondazione',
  'stichting',
  'fundacja',
  'nadace',
  'trust',
  'fund',
  'charity',
  'charitable',
  'endowment',
]);

/** Words that tell a father from a son of the same name, or one fund or vessel of a series from another. */
export const GENERATIONS = new Set(['jr', 'sr', 'junior', 'senior', 'ii', 'iii', 'iv']);

/** Countries and country codes: "Acme Germany" is usually a separate national company, not a site of Acme. */
// prettier-ignore
const COUNTRIES = new Set([
  'usa', 'us', 'u s a', 'united states', 'united states of america', 'america', 'uk', 'u k', 'united kingdom', 'great britain',
  'england', 'scotland', 'wales', 'ireland', 'canada', 'australia', 'new zealand', 'germany', 'deutschland', 'france', 'italy', 'italia',
  'spain', 'espana', 'portugal', 'netherlands', 'the netherlands', 'holland', 'belgium', 'switzerland', 'schweiz', 'austria',
  'osterreich', 'sweden', 'norway', 'denmark', 'finland', 'poland', 'polska', 'czech republic', 'czechia', 'hungary', 'japan',
  'china', 'hong kong', 'singapore', 'india', 'brazil', 'mexico', 'russia', 'south africa', 'korea', 'south korea', 'taiwan',
  // as the countries write themselves
  'norge', 'sverige', 'danmark', 'suomi', 'nederland', 'belgie', 'belgique', 'brasil', 'turkiye', 'cesko', 'slovensko', 'magyarorszag',
  'hrvatska', 'eesti', 'latvija', 'lietuva', 'romania', 'ellada',
]);

/**
 * Trailing location qualifiers removed after a comma ("Acme Corp, London"). Deliberately small and limited to
 * places that are never the distinguishing part of a company name when written after a comma.
 * Parenthesised places ("Novartis (Mexico)") are NOT removed: they often name a separate subsidiary.
 */
// prettier-ignore
export const PLACES = new Set([
  ...COUNTRIES,
  'ny', 'nyc', 'ca', 'tx', 'new york', 'new york city', 'new york ny', 'los angeles', 'san francisco', 'chicago', 'boston', 'seattle',
  'houston', 'dallas', 'atlanta', 'miami', 'denver', 'london', 'manchester', 'birmingham', 'edinburgh', 'glasgow', 'dublin',
  'paris', 'lyon', 'berlin', 'munich', 'munchen', 'muenchen', 'hamburg', 'frankfurt', 'frankfurt am main', 'cologne', 'koln',
  'stuttgart', 'dusseldorf', 'vienna', 'wien', 'zurich', 'geneva', 'geneve', 'basel', 'amsterdam', 'rotterdam', 'brussels',
  'madrid', 'barcelona', 'lisbon', 'milan', 'milano', 'rome', 'roma', 'stockholm', 'oslo', 'copenhagen', 'helsinki', 'warsaw',
  'warszawa', 'prague', 'praha', 'budapest', 'tokyo', 'osaka', 'beijing', 'shanghai', 'shenzhen', 'seoul', 'taipei', 'mumbai',
  'delhi', 'new delhi', 'bangalore', 'sydney', 'melbourne', 'toronto', 'montreal', 'vancouver', 'sao paulo', 'mexico city',
  'moscow', 'johannesburg', 'dubai', 'istanbul', 'tel aviv',
]);

// prettier-ignore
const GENERIC_TOKENS = new Set([
  'group', 'holding', 'holdings', 'international', 'intl', 'global', 'services', 'service', 'solutions', 'systems',
  'technologies', 'technology', 'tech', 'industries', 'industry', 'enterprises', 'enterprise', 'partners', 'associates',
  'trading', 'management', 'consulting', 'company', 'the', 'and', 'of', 'de', 'la', 'des', 'der', 'und', 'et',
  'national', 'general', 'american', 'european', 'worldwide', 'products', 'manufacturing', 'investments', 'capital',
  'media', 'bank', 'insurance', 'energy', 'foods', 'food', 'communications', 'networks', 'network', 'logistics', 'supplies',
  'supply', 'software', 'financial', 'finance', 'resources', 'ventures', 'brands', 'retail', 'stores', 'store',
]);

/**
 * Words that say what a business does or sells, not which one it is ("Costco Wholesale", "Publix Super Markets",
 * "Penske Truck Leasing"): a document naming the firm by its other words alone still names it (containment.ts).
 * Institutions' kinds (university, hospital, school, church, club, bank) are not among them: "Columbia" is not
 * Columbia University, nor "Mayo" the Mayo Clinic.
 */
// prettier-ignore
const DESCRIPTIVE = new Set([
  'wholesale', 'wholesalers', 'market', 'markets', 'supermarket', 'supermarkets', 'super', 'grocery', 'groceries', 'grocers',
  'restaurant', 'restaurants', 'grill', 'pharmacy', 'pharmacies', 'drug', 'drugs', 'electric', 'electrical', 'electronics',
  'leasing', 'rental', 'rentals', 'truck', 'trucks', 'trucking', 'freight', 'transport', 'transportation', 'shipping',
  'motors', 'motor', 'automotive', 'hardware', 'tools', 'equipment', 'machinery', 'chemicals', 'chemical',
  'steel', 'metals', 'materials', 'paper', 'packaging', 'plastics', 'pharmaceuticals', 'pharmaceutical', 'pharma',
  'engineering', 'construction', 'builders', 'realty', 'properties', 'hotels',
  'resorts', 'beverages', 'beverage', 'coffee', 'brewing', 'bakery', 'dairy', 'farms', 'mills', 'works', 'mfg',
  'distributors', 'distributing', 'distribution', 'sales', 'marketing', 'instruments', 'devices', 'controls', 'automation',
  'power', 'petroleum', 'utilities', 'telecom', 'telecommunications', 'bros', 'brothers', 'sons',
  'shops', 'mart', 'outlet', 'outlets', 'stores', 'store',
  'corporate', 'business', 'solutions', 'uniform', 'uniforms', 'office', 'furniture', 'fuel', 'fuels', 'oil', 'gas',
  'apparel', 'clothing', 'footwear',
]);

/**
 * Words of a firm's trade that are too common to stand in DESCRIPTIVE (many are generic words): a master adding only
 * these, its legal form or the ledger's country names the firm when its brand is its own in the scope
 * (containment.ts brandFirm: "Realtek" / "Realtek Semiconductor Corp.", "Qantas" / "Qantas Airways Limited").
 * Not a parent's or a group's words (group, holding, international, global, partners, capital), nor an arm's
 * (laboratories, express, mobile).
 */
// prettier-ignore
const TRADE = new Set([
  'services', 'service', 'solutions', 'systems', 'technologies', 'technology', 'tech', 'industries', 'industry', 'trading',
  'products', 'manufacturing', 'manufactory', 'communications', 'networks', 'logistics', 'logistiek', 'logistik', 'supplies',
  'supply', 'software', 'foods', 'food', 'airways', 'airlines', 'semiconductor', 'semiconductors', 'computer', 'computers',
  'contractors', 'electronic', 'transporten', 'transporte', 'transportes', 'trasporti', 'hire',
]);

export function isTrade(token: string): boolean {
  return TRADE.has(token) || DESCRIPTIVE.has(token);
}

/** The words of DESCRIPTIVE that name a shop's trade: a store's number goes with them ("Shaw's #7523" / "Shaw's Supermarkets"). */
// prettier-ignore
const RETAIL = new Set([
  'wholesale', 'market', 'markets', 'supermarket', 'supermarkets', 'super', 'grocery', 'groceries', 'grocers', 'restaurant',
  'restaurants', 'grill', 'pharmacy', 'pharmacies', 'drug', 'drugs', 'stores', 'store', 'shops', 'mart', 'outlet', 'outlets',
]);

export function isRetail(token: string): boolean {
  return RETAIL.has(token);
}

/**
 * A word saying what a business does: the rest of its name tells which one. Not a generic word ("Linde Group" is
 * not named by "Linde", nor "Alaska Air Group" by "Alaska Air": in the benchmark those are a parent beside the
 * document's own firm), nor a country ("Boeing UK", "Nexi Germany" are national companies of their own), nor a
 * word that names a research or regional arm ("Fujitsu Laboratories", "Air Europa Express").
 */
export function isDescriptive(token: string): boolean {
  return DESCRIPTIVE.has(token);
}

/** US state codes, read as a place after a city or a store number ("Home Depot #612 Atlanta GA"). */
// prettier-ignore
const US_STATES = new Set([
  'al', 'ak', 'az', 'ar', 'ca', 'co', 'ct', 'de', 'dc', 'fl', 'ga', 'hi', 'id', 'il', 'in', 'ia', 'ks', 'ky', 'la', 'me', 'md',
  'ma', 'mi', 'mn', 'ms', 'mo', 'mt', 'ne', 'nv', 'nh', 'nj', 'nm', 'ny', 'nc', 'nd', 'oh', 'ok', 'or', 'pa', 'ri', 'sc', 'sd',
  'tn', 'tx', 'ut', 'vt', 'va', 'wa', 'wv', 'wi', 'wy',
]);

export function isUsState(token: string): boolean {
  return US_STATES.has(token);
}

/** A single word that is (a spelling of) a legal form: "corp", "gmbh", "limited". */
export function isLegalWord(token: string): boolean {
  return token in LEGAL_FORMS || LEADING_LEGAL.has(token);
}

/**
 * Cities and sub-national regions (a gazetteer of large cities and business centres, not countries): a site of an
 * organisation is often named by one ("Acme Leeds", "Acme (Porto)").
 */
// prettier-ignore
const CITIES = new Set([
  ...[...PLACES].filter((p) => !COUNTRIES.has(p) && p.length > 2),
  'leeds', 'liverpool', 'sheffield', 'bristol', 'newcastle', 'nottingham', 'leicester', 'coventry', 'cardiff', 'belfast', 'aberdeen',
  'southampton', 'portsmouth', 'oxford', 'cambridge', 'reading', 'cork', 'galway', 'limerick',
  'lille', 'marseille', 'toulouse', 'nice', 'nantes', 'strasbourg', 'montpellier', 'bordeaux', 'rennes', 'grenoble',
  'porto', 'braga', 'coimbra', 'sevilla', 'seville', 'valencia', 'bilbao', 'malaga', 'zaragoza',
  'bologna', 'turin', 'torino', 'naples', 'napoli', 'florence', 'firenze', 'genoa', 'genova', 'venice', 'venezia', 'verona', 'padua',
  'bremen', 'leipzig', 'dresden', 'hannover', 'hanover', 'nuremberg', 'nurnberg', 'dortmund', 'essen', 'bonn', 'mannheim', 'karlsruhe',
  'graz', 'linz', 'salzburg', 'innsbruck', 'bern', 'lausanne', 'lucerne', 'luzern', 'antwerp', 'antwerpen', 'ghent', 'gent', 'liege',
  'utrecht', 'eindhoven', 'the hague', 'groningen', 'bergen', 'trondheim', 'stavanger', 'aarhus', 'odense', 'aalborg', 'gothenburg',
  'goteborg', 'malmo', 'uppsala', 'tampere', 'turku', 'espoo', 'oulu', 'gdansk', 'krakow', 'wroclaw', 'poznan', 'lodz', 'brno',
  'ostrava', 'bratislava', 'debrecen', 'bucharest', 'cluj', 'sofia', 'athens', 'thessaloniki', 'zagreb', 'ljubljana', 'belgrade',
  'riga', 'tallinn', 'vilnius', 'kyiv', 'kiev', 'minsk', 'ankara', 'izmir', 'cairo', 'lagos', 'nairobi', 'casablanca', 'cape town',
  'durban', 'tunis', 'accra', 'riyadh', 'jeddah', 'doha', 'abu dhabi', 'kuwait city', 'muscat', 'tehran', 'karachi', 'lahore',
  'nagoya', 'kyoto', 'yokohama', 'kobe', 'fukuoka', 'sapporo', 'sendai', 'hiroshima', 'busan', 'incheon', 'daegu', 'guangzhou',
  'chengdu', 'wuhan', 'tianjin', 'hangzhou', 'nanjing', 'xian', 'chongqing', 'kaohsiung', 'taichung', 'manila', 'jakarta', 'bangkok',
  'kuala lumpur', 'hanoi', 'ho chi minh city', 'pune', 'chennai', 'hyderabad', 'kolkata', 'ahmedabad', 'jaipur', 'kochi', 'colombo',
  'dhaka', 'perth', 'adelaide', 'brisbane', 'canberra', 'hobart', 'darwin', 'auckland', 'wellington', 'christchurch',
  'austin', 'phoenix', 'portland', 'detroit', 'philadelphia', 'san diego', 'san jose', 'san antonio', 'minneapolis', 'st louis',
  'pittsburgh', 'cleveland', 'cincinnati', 'columbus', 'indianapolis', 'nashville', 'memphis', 'charlotte', 'raleigh', 'orlando',
  'tampa', 'baltimore', 'washington', 'las vegas', 'salt lake city', 'sacramento', 'kansas city', 'milwaukee', 'new orleans',
  'calgary', 'ottawa', 'edmonton', 'winnipeg', 'quebec', 'halifax', 'guadalajara', 'monterrey', 'bogota', 'medellin', 'lima',
  'santiago', 'buenos aires', 'montevideo', 'caracas', 'quito', 'rio de janeiro', 'brasilia', 'belo horizonte', 'porto alegre', 'curitiba',
  'ohio', 'texas', 'california', 'florida', 'ontario', 'quebec', 'bavaria', 'bayern', 'catalonia', 'lombardy', 'lombardia', 'flanders',
  'wallonia', 'scandinavia', 'benelux', 'iberia', 'midwest', 'new england', 'north america', 'south america', 'latin america',
  'east coast', 'west coast', 'northern region', 'southern region', 'asia pacific', 'middle east',
]);

/** A city or region (never a country): one or two tokens joined by a space. */
export function isCity(tokens: string): boolean {
  return CITIES.has(tokens);
}

/** Spellings of one city the gazetteer holds in several languages, near enough to be read as typos of each other. */
// prettier-ignore
const SAME_CITY = [
  ['antwerp', 'antwerpen'], ['ghent', 'gent'], ['hannover', 'hanover'], ['nuremberg', 'nurnberg'], ['genoa', 'genova'],
  ['sevilla', 'seville'], ['kyiv', 'kiev'], ['milan', 'milano'], ['rome', 'roma'], ['munchen', 'muenchen'], ['lucerne', 'luzern'],
  ['geneva', 'geneve'], ['napoli', 'naples'], ['venice', 'venezia'], ['praha', 'prague'], ['warszawa', 'warsaw'],
].map(([a, b]) => (a! < b! ? `${a} ${b}` : `${b} ${a}`));

/**
 * Two different cities of the gazetteer ("Bern" / "Berlin", "Graz" / "Gaza", "Linz" / "Lille"): two places however
 * few letters differ, never a typo of one another ("Hotel Bern" is not Hotel Berlin: a trial). Spellings of one city
 * (SAME_CITY) are the same place.
 */
export function twoCities(a: string, b: string): boolean {
  return a !== b && CITIES.has(a) && CITIES.has(b) && !SAME_CITY.includes(a < b ? `${a} ${b}` : `${b} ${a}`);
}

/** A known place name (country, major city, US state code) as written after a comma. */
/** A country or its code, one word or several ("uk", "new zealand"). */
export function isCountry(tokens: string): boolean {
  return COUNTRIES.has(tokens);
}

export function isPlace(tokens: string): boolean {
  return PLACES.has(tokens);
}

/** Generic business words: they still count, but less than their rarity alone would say. */
export function isGenericToken(token: string): boolean {
  return GENERIC_TOKENS.has(token);
}

export function legalFamily(form: string): string {
  return LEGAL_FAMILY[form] ?? form;
}

/**
 * A legal form and its translation as the same country's firms write it in another official language or in English:
 * Switzerland's AG / SA / Ltd ("Bank Vontobel AG" / Bank Vontobel Ltd, "PostFinance AG" / PostFinance SA), Belgium's
 * NV / SA, Finland's Oyj / Abp / Corporation and Oy / Ab / Ltd ("Fortum Oyj" / Fortum Corporation), Japan's and Korea's
 * K.K. / Co., Ltd. / Corporation and G.K. / LLC. Read only where the names are otherwise equal (matcher.ts, the
 * normalised name): one company's one form, not two companies' (which legalDisagreeCap keeps for review: "Braun Druck
 * Ltd" / Braun Druck SARL), and never beside a typo ("Hanwha Corporation" is not Hanwa Co., Ltd.).
 */
// prettier-ignore
const TRANSLATED: readonly (readonly [string, string])[] = [
  ['ag', 'sa'], ['ag', 'ltd'], ['sa', 'ltd'], ['nv', 'sa'],
  ['oyj', 'corp'], ['oyj', 'plc'], ['oyj', 'abp'], ['oy', 'ltd'],
  ['kk', 'corp'], ['co ltd', 'corp'], ['gk', 'llc'],
  // Finland's Swedish Ab beside Oy, Switzerland's Sàrl beside GmbH; Russia's OOO and Ukraine's TOV as LLC, Bulgaria's
  // (E)OOD and the Balkans' d.o.o. as Ltd, as their firms write themselves in English ("Poltavazernoprodukt LLC")
  ['oy', 'ab'], ['gmbh', 'sarl'], ['ooo', 'llc'], ['tov', 'llc'], ['eood', 'ltd'], ['ood', 'ltd'], ['doo', 'ltd'],
];

export function legalTranslated(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && TRANSLATED.some(([x, y]) => (a === x && b === y) || (a === y && b === x));
}

/** legalAgreement of two different forms, by form and form: asked for every candidate scored, of a few hundred forms. */
const AGREEMENT = new Map<string, Map<string, 'compatible' | 'disagree'>>();

/** Legal-form agreement signal between two canonical forms. */
export function legalAgreement(a: string | null, b: string | null): 'agree' | 'compatible' | 'disagree' | 'missing' {
  if (a === null || b === null) return 'missing';
  if (a === b) return 'agree';
  let byB = AGREEMENT.get(a);
  if (byB === undefined) AGREEMENT.set(a, (byB = new Map()));
  let r = byB.get(b);
  if (r === undefined) {
    const pb = b.split(' ');
    r = a.split(' ').some((x) => pb.includes(x)) || legalFamily(a) === legalFamily(b) ? 'compatible' : 'disagree';
    byB.set(b, r);
  }
  return r;
}
