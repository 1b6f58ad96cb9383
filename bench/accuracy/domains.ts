import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KnownAlias, MasterRecord } from '../../src/match/index.js';
import { normalizeName } from '../../src/match/index.js';
import {
  buildBenchmark,
  loadEntities,
  mulberry32,
  pick,
  type BenchDoc,
  type BenchSet,
  type Entity,
  type Rng,
  type Truth,
} from './dataset.js';

/**
 * The domains of the generalisation benchmark (`npm run bench:accuracy`). Each is a multi-tenant BenchSet with its own
 * truth, hard negatives, orphans and cross-tenant names:
 *
 * - companies-en / companies-intl: the company-names dataset split by region of the name (non-ASCII letters or a
 *   non-English legal form anywhere in an entity's names => intl). The split is made per connected component of the
 *   parent/subsidiary graph, so no entity and no parent/child pair crosses it. Standard variants (case, punctuation,
 *   legal forms, typos, umlauts, real Wikidata aliases, known aliases).
 * - people: Febrl dataset 4 (5,000 people, a corrupted copy of each): originals are masters, the copies' names documents.
 * - branches: company masters; documents are a master name with a site, branch, department or programme qualifier
 *   before or after it (`Acme Corp – Leeds branch`, `Acme (Porto)`, `Accounts Payable, Acme`).
 * - abbreviations: company masters; documents abbreviate words (`Int.`, `Mgmt`), append the acronym in parentheses, drop
 *   a generic word, join or split words.
 *
 * The derived generators use their OWN word lists (cities, branch words), deliberately not the matcher's.
 */

export type DomainName = 'companies-en' | 'companies-intl' | 'people' | 'branches' | 'abbreviations';
export const DOMAINS: DomainName[] = ['companies-en', 'companies-intl', 'people', 'branches', 'abbreviations'];

const NON_EN_LEGAL =
  /\b(gmbh|ag|s\.?a\.?|s\.?p\.?a\.?|n\.?v\.?|b\.?v\.?|ab|oy|oyj|asa|a\/s|kk|s\.?r\.?l\.?|sarl|sas|se|kg|ltda|sdn|bhd|pt|tbk|k\.?k\.?)\b/i;

function isIntl(e: Entity): boolean {
  return [e.canonical, ...e.aliases].some((n) => /[^ -~]/.test(n) || NON_EN_LEGAL.test(n));
}

/** Entities split by region of the name, per connected component of the subsidiary graph. */
export function splitCompanies(all: Entity[]): { en: Entity[]; intl: Entity[] } {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
    parent.set(x, p);
    return p;
  };
  const ids = new Set(all.map((e) => e.id));
  for (const e of all)
    for (const rel of e.related)
      if (ids.has(rel)) {
        const a = find(e.id);
        const b = find(rel);
        if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
      }
  const votes = new Map<string, number>();
  for (const e of all) votes.set(find(e.id), (votes.get(find(e.id)) ?? 0) + (isIntl(e) ? 1 : -1));
  const en: Entity[] = [];
  const intl: Entity[] = [];
  for (const e of all) ((votes.get(find(e.id)) ?? 0) > 0 ? intl : en).push(e);
  // related ids outside the own half are dropped (there are none by construction, this keeps it explicit)
  const keep = (list: Entity[]): Entity[] => {
    const s = new Set(list.map((e) => e.id));
    return list.map((e) => ({ ...e, related: e.related.filter((x) => s.has(x)) }));
  };
  return { en: keep(en), intl: keep(intl) };
}

// ------------------------------------------------------------------ derived generators (own word lists)
const CITIES = [
  'Leeds',
  'Lille',
  'Porto',
  'Nagoya',
  'Austin',
  'Ohio',
  'Bristol',
  'Nantes',
  'Bologna',
  'Graz',
  'Bergen',
  'Aarhus',
  'Tampere',
  'Gdansk',
  'Brno',
  'Sevilla',
  'Valencia',
  'Antwerp',
  'Utrecht',
  'Lausanne',
  'Bremen',
  'Leipzig',
  'Dresden',
  'Cardiff',
  'Belfast',
  'Cork',
  'Phoenix',
  'Portland',
  'Detroit',
  'Calgary',
  'Ottawa',
  'Perth',
  'Adelaide',
  'Auckland',
  'Pune',
  'Chennai',
  'Osaka',
  'Kyoto',
  'Busan',
  'Lyon',
  'Hamburg',
  'London',
  'Paris',
  'Toronto',
  'Chicago',
  'North America',
  'EMEA',
  'APAC',
  'Midwest',
  'East Coast',
  'Northern Region',
  'Scandinavia',
  'Benelux',
  'Iberia',
  'Bavaria',
  'Texas',
  'California',
  'Ontario',
];
const SITE_WORDS = [
  'Branch',
  'Office',
  'Site',
  'Plant',
  'Depot',
  'Warehouse',
  'Campus',
  'Store',
  'Division',
  'Region',
  'HQ',
  'Headquarters',
  'Factory',
  'Hub',
];
const UNITS = [
  'Accounts Payable',
  'Customer Service',
  'Sales Department',
  'Procurement',
  'Graduate Programme',
  'Research Centre',
  'Training Academy',
  'Payroll',
  'Treasury',
  'Fleet Services',
  'IT Department',
  'Purchasing Dept',
  'Finance Team',
];

export const branchVariants = (r: Rng, c: string): { name: string; kind: string }[] => {
  const city = pick(r, CITIES);
  const x = r();
  if (x < 0.2) return [{ name: `${c} - ${city} ${pick(r, SITE_WORDS)}`, kind: 'site-suffix' }];
  if (x < 0.35) return [{ name: `${c} (${city})`, kind: 'place-parenthesised' }];
  if (x < 0.5) return [{ name: `${c} ${city}`, kind: 'place-suffix' }];
  if (x < 0.6) return [{ name: `${city} ${c}`, kind: 'place-prefix' }];
  if (x < 0.75) return [{ name: `${c}, ${pick(r, UNITS)}`, kind: 'unit-suffix' }];
  if (x < 0.85) return [{ name: `${pick(r, UNITS)} - ${c}`, kind: 'unit-prefix' }];
  return [{ name: `${c} ${pick(r, SITE_WORDS)} ${city}`, kind: 'site-place-suffix' }];
};

const GENERIC_DROP = /\s+(Group|Holdings?|Company|Corporation|Incorporated|Limited|International|Industries|Enterprises|Co\.?)\b/;

function abbreviateWord(r: Rng, w: string): string {
  const x = r();
  const lower = w.toLowerCase();
  if (x < 0.45) return `${w.slice(0, 3 + Math.floor(r() * 2))}.`; // truncation: "Internat." / "Int."
  if (x < 0.8) {
    // first letter + consonants, 3-4 letters: "Mngm", "Dvlp"
    const cons = lower.slice(1).replace(/[aeiouy]/g, '');
    const n = 2 + Math.floor(r() * 2);
    return w[0]! + cons.slice(0, n);
  }
  return `${w.slice(0, 4)}`; // truncation without a dot
}

export const abbreviationVariants = (r: Rng, c: string): { name: string; kind: string }[] => {
  const words = c.split(' ');
  const long = words.map((w, i) => (/^\p{L}{7,}$/u.test(w) ? i : -1)).filter((i) => i >= 0);
  const caps = words.filter((w) => /^\p{Lu}/u.test(w) && /^\p{L}+$/u.test(w));
  const x = r();
  if (x < 0.35 && long.length > 0 && words.length > 1) {
    const i = pick(r, long);
    const out = [...words];
    out[i] = abbreviateWord(r, words[i]!);
    return [{ name: out.join(' '), kind: 'abbreviated-word' }];
  }
  if (x < 0.55 && caps.length >= 2) {
    const acro = caps
      .map((w) => w[0]!)
      .join('')
      .toUpperCase();
    return [{ name: `${c} (${acro})`, kind: 'acronym-parenthesised' }];
  }
  if (x < 0.7 && GENERIC_DROP.test(c) && words.length > 2) return [{ name: c.replace(GENERIC_DROP, ''), kind: 'generic-dropped' }];
  if (x < 0.85 && words.length >= 2) {
    const i = Math.floor(r() * (words.length - 1));
    if (/^\p{L}+$/u.test(words[i]!) && /^\p{L}+$/u.test(words[i + 1]!)) {
      const out = [...words.slice(0, i), words[i]! + words[i + 1]!, ...words.slice(i + 2)];
      return [{ name: out.join(' '), kind: 'words-joined' }];
    }
  }
  const li = words.map((w, i) => (/^\p{L}{8,}$/u.test(w) ? i : -1)).filter((i) => i >= 0);
  if (li.length > 0) {
    const i = pick(r, li);
    const w = words[i]!;
    const cut = 3 + Math.floor(r() * (w.length - 5));
    const out = [...words];
    out[i] = `${w.slice(0, cut)} ${w.slice(cut)}`;
    return [{ name: out.join(' '), kind: 'word-split' }];
  }
  return [{ name: c.replace(/ and /g, ' & ').replace(/ & /g, r() < 0.5 ? ' and ' : ' & '), kind: 'as-is' }];
};

// ------------------------------------------------------------------ people (Febrl 4)
interface FebrlPerson {
  given: string;
  surname: string;
  /** date_of_birth, postcode, suburb: the columns `compare` weighs in the people-with-columns run. */
  columns: (string | null)[];
}

function readFebrl(file: string): Map<string, FebrlPerson> {
  const out = new Map<string, FebrlPerson>();
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).slice(1);
  for (const line of lines) {
    if (line.trim() === '') continue;
    const f = line.split(',').map((x) => x.trim());
    const m = /^rec-(\d+)-/.exec(f[0] ?? '');
    if (!m) continue;
    const col = (i: number): string | null => (f[i] === undefined || f[i] === '' ? null : f[i]!);
    out.set(m[1]!, { given: f[1] ?? '', surname: f[2] ?? '', columns: [col(9), col(7), col(6)] });
  }
  return out;
}

const title = (s: string): string => s.replace(/\p{L}+/gu, (w) => w[0]!.toUpperCase() + w.slice(1));

export function locatePeople(companyDir: string): string | null {
  const d = join(dirname(companyDir), 'person-names');
  return existsSync(join(d, 'febrl4a_originals.csv')) ? d : null;
}

/** People: originals as masters (title case, "Given Surname"), the corrupted copies' names as documents. */
export function buildPeople(dir: string, seed: number, nTenants = 4, withColumns = false): BenchSet {
  const r = mulberry32(seed);
  const org = readFebrl(join(dir, 'febrl4a_originals.csv'));
  const dup = readFebrl(join(dir, 'febrl4b_duplicates.csv'));
  const ids = [...org.keys()].filter((id) => dup.has(id)).sort((a, b) => Number(a) - Number(b));
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const orphanCut = Math.floor(ids.length * 0.88);
  const orphans = ids.slice(orphanCut);
  const per: string[][] = Array.from({ length: nTenants }, () => []);
  ids.slice(0, orphanCut).forEach((id, i) => per[i % nTenants]!.push(id));
  const full = (p: FebrlPerson): string => [p.given, p.surname].filter((x) => x.length > 0).join(' ');
  const tenants = [];
  let dropped = 0;
  let namesakes = 0;
  for (let t = 0; t < nTenants; t++) {
    const tid = `P${t + 1}`;
    const keyOf = (id: string): string => `${tid}-rec-${id}`;
    const masters: MasterRecord[] = per[t]!.map((id) => ({
      key: keyOf(id),
      name: title(full(org.get(id)!)),
      ...(withColumns ? { evidence: org.get(id)!.columns } : {}),
    }));
    const aliases: KnownAlias[] = [];
    const owners = new Map<string, Set<string>>();
    for (const m of masters) for (const k of normalizeName(m.name).keys) owners.set(k, (owners.get(k) ?? new Set()).add(m.key));
    const docs: BenchDoc[] = [];
    const add = (id: string, truth: Truth, kind: string, cross: boolean): void => {
      const name = full(dup.get(id)!);
      if (normalizeName(name).key.length === 0) {
        dropped++;
        return;
      }
      // A person who is no master here (orphan, other tenant's) but whose ORIGINAL name is a master's name here is a
      // namesake: a corrupted copy of it ("thoma ryan" of another tenant's Thomas Ryan, beside this tenant's Thomas
      // Ryan) is a typo of this tenant's master as far as any name matcher can tell. Its truth is undefined: drop it,
      // as own-tenant people with a shared original name are marked ambiguous above. (Without this, the bench counted
      // such links as "cross-tenant", which the matcher cannot produce: it only sees one tenant's masters.)
      // With columns the truth is defined again (the copy's date of birth is its own): kept, it must not link.
      if (!withColumns && truth === null && normalizeName(full(org.get(id)!)).keys.some((k) => owners.has(k))) {
        namesakes++;
        dropped++;
        return;
      }
      docs.push({
        tenant: tid,
        name,
        truth,
        kind,
        entity: id,
        crossTenant: cross,
        reachable: true,
        ...(withColumns ? { evidence: dup.get(id)!.columns } : {}),
      });
    };
    for (const id of per[t]!) {
      const own = normalizeName(full(org.get(id)!)).key;
      const shared = (owners.get(own)?.size ?? 0) > 1;
      const same = normalizeName(full(dup.get(id)!)).key === own;
      // Namesakes (two masters with one name) are ambiguous by name alone, told apart by their columns.
      add(
        id,
        shared && !withColumns ? 'AMBIGUOUS' : keyOf(id),
        shared ? 'duplicate:person' : same ? 'person-same' : 'person-variant',
        false,
      );
    }
    for (let i = 0; i < Math.floor(per[t]!.length * 0.1); i++) add(pick(r, orphans), null, 'orphan', false);
    for (let i = 0; i < Math.floor(per[t]!.length * 0.1); i++) {
      const o = (t + 1 + Math.floor(r() * (nTenants - 1))) % nTenants;
      add(pick(r, per[o]!), null, 'cross-tenant', true);
    }
    // Label hygiene as for companies: a name equal (normalised) to another person's master has no defined truth.
    const byName = new Map<string, BenchDoc[]>();
    for (const d of docs) {
      const ownKey = d.truth === null || d.truth === 'AMBIGUOUS' ? null : keyOf(d.entity);
      const foreign =
        !withColumns &&
        d.truth !== 'AMBIGUOUS' &&
        normalizeName(d.name).keys.some((k) => [...(owners.get(k) ?? [])].some((o) => o !== ownKey));
      if (foreign) {
        dropped++;
        continue;
      }
      byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
    }
    const clean: BenchDoc[] = [];
    for (const [, list] of [...byName.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (new Set(list.map((d) => String(d.truth))).size > 1) {
        dropped += list.length;
        continue;
      }
      clean.push(list[0]!);
      dropped += list.length - 1;
    }
    tenants.push({ id: tid, masters, aliases, docs: clean });
  }
  return { tenants, dropped, namesakes };
}

/** Every domain, deterministic for a seed. `scale` 1 = full size (a few minutes on 2 cores), 0.3 for a quick run. */
export function buildDomains(companyDir: string, seed: number, scale = 1, only?: DomainName[]): Map<DomainName, BenchSet> {
  const all = loadEntities(companyDir);
  const { en, intl } = splitCompanies(all);
  const out = new Map<DomainName, BenchSet>();
  const want = (d: DomainName): boolean => !only || only.includes(d);
  const n = (x: number): number => Math.max(50, Math.round(x * scale));
  if (want('companies-en'))
    out.set('companies-en', buildBenchmark(companyDir, 'full', seed, { entities: en, shape: { tenants: 4, masters: n(1200) } }));
  if (want('companies-intl'))
    out.set('companies-intl', buildBenchmark(companyDir, 'full', seed + 1, { entities: intl, shape: { tenants: 3, masters: n(500) } }));
  if (want('people')) {
    const pd = locatePeople(companyDir);
    if (pd) out.set('people', buildPeople(pd, seed + 2, 4));
  }
  if (want('branches'))
    out.set(
      'branches',
      buildBenchmark(companyDir, 'full', seed + 3, { entities: all, shape: { tenants: 3, masters: n(1000) }, variants: branchVariants }),
    );
  if (want('abbreviations'))
    out.set(
      'abbreviations',
      buildBenchmark(companyDir, 'full', seed + 4, {
        entities: all,
        shape: { tenants: 3, masters: n(1000) },
        variants: abbreviationVariants,
      }),
    );
  return out;
}
