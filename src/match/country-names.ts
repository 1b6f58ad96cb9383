/** Countries' names in the languages ledgers write them (tokens.ts reads two of one country as one word). */

/**
 * A country's name in English and as the country (or a neighbour) writes it: one word for one country ("DHL Express
 * Polska" / DHL Express (Poland), "Marketing Belgique" / Marketing Belgium). One-word names only.
 */
// prettier-ignore
const COUNTRY_NAMES: readonly (readonly string[])[] = [
  ['germany', 'deutschland', 'allemagne', 'alemania', 'germania', 'duitsland'], ['austria', 'osterreich', 'autriche'],
  ['switzerland', 'schweiz', 'suisse', 'svizzera', 'suiza', 'zwitserland'], ['italy', 'italia', 'italie', 'italien'],
  ['spain', 'espana', 'espagne', 'spanien', 'spagna', 'spanje'], ['poland', 'polska', 'pologne', 'polen', 'polonia'],
  ['belgium', 'belgique', 'belgie', 'belgien', 'belgio', 'belgica'], ['netherlands', 'nederland', 'niederlande', 'paysbas'],
  ['france', 'frankreich', 'francia', 'frankrijk'], ['sweden', 'sverige', 'schweden', 'suede', 'suecia', 'svezia'],
  ['norway', 'norge', 'norwegen', 'norvege', 'noruega'], ['denmark', 'danmark', 'danemark', 'dinamarca', 'danimarca'],
  ['finland', 'suomi', 'finnland', 'finlande', 'finlandia'], ['brazil', 'brasil', 'bresil', 'brasilien', 'brasile'],
  ['mexico', 'mexiko', 'messico', 'mexique'], ['hungary', 'magyarorszag', 'ungarn', 'hongrie', 'hungria', 'ungheria'],
  ['croatia', 'hrvatska', 'kroatien', 'croatie', 'croacia'], ['czechia', 'cesko', 'tschechien'], ['slovakia', 'slovensko', 'slowakei'],
  ['romania', 'rumanien', 'roumanie'], ['greece', 'ellada', 'griechenland', 'grece', 'grecia'], ['turkey', 'turkiye', 'turkei', 'turquie', 'turquia'],
  ['estonia', 'eesti'], ['latvia', 'latvija'], ['lithuania', 'lietuva'], ['portugal', 'portogallo'], ['japan', 'nippon', 'japon', 'giappone'],
  ['indonesia', 'indonesie', 'indonesien'], ['philippines', 'pilipinas', 'filipinas'],
];
const COUNTRY_OF = new Map<string, number>(COUNTRY_NAMES.flatMap((names, i) => names.map((n) => [n, i] as const)));

/** Two spellings of one country's name ("polska" / "poland"); not one word twice. */
export function sameCountry(a: string, b: string): boolean {
  const i = COUNTRY_OF.get(a);
  return a !== b && i !== undefined && i === COUNTRY_OF.get(b);
}

/**
 * Postal and ISO codes of places ledgers write for the place's one-word name: US states (`Mayo Clinic AZ` / Mayo
 * Clinic Arizona, `TN Oncology` / Tennessee Oncology), Canadian provinces and Australian states (`MB`, `QC`, `QLD`),
 * countries (`Orkla Foods SE` / Orkla Foods Sverige AB, `Vos Logistics NL` / Vos Logistics Nederland). A place of two
 * words is read by its initials already (`NY`, `BC`, `NZ`, `HK`: tokens.ts expandInitials). Left out: codes that are
 * words, function words or legal forms too (`IN`, `OR`, `ME`, `OK`, `HI`, `DE`, `LA`, `CO`, `PA`, `AL`, `ID`, `IT`,
 * `NO`, `AT`, `BE`, `ES`, `IS`, `MY`, `ON`, `SA`, `NV`), and `MT` (Mount).
 */
// prettier-ignore
const PLACE_CODES: Readonly<Record<string, readonly string[]>> = {
  // US states
  ak: ['alaska'], az: ['arizona'], ar: ['arkansas', 'argentina'], ca: ['california', 'canada'], ct: ['connecticut'],
  fl: ['florida'], ga: ['georgia'], il: ['illinois'], ia: ['iowa'], ks: ['kansas'], ky: ['kentucky'], md: ['maryland'],
  ma: ['massachusetts'], mi: ['michigan'], mn: ['minnesota'], ms: ['mississippi'], mo: ['missouri'], ne: ['nebraska'],
  oh: ['ohio'], tn: ['tennessee'], tx: ['texas'], ut: ['utah'], vt: ['vermont'], va: ['virginia'], wa: ['washington'],
  wi: ['wisconsin'], wy: ['wyoming'],
  // Canadian provinces and territories, Australian states
  ab: ['alberta'], mb: ['manitoba'], qc: ['quebec'], sk: ['saskatchewan', 'slovakia'], yt: ['yukon'],
  qld: ['queensland'], vic: ['victoria'], tas: ['tasmania'],
  // countries (ISO 3166 two letters) in the names COUNTRY_NAMES lists, and a few more
  ch: ['switzerland'], se: ['sweden'], nl: ['netherlands', 'newfoundland'], dk: ['denmark'], fi: ['finland'], br: ['brazil'],
  mx: ['mexico'], hu: ['hungary'], hr: ['croatia'], cz: ['czechia'], ro: ['romania'], gr: ['greece'], tr: ['turkey'],
  ee: ['estonia'], lv: ['latvia'], lt: ['lithuania'], pt: ['portugal'], jp: ['japan'], ph: ['philippines'], pl: ['poland'],
  fr: ['france'], vn: ['vietnam'], cn: ['china'], sg: ['singapore'], th: ['thailand'], kr: ['korea'], tw: ['taiwan'],
  ie: ['ireland'], au: ['australia'], cl: ['chile'], pe: ['peru'],
};
const PLACE_CODE_MAP: ReadonlyMap<string, readonly string[]> = new Map(Object.entries(PLACE_CODES));

/** `a` is a place's code and `b` that place's name, in any language COUNTRY_NAMES knows ("se" / "sverige"), or the reverse. */
export function placeCode(a: string, b: string): boolean {
  return codeOf(a, b) || codeOf(b, a);
}

function codeOf(code: string, name: string): boolean {
  const names = code.length <= 3 ? PLACE_CODE_MAP.get(code) : undefined;
  if (names === undefined) return false;
  if (names.includes(name)) return true;
  const i = COUNTRY_OF.get(name);
  return i !== undefined && names.some((n) => COUNTRY_OF.get(n) === i);
}
