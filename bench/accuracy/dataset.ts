import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvidenceValues, KnownAlias, MasterRecord } from '../../src/match/index.js';
import { normalizeName } from '../../src/match/index.js';

/**
 * Builds a realistic multi-tenant benchmark from real company names (Wikidata labels + aliases, see the dataset's README).
 * Everything is driven by a seeded RNG: same size + seed => same test set.
 */

export type Truth = string | null | 'AMBIGUOUS';
export interface BenchDoc {
  tenant: string;
  name: string;
  /** Master key the name must link to; null = must not link; AMBIGUOUS = two masters are the same company. */
  truth: Truth;
  kind: string;
  /** Wikidata id of the company the name refers to. */
  entity: string;
  crossTenant: boolean;
  /** The true master is reachable by string similarity (a generated variant, not a rename/acronym alias). */
  reachable: boolean;
  /** The document's `compare` column values, when the domain has any (people with columns). */
  evidence?: EvidenceValues;
}
export interface BenchTenant {
  id: string;
  masters: MasterRecord[];
  aliases: KnownAlias[];
  docs: BenchDoc[];
}
export interface BenchSet {
  tenants: BenchTenant[];
  dropped: number;
  /** Negatives dropped because their original name is a master's name in the tenant (people: a namesake). */
  namesakes?: number;
}

export const SIZES = {
  small: { tenants: 3, masters: 350 },
  full: { tenants: 8, masters: 1500 },
} as const;
export type BenchSize = keyof typeof SIZES;

/** Dataset folder: explicit override, FKB_DATASET_DIR, else ../shared/datasets/company-names beside the repo root. */
export function locateDataset(override?: string): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const repoRoot = resolve(here, '..', '..');
  const candidates = [override, process.env['FKB_DATASET_DIR'], join(repoRoot, '..', 'shared', 'datasets', 'company-names')];
  for (const c of candidates) {
    if (c && existsSync(join(c, 'names.csv'))) return c;
  }
  return null;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQ = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQ) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQ = false;
      } else field += c;
    } else if (c === '"') inQ = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface Entity {
  id: string;
  canonical: string;
  aliases: string[];
  related: string[];
}

export function loadEntities(dir: string): Entity[] {
  const names = parseCsv(readFileSync(join(dir, 'names.csv'), 'utf8')).slice(1);
  const map = new Map<string, Entity>();
  for (const [id, kind, name] of names) {
    if (!id || !kind || name === undefined) continue;
    let e = map.get(id);
    if (!e) {
      e = { id, canonical: '', aliases: [], related: [] };
      map.set(id, e);
    }
    if (kind === 'canonical') e.canonical = name;
    else e.aliases.push(name);
  }
  const subs = parseCsv(readFileSync(join(dir, 'subsidiaries.csv'), 'utf8')).slice(1);
  for (const [p, s] of subs) {
    if (!p || !s) continue;
    map.get(p)?.related.push(s);
    map.get(s)?.related.push(p);
  }
  return [...map.values()].filter((e) => e.canonical.length > 0).sort((a, b) => (a.id < b.id ? -1 : 1));
}

// ------------------------------------------------------------------ noise generators
const KEYBOARD_NEIGHBOURS: Record<string, string> = {
  a: 'sq',
  b: 'vn',
  c: 'xv',
  d: 'sf',
  e: 'wr',
  f: 'dg',
  g: 'fh',
  h: 'gj',
  i: 'uo',
  j: 'hk',
  k: 'jl',
  l: 'k',
  m: 'n',
  n: 'bm',
  o: 'ip',
  p: 'o',
  q: 'w',
  r: 'et',
  s: 'ad',
  t: 'ry',
  u: 'yi',
  v: 'cb',
  w: 'qe',
  x: 'zc',
  y: 'tu',
  z: 'x',
};
const LEGAL_VARIANTS: string[][] = [
  ['Inc', 'Inc.', 'Incorporated', 'INC'],
  ['Corp', 'Corp.', 'Corporation', 'CORP'],
  ['Ltd', 'Ltd.', 'Limited', 'LTD'],
  ['Co.', 'Co', 'Company'],
  ['LLC', 'L.L.C.', 'llc'],
  ['GmbH', 'GMBH', 'Gmbh'],
  ['AG', 'A.G.'],
  ['N.V.', 'NV', 'N.V'],
  ['B.V.', 'BV'],
  ['S.A.', 'SA', 'S.A'],
  ['S.p.A.', 'SpA', 'S.P.A.'],
  ['PLC', 'plc', 'P.L.C.'],
  ['Pty Ltd', 'Pty. Ltd.', 'PTY LTD'],
  ['Co., Ltd.', 'Co. Ltd', 'Co Ltd'],
];
const APPENDABLE = ['Inc.', 'Ltd', 'GmbH', 'Corp.', 'LLC', 'S.A.', 'AG', 'B.V.', 'PLC', 'Co.'];

export type Rng = () => number;
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export function typo(r: Rng, name: string): string | null {
  if (/\bCorp\b/.test(name) && r() < 0.3) return name.replace(/\bCorp\b/, 'Copr');
  const words = name.split(' ');
  const idx = words.map((w, i) => (/^\p{L}{5,}$/u.test(w) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return null;
  const wi = pick(r, idx);
  const w = words[wi]!;
  const p = 1 + Math.floor(r() * (w.length - 2)); // keep the first letter
  const op = Math.floor(r() * 4);
  let nw: string;
  if (op === 0)
    nw = w.slice(0, p) + w[p + 1]! + w[p]! + w.slice(p + 2); // transposition
  else if (op === 1)
    nw = w.slice(0, p) + w.slice(p + 1); // drop
  else if (op === 2)
    nw = w.slice(0, p) + w[p]! + w.slice(p); // double
  else {
    const ch = w[p]!.toLowerCase();
    const nb = KEYBOARD_NEIGHBOURS[ch];
    if (!nb) return null;
    const sub = pick(r, nb.split(''));
    nw = w.slice(0, p) + (w[p] === ch ? sub : sub.toUpperCase()) + w.slice(p + 1);
  }
  if (nw === w) return null;
  words[wi] = nw;
  return words.join(' ');
}

function caseNoise(r: Rng, name: string): string {
  const x = r();
  if (x < 0.45) return name.toUpperCase();
  if (x < 0.8) return name.toLowerCase();
  return name.replace(/\p{L}+/gu, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}

function punctNoise(r: Rng, name: string): string {
  const x = r();
  if (x < 0.2) return `*${name}`;
  if (x < 0.35) return ` ${name.replace(/ /g, '  ')} `;
  if (x < 0.55) return name.replace(/[.,]/g, '');
  if (x < 0.7) return name.replace(/-/g, ' ').replace(/\s+/g, ' ');
  if (x < 0.85) return `${name}.`;
  return name.replace(/ (Inc|Ltd|LLC|Corp|GmbH|AG|S\.A\.|N\.V\.|PLC)\b/, ', $1');
}

function legalVariant(r: Rng, name: string): string | null {
  for (const group of LEGAL_VARIANTS) {
    for (const form of group) {
      const re = new RegExp(`[ ,]+${form.replace(/[.]/g, '\\.')}$`);
      if (re.test(name)) {
        const x = r();
        if (x < 0.3) return name.replace(re, ''); // drop it
        const others = group.filter((g) => g !== form);
        return name.replace(re, ` ${pick(r, others)}`);
      }
    }
  }
  return `${name} ${pick(r, APPENDABLE)}`;
}

function umlautVariants(name: string): string[] {
  if (!/[äöüÄÖÜ]/.test(name)) return [];
  const expand = name
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/Ä/g, 'Ae')
    .replace(/Ö/g, 'Oe')
    .replace(/Ü/g, 'Ue');
  const strip = name.normalize('NFD').replace(/\p{M}+/gu, '');
  return [expand, strip];
}

// ------------------------------------------------------------------ builder
/** A document generator replacing the standard variants (derived domains: branch names, abbreviations). */
export type VariantGen = (r: Rng, canonical: string) => { name: string; kind: string }[];

export interface BuildOptions {
  /** Entities to use (default: all of the dataset). */
  entities?: Entity[];
  /** Tenants and masters per tenant (default: SIZES[size]). */
  shape?: { tenants: number; masters: number };
  /** Replace the standard document variants (exact, case, typo, alias...) by these, for masters AND negatives. */
  variants?: VariantGen;
}

export function buildBenchmark(dir: string, size: BenchSize, seed = 42, opts: BuildOptions = {}): BenchSet {
  const r = mulberry32(seed);
  const all = opts.entities ?? loadEntities(dir);
  const byId = new Map(all.map((e) => [e.id, e]));
  const { tenants: nTenants, masters: nMasters } = opts.shape ?? SIZES[size];
  const gen = opts.variants;
  const negName = (name: string): string => {
    if (!gen) return name;
    const v = gen(r, name);
    return v.length > 0 ? v[0]!.name : name;
  };

  // Shuffle once; the last 15 % never become masters anywhere (orphans).
  const order = [...all];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const orphanCut = Math.floor(order.length * 0.85);
  const pool = order.slice(0, orphanCut);
  const orphanPool = order.slice(orphanCut);
  const poolSet = new Set(pool.map((e) => e.id));
  const firstWord = new Map<string, Entity[]>();
  for (const e of pool) {
    const fw = normalizeName(e.canonical).tokens[0];
    if (fw === undefined) continue;
    const l = firstWord.get(fw);
    if (l) l.push(e);
    else firstWord.set(fw, [e]);
  }

  // Masters per tenant: a random slice, plus related companies (parent/subsidiary) and same-first-word companies as hard negatives.
  const chosen: Set<string>[] = [];
  for (let t = 0; t < nTenants; t++) {
    const set = new Set<string>();
    let guard = 0;
    while (set.size < nMasters && guard++ < nMasters * 20) {
      const e = pool[Math.floor(r() * pool.length)]!;
      set.add(e.id);
      if (r() < 0.35) {
        const rel = e.related.filter((id) => poolSet.has(id));
        if (rel.length > 0) set.add(pick(r, rel));
      }
      if (r() < 0.25) {
        const fw = normalizeName(e.canonical).tokens[0];
        const sim = fw !== undefined ? (firstWord.get(fw) ?? []) : [];
        if (sim.length > 1) set.add(pick(r, sim).id);
      }
    }
    chosen.push(set);
  }

  const tenants: BenchTenant[] = [];
  let dropped = 0;
  for (let t = 0; t < nTenants; t++) {
    const tid = `T${t + 1}`;
    const ids = [...chosen[t]!].sort();
    const masters: MasterRecord[] = [];
    const aliases: KnownAlias[] = [];
    const inactive = new Set<string>();
    const duplicated = new Set<string>();
    const keyOf = (id: string): string => `${tid}-${id}`;
    for (const id of ids) {
      const e = byId.get(id)!;
      if (r() < 0.05) {
        inactive.add(id); // inactive masters are simply not passed to the matcher (the pipeline passes active ones only)
        continue;
      }
      masters.push({ key: keyOf(id), name: e.canonical });
      if (r() < 0.03) {
        duplicated.add(id);
        const same = r() < 0.5 ? e.canonical : (legalVariant(r, e.canonical) ?? e.canonical);
        masters.push({ key: `${keyOf(id)}-dup`, name: same });
      }
    }
    const active = new Set(ids.filter((id) => !inactive.has(id)));
    const docs: BenchDoc[] = [];
    const add = (name: string, truth: Truth, kind: string, reachable: boolean, entity: string, cross = false): void => {
      docs.push({ tenant: tid, name, truth, kind, entity, crossTenant: cross, reachable });
    };

    for (const id of ids) {
      const e = byId.get(id)!;
      const isActive = active.has(id);
      const truth: Truth = !isActive ? null : duplicated.has(id) ? 'AMBIGUOUS' : keyOf(id);
      const kindPrefix = !isActive ? 'inactive:' : duplicated.has(id) ? 'duplicate:' : '';
      const c = e.canonical;
      if (gen) {
        for (const v of gen(r, c)) add(v.name, truth, `${kindPrefix}${v.kind}`, true, id);
        for (const rel of e.related) {
          if (chosen[t]!.has(rel) || r() > 0.3) continue;
          const re = byId.get(rel);
          if (re) add(negName(re.canonical), null, 'related-not-master', false, rel);
        }
        continue;
      }
      if (r() < 0.5) add(c, truth, `${kindPrefix}exact`, true, id);
      if (r() < 0.2) add(caseNoise(r, c), truth, `${kindPrefix}case`, true, id);
      if (r() < 0.15) add(punctNoise(r, c), truth, `${kindPrefix}punct`, true, id);
      if (r() < 0.25) {
        const v = legalVariant(r, c);
        if (v) add(v, truth, `${kindPrefix}legal`, true, id);
      }
      if (r() < 0.3) {
        const v = typo(r, c);
        if (v) add(v, truth, `${kindPrefix}typo`, true, id);
      }
      if (r() < 0.06) {
        const v = typo(r, c);
        if (v) add(caseNoise(r, v), truth, `${kindPrefix}typo+case`, true, id);
      }
      for (const u of umlautVariants(c)) add(u, truth, `${kindPrefix}umlaut`, true, id);
      const shuffled = e.aliases.filter(() => r() < 0.35).slice(0, 3);
      for (const a of shuffled) add(a, truth, `${kindPrefix}alias`, false, id);
      // Already-linked rows: a real alias known by FK, sometimes reused verbatim or misspelt on unlinked rows.
      if (isActive && !duplicated.has(id) && e.aliases.length > 0 && r() < 0.2) {
        const a = pick(r, e.aliases);
        aliases.push({ name: a, key: keyOf(id), rows: 1 + Math.floor(r() * 20) });
        if (r() < 0.5) add(a, truth, 'known-alias', true, id);
        const ty = typo(r, a);
        if (ty && r() < 0.5) add(ty, truth, 'known-alias+typo', true, id);
      }
      // Hard negatives: related companies (parent/subsidiary) that are NOT masters here.
      for (const rel of e.related) {
        if (chosen[t]!.has(rel) || r() > 0.3) continue;
        const re = byId.get(rel);
        if (re) add(re.canonical, null, 'related-not-master', false, rel);
      }
    }
    // Orphans: companies that are masters nowhere.
    for (let i = 0; i < Math.floor(nMasters * 0.15); i++) {
      const e = orphanPool[Math.floor(r() * orphanPool.length)]!;
      add(gen ? negName(e.canonical) : r() < 0.7 || e.aliases.length === 0 ? e.canonical : pick(r, e.aliases), null, 'orphan', false, e.id);
    }
    // Cross-tenant: masters of other tenants only.
    for (let i = 0; i < Math.floor(nMasters * 0.1); i++) {
      const other = chosen[Math.floor(r() * nTenants)]!;
      const arr = [...other];
      const id = arr[Math.floor(r() * arr.length)]!;
      if (chosen[t]!.has(id)) continue;
      const e = byId.get(id)!;
      add(
        gen ? negName(e.canonical) : r() < 0.8 ? e.canonical : (typo(r, e.canonical) ?? e.canonical),
        null,
        'cross-tenant',
        false,
        id,
        true,
      );
    }

    // Label hygiene: a name whose normalised key equals a master of ANOTHER company here has no well-defined truth; drop it.
    const keyOwners = new Map<string, Set<string>>();
    for (const m of masters) {
      for (const k of normalizeName(m.name).keys) {
        const s = keyOwners.get(k) ?? new Set<string>();
        s.add(m.key.replace(/-dup$/, ''));
        keyOwners.set(k, s);
      }
    }
    const byName = new Map<string, BenchDoc[]>();
    for (const d of docs) {
      const owners = new Set<string>();
      for (const k of normalizeName(d.name).keys) for (const o of keyOwners.get(k) ?? []) owners.add(o);
      const ownKey = d.truth === null ? null : keyOf(d.entity);
      const foreign = [...owners].filter((o) => o !== ownKey);
      if (foreign.length > 0 || normalizeName(d.name).key.length === 0) {
        dropped++;
        continue;
      }
      const l = byName.get(d.name);
      if (l) l.push(d);
      else byName.set(d.name, [d]);
    }
    const clean: BenchDoc[] = [];
    for (const [, list] of [...byName.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const truths = new Set(list.map((d) => String(d.truth)));
      if (truths.size > 1) {
        dropped += list.length;
        continue;
      }
      clean.push(list[0]!);
      dropped += list.length - 1;
    }
    tenants.push({ id: tid, masters, aliases, docs: clean });
  }
  return { tenants, dropped };
}
