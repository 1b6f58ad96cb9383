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
