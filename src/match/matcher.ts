import { bestPerKey, compareCandidates, decideFuzzy, DEFAULT_MAX_CANDIDATES } from './decide.js';
import { applyEvidence, createEvidenceModel, documentEvidence, judgeRuled } from './evidence.js';
import { addTo, countOf, trimmed, valuesOf } from './multimap.js';
import type { Multi } from './multimap.js';
import { foldDigraphs, isCity, isGenericToken, isLegalWord, legalAgreement, normalizeName } from './normalize.js';
import { damerauLevenshtein, jaroWinkler, levenshteinSimilarity, phoneticMatch } from './similarity.js';
import { deletions, HAS_DIGIT, isAbbreviation, isEditNear, reconcileJoins, tokenRelation, tokenSimilarity } from './tokens.js';
import { MATCH_TUNING } from './tuning.js';
import type { Candidate, KnownAlias, MasterRecord, MatchMethod, MatchOptions, NameDecision, NormalizedName, EvidenceValues } from './types.js';

/**
 * The matcher of one scope: an index over that scope's active masters and known aliases, built once, then
 * `match(name)` per distinct name. Cost per name is bounded by the blocking caps, not by the number of masters.
 */

interface Entry {
  id: number;
  key: string;
  name: string;
  source: 'master' | 'alias';
  norm: NormalizedName;
  tokens: string[];
  weights: number[];
  wsum: number;
}

/** Words that mark a segment as an organisational unit when it stands apart from the name ("Finance Team"). */
const UNIT_WORDS = new Set(['team', 'department', 'dept', 'service', 'services', 'academy', 'centre', 'center', 'office', 'desk', 'unit',
  'division', 'programme', 'program', 'abteilung', 'servicio', 'servizio', 'afdeling', 'avdelning']);

/** Words that qualify an organisation's name as one of its sites, units or programmes, in several languages. */
const QUALIFIER_WORDS = new Set([
  'branch', 'branches', 'office', 'offices', 'site', 'plant', 'depot', 'warehouse', 'campus', 'store', 'shop', 'division', 'region',
  'regional', 'hq', 'headquarters', 'factory', 'hub', 'department', 'dept', 'team', 'unit', 'programme', 'program', 'centre',
  'center', 'desk', 'section', 'outlet', 'facility', 'location', 'accounts', 'payable', 'receivable',
  'procurement', 'purchasing', 'payroll', 'treasury',
  'graduate', 'hr', 'emea', 'apac', 'latam', 'filiale', 'niederlassung', 'werk', 'standort', 'abteilung', 'zweigstelle',
  'succursale', 'agence', 'usine', 'bureau', 'sucursal', 'oficina', 'fabrica', 'planta', 'filial', 'sede', 'stabilimento',
  'ufficio', 'vestiging', 'kantoor', 'afdeling', 'kontor', 'avdelning', 'avdeling', 'oddzial',
]);

/** Two legal forms tell two same-named masters apart only when both are present and of different families (GmbH vs Inc). */
function legalDistinguishes(a: string | null, b: string | null): boolean {
  return legalAgreement(a, b) === 'disagree';
}

const round4 = (x: number): number => Math.round(x * 10000) / 10000;

export interface Matcher {
  /** Decide `name`; `evidence`: the document's `compare` column values, weighed against the masters' (evidence.ts). */
  match(name: string, evidence?: EvidenceValues): NameDecision;
  /** Match while ignoring known aliases spelled exactly `excludeAlias` (leave-one-out evaluation). */
  matchExcluding(name: string, excludeAlias: string, evidence?: EvidenceValues): NameDecision;
  /** Keys of the entries blocking would score for `name` (for blocking-recall tests and explanations). */
  candidateKeys(name: string): string[];
  readonly size: { masters: number; aliases: number; tokens: number };
}

export function createMatcher(masters: MasterRecord[], aliases: KnownAlias[], options: MatchOptions): Matcher {
  const entries: Entry[] = [];
  const masterKeys = new Set(masters.map((m) => m.key));
  const exactIndex: Multi<Entry> = new Map();
  const aliasRaw: Multi<Entry> = new Map();
  const normIndex: Multi<Entry> = new Map();
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V): void => {
    const arr = m.get(k);
    if (arr) arr.push(v);
    else m.set(k, [v]);
  };
  const mkEntry = (key: string, name: string, source: 'master' | 'alias'): Entry => {
    const norm = normalizeName(name);
    return { id: entries.length, key, name, source, norm, tokens: norm.tokens, weights: [], wsum: 0 };
  };
  for (const m of masters) {
    const e = mkEntry(m.key, m.name, 'master');
    entries.push(e);
    addTo(exactIndex, m.name, e);
  }
  const useAliases = options.strategy !== 'exact';
  if (useAliases) {
    const seen = new Set<string>();
    const sorted = [...aliases].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const a of sorted) {
      if (!masterKeys.has(a.key)) continue; // linked to an inactive or unknown master: no evidence for active ones
      const id = `${a.key}\u0000${a.name}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const e = mkEntry(a.key, a.name, 'alias');
      entries.push(e);
      addTo(aliasRaw, a.name, e);
    }
  }

  // Document frequency per token = number of distinct keys whose names contain it.
  const df = new Map<string, number>();
  {
    const seenKeyTok = new Set<string>();
    for (const e of entries) {
      for (const t of e.tokens) {
        const id = `${e.key}\u0000${t}`;
        if (seenKeyTok.has(id)) continue;
        seenKeyTok.add(id);
        df.set(t, (df.get(t) ?? 0) + 1);
      }
    }
  }
  // Where each word stands in the scope's multi-word master names: how often it starts one and how often it ends one.
  // A name whose words are the master's rotated ("Ryan Thomas" for "Thomas Ryan") is in "surname first" order only
  // when the scope itself never starts a name with the master's last word nor ends one with its first (docs/matching.md).
  /** Words of the masters' names (not of known aliases: an alias "Global Suplies" is a spelling, not another name). */
  const masterWords = new Set<string>();
  for (const e of entries) if (e.source === 'master') for (const t of e.tokens) masterWords.add(t);
  const startsName = new Map<string, number>();
  const endsName = new Map<string, number>();
  let multiWordNames = 0;
  for (const e of entries) {
    if (e.source !== 'master' || e.tokens.length < 2) continue;
    multiWordNames++;
    const a = e.tokens[0]!;
    const z = e.tokens[e.tokens.length - 1]!;
    startsName.set(a, (startsName.get(a) ?? 0) + 1);
    endsName.set(z, (endsName.get(z) ?? 0) + 1);
  }
  /**
   * The name's words are the entry's words rotated (`qAl[i] = (i + k) mod n`, k ≠ 0: "Surname Given", "Surname Given
   * Middle") and the scope's own names place them that way round only: the word the name starts with never starts a
   * master name here and the word it ends with never ends one.
   */
  const rotatedByPosition = (qAl: number[], et: string[]): boolean => {
    const n = et.length;
    if (n < 2 || qAl.length !== n || multiWordNames < MATCH_TUNING.positionEvidence) return false;
    const k = qAl[0]!;
    if (k <= 0) return false;
    for (let i = 0; i < n; i++) if (qAl[i] !== (i + k) % n) return false;
    const head = et[k]!; // the master word the name starts with
    const tail = et[k - 1]!; // the master word the name ends with
    return (startsName.get(head) ?? 0) === 0 && (endsName.get(tail) ?? 0) === 0;
  };
  const N = Math.max(1, masterKeys.size);
  const idfOf = (t: string): number => {
    const d = df.get(t);
    const idf = d === undefined ? Math.log(1 + 2 * N) : Math.log(1 + N / d);
    return isGenericToken(t) ? idf * MATCH_TUNING.genericFactor : idf;
  };
  const unseenWeight = Math.log(1 + 2 * N);

  /** Entry ids per indexed string, ascending (entries are posted in id order, each string once per entry). */
  const postings: Multi<number> = new Map();
  const deleteIndex: Multi<string> = new Map();
  const post = (e: Entry, s: string): void => {
    const cur = postings.get(s);
    if (cur === e.id || (Array.isArray(cur) && cur[cur.length - 1] === e.id)) return; // already posted under s
    addTo(postings, s, e.id);
  };
  /** Entry `id` is posted under `s` (binary search of the ascending posting list). */
  const isPosted = (id: number, s: string): boolean => {
    const cur = postings.get(s);
    if (!Array.isArray(cur)) return cur === id;
    let lo = 0;
    let hi = cur.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = cur[mid]!;
      if (x === id) return true;
      if (x < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  };
  for (const e of entries) {
    e.weights = e.tokens.map(idfOf);
    e.wsum = e.weights.reduce((a, b) => a + b, 0);
    if (options.strategy !== 'exact') {
      for (const k of e.norm.keys) addTo(normIndex, k, e);
      if (e.norm.qualifiedKey !== null && !e.norm.keys.includes(e.norm.qualifiedKey)) addTo(normIndex, e.norm.qualifiedKey, e);
    }
    if (options.strategy !== 'fuzzy') continue;
    e.tokens.forEach((t, i) => {
      post(e, t);
      const f = foldDigraphs(t);
      if (f !== t) post(e, f);
      const next = e.tokens[i + 1];
      if (next !== undefined) post(e, t + next);
    });
    if (e.tokens.length > 1) post(e, e.norm.compact);
  }
  /** Scope words of 4-7 letters by first letter and length, for two-edit readings (soleReading2). */
  const byHead = new Map<string, string[]>();
  if (options.strategy === 'fuzzy') {
    for (const t of df.keys()) if (t.length >= 4 && t.length <= 9 && !HAS_DIGIT.test(t)) push(byHead, `${t[0]}${t.length}`, t);
  }
  // Three-letter words, apart: blocking never probes them for typos; only soleReading reads this one.
  const shortDeleteIndex: Multi<string> = new Map();
  if (options.strategy === 'fuzzy') {
    for (const t of df.keys()) {
      if (t.length < 3 || HAS_DIGIT.test(t)) continue;
      for (const d of new Set(deletions(t))) addTo(t.length < 4 ? shortDeleteIndex : deleteIndex, d, t);
    }
  }
  for (const m of [exactIndex, aliasRaw, normIndex]) trimmed(m);
  trimmed(postings);
  for (const m of [deleteIndex, shortDeleteIndex]) trimmed(m);

  const maxCandidates = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;

  // ---------------------------------------------------------------- blocking
  function block(q: NormalizedName, excluded: string | null): Entry[] {
    // Exact probes: tokens, their digraph folds, adjacent pairs and the whole compact name ("akzonobel").
    const probes = new Set<string>();
    const fuzzyProbes = new Set<string>();
    q.tokens.forEach((t, i) => {
      probes.add(t);
      fuzzyProbes.add(t);
      probes.add(foldDigraphs(t));
      const next = q.tokens[i + 1];
      if (next !== undefined) probes.add(t + next);
    });
    if (q.tokens.length > 1) probes.add(q.compact);
    // (vocabulary string, similarity) hits
    const hits = new Map<string, number>();
    const addHit = (v: string, sim: number): void => {
      const prev = hits.get(v);
      if (prev === undefined || prev < sim) hits.set(v, sim);
    };
    for (const p of probes) if (postings.has(p)) addHit(p, 1);
    // Near probes (one edit) for single tokens only, through the deletion index of the token vocabulary.
    for (const p of fuzzyProbes) {
      if (p.length < 4 || HAS_DIGIT.test(p) || (df.get(p) ?? 0) > 20) continue; // common words are not typos
      const near = new Set<string>();
      for (const v of valuesOf(deleteIndex, p)) near.add(v);
      for (const d of deletions(p)) {
        if (postings.has(d) && d.length >= 4) near.add(d);
        for (const v of valuesOf(deleteIndex, d)) near.add(v);
      }
      for (const v of near) {
        if (v === p) continue;
        if (damerauLevenshtein(p, v) <= 1) addHit(v, 0.8);
      }
    }
    const ordered = [...hits.entries()]
      .map(([v, sim]) => ({ v, sim, w: idfOf(v), n: countOf(postings, v) }))
      .sort((a, b) => a.n - b.n || b.w - a.w || (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
    const acc = new Map<number, number>();
    for (const h of ordered) {
      if (!postings.has(h.v)) continue;
      const list = valuesOf(postings, h.v);
      const gain = h.w * h.sim;
      if (acc.size === 0 || (acc.size < MATCH_TUNING.poolMax && list.length <= MATCH_TUNING.postingCap)) {
        for (const id of list) acc.set(id, (acc.get(id) ?? 0) + gain);
      } else {
        for (const [id, w] of acc) if (isPosted(id, h.v)) acc.set(id, w + gain);
      }
    }
    let qW = 0;
    for (const t of q.tokens) qW += df.has(t) ? idfOf(t) : unseenWeight;
    const ranked: { e: Entry; s: number }[] = [];
    for (const [id, w] of acc) {
      const e = entries[id]!;
      if (excluded !== null && e.source === 'alias' && e.name === excluded) continue;
      ranked.push({ e, s: w / Math.max(1e-9, qW + e.wsum - w) });
    }
    ranked.sort((a, b) => b.s - a.s || a.e.id - b.e.id);
    return ranked.slice(0, MATCH_TUNING.scoreTop).map((r) => r.e);
  }

  // ---------------------------------------------------------------- scoring
  /**
   * A name word that is no word of this scope and lies one edit from exactly one word of the scope's vocabulary gives
   * that word: the name's word is then a typo of it as far as the scope can tell ("Mloly" has no reading but "Molly"),
   * which is stronger evidence than one edit between two words that both exist ("Caitlin" / "Caitlyn"). The edit must
   * keep the first letter: a changed first letter makes another word more often than a typo ("Best" / "Test").
   */
  function soleReading(t: string): string | null {
    if (t.length < 3 || HAS_DIGIT.test(t) || df.has(t)) return null;
    const near = new Set<string>();
    for (const v of valuesOf(deleteIndex, t)) near.add(v);
    for (const d of deletions(t)) {
      if (df.has(d) && d.length >= 3) near.add(d);
      for (const v of valuesOf(deleteIndex, d)) near.add(v);
      for (const v of valuesOf(shortDeleteIndex, d)) near.add(v);
    }
    let only: string | null = null;
    let n = 0;
    for (const v of near) {
      if (v !== t && v[0] === t[0] && damerauLevenshtein(t, v) <= 1) {
        n++;
        only = v;
      }
    }
    return n === 1 ? only : null;
  }
  /**
   * The same with two edits, for a word of 5-7 letters with no one-edit reading: the one scope word with the same first
   * letter two edits from it ("Maruc" / "Marcus", "Janegs" / "James").
   */
  function soleReading2(t: string): string | null {
    if (t.length < 5 || t.length > 7 || HAS_DIGIT.test(t) || df.has(t) || soleReading(t) !== null) return null;
    let only: string | null = null;
    for (let len = t.length - 2; len <= t.length + 2; len++) {
      for (const v of byHead.get(`${t[0]}${len}`) ?? []) {
        if (damerauLevenshtein(t, v) > 2) continue;
        if (only !== null) return null;
        only = v;
      }
    }
    return only;
  }
  /** soleReading memoised for one name (its words and the words it joins into). */
  const readingsOf = (read: (t: string) => string | null): ((t: string) => string | null) => {
    const memo = new Map<string, string | null>();
    return (t) => {
      let r = memo.get(t);
      if (r === undefined) {
        r = read(t);
        memo.set(t, r);
      }
      return r;
    };
  };

  function score(q: NormalizedName, e: Entry, typoOf: (t: string) => string | null, typo2Of: (t: string) => string | null): Candidate {
    const qt = reconcileJoins(q.tokens, e.tokens, true);
    const et = e.tokens;
    const pairs: { i: number; j: number; s: number }[] = [];
    for (let i = 0; i < qt.length; i++) {
      for (let j = 0; j < et.length; j++) {
        let s = tokenSimilarity(qt[i]!, et[j]!);
        // A typo with a single reading in this scope, short words included ("Rei" of "Reid", "Mloly" of "Molly").
        if (s < MATCH_TUNING.soleTypoSim && typoOf(qt[i]!) === et[j]) s = MATCH_TUNING.soleTypoSim;
        else if (s === 0 && qt[i]![0] === et[j]![0] && typo2Of(qt[i]!) === et[j]) s = MATCH_TUNING.soleTypo2Sim;
        // Two different words that are both words of this scope ("Jordan" / "Jordyn", "Gadis" / "Gadisa") are two
        // names, not a typo of one: no more alike than a phonetic match.
        else if (s > MATCH_TUNING.phoneticTokenSim && s < 0.97 && masterWords.has(qt[i]!) && isEditNear(qt[i]!, et[j]!)) s = MATCH_TUNING.phoneticTokenSim;
        // A name-side "abbreviation" that is a word of its own in this scope ("Jack" / "Jackson") is not one.
        if (s === MATCH_TUNING.abbreviationSim && qt[i]!.length < et[j]!.length && df.has(qt[i]!) && isAbbreviation(qt[i]!, et[j]!)) s = 0;
        // Nor is a master's short word that two masters use ("Jack" of "Jack Carbone" is no abbreviation of "Jackson"),
        // as in containment.
        if (s === MATCH_TUNING.abbreviationSim && et[j]!.length < qt[i]!.length && (df.get(et[j]!) ?? 0) >= 2 && isAbbreviation(et[j]!, qt[i]!)) s = 0;
        if (s > 0) pairs.push({ i, j, s });
      }
    }
    pairs.sort((a, b) => b.s - a.s || a.i - b.i || a.j - b.j);
    const qAl = new Array<number>(qt.length).fill(-1);
    const eAl = new Array<number>(et.length).fill(-1);
    const simOf = new Array<number>(qt.length).fill(0);
    for (const p of pairs) {
      if (qAl[p.i] !== -1 || eAl[p.j] !== -1) continue;
      qAl[p.i] = p.j;
      eAl[p.j] = p.i;
      simOf[p.i] = p.s;
    }
    let qSum = 0;
    let qGot = 0;
    let eGot = 0;
    let phon = 0;
    const matched: string[] = [];
    for (let i = 0; i < qt.length; i++) {
      const t = qt[i]!;
      const j = qAl[i]!;
      const wq = df.has(t) ? idfOf(t) : j >= 0 ? e.weights[j]! : unseenWeight;
      qSum += wq;
      if (j >= 0) {
        const s = simOf[i]!;
        qGot += wq * s;
        eGot += e.weights[j]! * s;
        const other = et[j]!;
        // A typo read as its word sounds like it; two names of the scope that sound alike ("Jordan" / "Jordyn") are
        // still two names.
        if (t === other || typoOf(t) === other || (simOf[i] === MATCH_TUNING.soleTypo2Sim && typo2Of(t) === other) || (!masterWords.has(t) && phoneticMatch(t, other))) phon += wq;
        matched.push(t === other ? t : `${t}~${other}`);
      }
    }
    const covQ = qSum > 0 ? qGot / qSum : 0;
    const covE = e.wsum > 0 ? eGot / e.wsum : 0;
    let tok = covQ + covE > 0 ? (2 * covQ * covE) / (covQ + covE) : 0;
    const compactEqual = q.compact === e.norm.compact || q.keys.some((k) => e.norm.keys.includes(k));
    if (compactEqual) tok = 1;
    let jw = jaroWinkler(q.compact, e.norm.compact);
    let lev = levenshteinSimilarity(q.compact, e.norm.compact);
    // Word order ("Smith John" / "John Smith"): compare characters with the name's words in the entry's order too.
    const order = qt.map((t, i) => ({ t, k: qAl[i]! >= 0 ? qAl[i]! : et.length + i }));
    let reordered = false;
    let reorderOnly = false;
    for (let i = 1; i < order.length; i++) if (order[i]!.k < order[i - 1]!.k) reordered = true;
    if (reordered && !compactEqual) {
      const rc = order.sort((a, b) => a.k - b.k).map((x) => x.t).join('');
      const rjw = MATCH_TUNING.reorderFactor * jaroWinkler(rc, e.norm.compact);
      const rlev = MATCH_TUNING.reorderFactor * levenshteinSimilarity(rc, e.norm.compact);
      if (rjw + rlev > jw + lev) {
        jw = rjw;
        lev = rlev;
        reorderOnly = true;
      }
    }
    // Surname-first order the scope's names vouch for is the same name, not a reordering that might be another person.
    const rotated = reorderOnly && rotatedByPosition(qAl, et);
    if (rotated) reorderOnly = false;
    const charSim = compactEqual ? 1 : (jw + lev) / 2;
    const phonetic = compactEqual ? 1 : qSum > 0 ? phon / qSum : 0;
    const legal = legalAgreement(q.legalForm, e.norm.legalForm);
    const adj = legal === 'disagree' ? MATCH_TUNING.legalDisagree : 0;
    const extraName = qt.filter((t, i) => qAl[i] === -1 && !isGenericToken(t));
    const extraMaster = et.filter((t, j) => eAl[j] === -1 && !isGenericToken(t));
    const numberDiffers = [...qt.filter((_, i) => qAl[i] === -1), ...et.filter((_, j) => eAl[j] === -1)].some((t) => HAS_DIGIT.test(t));
    const wordConflict = !compactEqual && ((extraName.length > 0 && extraMaster.length > 0) || numberDiffers);
    const raw = MATCH_TUNING.wToken * tok + MATCH_TUNING.wChar * charSim + MATCH_TUNING.wPhonetic * phonetic + adj;
    const cap = Math.min(wordConflict ? MATCH_TUNING.conflictCap : 1, reorderOnly ? MATCH_TUNING.reorderCap : 1);
    const s = round4(Math.min(cap, Math.max(0, raw)));
    return {
      key: e.key,
      name: e.name,
      score: s,
      method: 'fuzzy',
      signals: {
        via: e.source,
        tokenScore: round4(tok),
        coverageName: round4(covQ),
        coverageMaster: round4(covE),
        charSim: round4(charSim),
        jaroWinkler: round4(jw),
        levenshtein: round4(lev),
        phonetic: round4(phonetic),
        legalForm: legal,
        compactEqual,
        wordConflict,
        reordered: reorderOnly,
        ...(rotated ? { order: 'surname-first' } : {}),
        matchedTokens: matched.join(' '),
        unmatchedName: qt.filter((_, i) => qAl[i] === -1).join(' '),
        unmatchedMaster: et.filter((_, j) => eAl[j] === -1).join(' '),
      },
    };
  }

  // ---------------------------------------------------------------- unique containment
  /**
   * How the name relates to an entry when every token of one side has a counterpart on the other that is the same
   * word, its abbreviation or its initial (never a typo guess). null when neither side is contained.
   */
  function containment(qt: string[], e: Entry): { rel: 'equal' | 'superset' | 'subset'; extraQ: string[]; extraE: string[]; anchor: boolean; initials: boolean } | null {
    const et = e.tokens;
    const qUsed = new Array<boolean>(qt.length).fill(false);
    const eUsed = new Array<boolean>(et.length).fill(false);
    let anchor = false;
    let loose = false;
    let initials = false;
    for (const pass of ['same', 'other'] as const) {
      for (let j = 0; j < et.length; j++) {
        if (eUsed[j]) continue;
        for (let i = 0; i < qt.length; i++) {
          if (qUsed[i]) continue;
          const r = tokenRelation(qt[i]!, et[j]!);
          if (r === null || (pass === 'same') !== (r === 'same')) continue;
          // A "short form" that is a word of its own in this scope ("Jack" / "Jackson") is not an abbreviation.
          if (r === 'abbreviation' && (df.get(qt[i]!.length < et[j]!.length ? qt[i]! : et[j]!) ?? 0) >= (qt[i]!.length < et[j]!.length ? 1 : 2)) continue;
          if (r === 'initial' && qt.length + et.length < 4) continue;
          if (r !== 'same') loose = true;
          if (r === 'initial') initials = true;
          qUsed[i] = true;
          eUsed[j] = true;
          if (r === 'same' && qt[i]!.length >= 3 && !isGenericToken(qt[i]!) && !HAS_DIGIT.test(qt[i]!)) anchor = true;
          break;
        }
      }
    }
    const extraQ = qt.filter((_, i) => !qUsed[i]);
    const extraE = et.filter((_, j) => !eUsed[j]);
    if (extraQ.length > 0 && extraE.length > 0) return null;
    if (extraQ.length === qt.length) return null;
    if (extraQ.length === 0 && extraE.length === 0 && !loose) return null; // same words: the scorer's business
    return { rel: extraQ.length === 0 && extraE.length === 0 ? 'equal' : extraE.length === 0 ? 'superset' : 'subset', extraQ, extraE, anchor, initials };
  }

  /** A word around an organisation's name that names a site, unit, place or legal form rather than another organisation. */
  const isQualifier = (t: string): boolean =>
    !HAS_DIGIT.test(t) && (QUALIFIER_WORDS.has(t) || isCity(t) || isLegalWord(t) || t === 'and' || t === 'the' || t === 'of');

  /** Every extra word is a qualifier; two-word places count as one ("north america"). */
  const allQualifiers = (extra: string[]): boolean => {
    for (let i = 0; i < extra.length; i++) {
      if (i + 1 < extra.length && isCity(`${extra[i]!} ${extra[i + 1]!}`)) {
        i++;
        continue;
      }
      if (!isQualifier(extra[i]!)) return false;
    }
    return true;
  };

  /**
   * The name is the entry's name (with qualifiers only) in one punctuation-separated segment (comma, spaced dash,
   * brackets) and every other segment is a short unit name (≤ 3 words, one of them a unit word: department, team,
   * centre, services, academy, ...; no number, no legal form).
   */
  function unitSegments(q: NormalizedName, e: Entry): boolean {
    const segs = q.original.split(/,|;|\s[-–—]\s|[()]/u).map((x) => normalizeName(x).tokens).filter((t) => t.length > 0);
    if (segs.length < 2) return false;
    let own = 0;
    for (const seg of segs) {
      const set = new Set(seg);
      if (e.tokens.every((t) => set.has(t))) {
        const rest = [...e.tokens];
        const extra = seg.filter((t) => {
          const i = rest.indexOf(t);
          if (i < 0) return true;
          rest.splice(i, 1);
          return false;
        });
        if (!allQualifiers(extra)) return false;
        own++;
        continue;
      }
      if (seg.length > 3 || !seg.some((t) => UNIT_WORDS.has(t) || QUALIFIER_WORDS.has(t)) || seg.some((t) => HAS_DIGIT.test(t) || isLegalWord(t))) return false;
    }
    return own === 1;
  }

  /** Another master of the scope whose name contains all of `e`'s words (a child of `e`: "Acme" -> "Acme Bank"). */
  function hasChild(e: Entry): boolean {
    let rarest: number[] | undefined;
    for (const t of e.tokens) {
      if (!postings.has(t)) return true; // cannot check: be safe
      const p = valuesOf(postings, t);
      if (rarest === undefined || p.length < rarest.length) rarest = p;
    }
    if (rarest === undefined || rarest.length > MATCH_TUNING.containmentPosting) return true;
    for (const id of rarest) {
      const o = entries[id]!;
      if (o.key === e.key || o.tokens.length <= e.tokens.length) continue;
      if (e.tokens.every((t) => o.tokens.includes(t))) return true;
    }
    return false;
  }

  /**
   * Unique containment: raise the one entry the name contains (with qualifier words around it) or is contained in
   * (the master adds only generic words), or equals up to abbreviations/initials, to containmentScore. Never when
   * another master is also contained/containing, or when a child of the contained master exists (parent and child).
   */
  function applyContainment(q: NormalizedName, blocked: Entry[], ranked: Candidate[]): void {
    const hits = new Map<string, { e: Entry; rel: 'equal' | 'superset' | 'subset'; ok: boolean }>();
    const rivals = new Set<string>();
    for (const e of blocked) {
      const qt = reconcileJoins(q.tokens, e.tokens);
      const c = containment(qt, e);
      if (c === null) continue;
      rivals.add(e.key);
      let ok = c.anchor;
      if (c.rel === 'superset' && ok && !allQualifiers(c.extraQ)) {
        // The extra words may instead be a unit in a segment of their own ("Acme, Finance Team", "Customer Service - Acme").
        ok = unitSegments(q, e);
        if (ok) c.extraQ = [];
      }
      if (ok && c.rel === 'superset') {
        // Its own legal form makes the name a separate company ("Acme Benelux B.V." is not a site of "Acme").
        const eLegal = new Set((e.norm.legalForm ?? '').split(' '));
        const ownLegal = c.extraQ.some((t) => isLegalWord(t) && !eLegal.has(normalizeName(t).legalForm ?? t)) ||
          (q.legalForm !== null && q.legalForm !== e.norm.legalForm);
        ok = !ownLegal && !c.initials && allQualifiers(c.extraQ) && !hasChild(e);
      }
      if (ok && c.rel === 'subset') ok = c.extraE.every((t) => isLegalWord(t) || t === 'the' || t === 'and') && qt.some((t) => !isGenericToken(t) && t.length >= 4);
      if (ok && legalAgreement(q.legalForm, e.norm.legalForm) === 'disagree') ok = false;
      const prev = hits.get(e.key);
      if (prev === undefined || (!prev.ok && ok)) hits.set(e.key, { e, rel: c.rel, ok });
    }
    if (rivals.size !== 1) return;
    const [only] = [...hits.values()];
    if (only === undefined || !only.ok) return;
    const cand = ranked.find((c) => c.key === only.e.key);
    if (cand === undefined || cand.score >= MATCH_TUNING.containmentScore) return;
    cand.score = MATCH_TUNING.containmentScore;
    cand.signals['containment'] = only.rel;
  }

  const certain = (e: Entry, method: MatchMethod, rule: string): Candidate => ({
    key: e.key,
    name: e.name,
    score: 1,
    method,
    signals: { via: e.source, rule },
  });

  function keysOf(list: Entry[]): string[] {
    return [...new Set(list.map((e) => e.key))].sort();
  }

  function decisionFor(name: string, method: MatchMethod, list: Entry[], rule: string, docValues: (string | null)[] | null = null): NameDecision {
    const cands = bestPerKey(list.map((e) => certain(e, method, rule)));
    const keys = keysOf(list);
    const judged = evidenceModel !== null && docValues !== null ? judgeRuled(keys, evidenceModel, docValues) : null;
    if (judged !== null && 'veto' in judged) {
      return {
        name, outcome: 'review', targetKey: null, method: null, score: 1, candidates: cands.slice(0, maxCandidates),
        reason: `${rule}, but ${judged.veto.disagree} other column(s) differ and none agrees: a namesake? best candidate ${keys[0]!}`,
      };
    }
    if (judged !== null && 'pick' in judged) {
      const picked = cands.filter((c) => c.key === judged.pick).concat(cands.filter((c) => c.key !== judged.pick));
      return { name, outcome: 'linked', targetKey: judged.pick, method, score: 1, candidates: picked.slice(0, maxCandidates), reason: `${rule}: ${keys.length} masters; only ${judged.pick} agrees on the other columns` };
    }
    if (keys.length === 1) {
      return { name, outcome: 'linked', targetKey: keys[0]!, method, score: 1, candidates: cands.slice(0, maxCandidates), reason: rule };
    }
    return {
      name, outcome: 'ambiguous', targetKey: null, method: null, score: 1, candidates: cands.slice(0, maxCandidates),
      reason: `${rule}: ${keys.length} different masters (${keys.slice(0, 5).join(', ')})`,
    };
  }

  function normLookup(q: NormalizedName, excluded: string | null): Entry[] {
    const ok = (e: Entry): boolean => !(excluded !== null && e.source === 'alias' && e.name === excluded);
    if (q.qualifiedKey !== null) {
      const hit = valuesOf(normIndex, q.qualifiedKey).filter(ok);
      if (hit.length > 0) return hit;
    }
    const out: Entry[] = [];
    const seen = new Set<number>();
    for (const k of q.keys) {
      for (const e of valuesOf(normIndex, k)) {
        if (!seen.has(e.id) && ok(e)) {
          seen.add(e.id);
          out.push(e);
        }
      }
    }
    return out;
  }

  const evidenceModel = options.strategy === 'fuzzy' ? createEvidenceModel(masters) : null;

  function run(name: string, excluded: string | null, evidence: EvidenceValues | undefined): NameDecision {
    const exact = valuesOf(exactIndex, name);
    if (options.strategy === 'exact') {
      if (exact.length === 0) return { name, outcome: 'unmatched', targetKey: null, method: null, score: null, candidates: [], reason: 'no active master has exactly this name' };
      return decisionFor(name, 'exact', exact, 'exact name');
    }
    const q = normalizeName(name, { store: false });
    const normHits = normLookup(q, excluded);
    const docValues = evidenceModel === null ? null : documentEvidence(evidence);
    if (exact.length > 0) {
      // An exact hit is only safe if no other master has the same normalised name with an indistinguishable legal
      // form ("Foo" vs "Foo Inc."): such near-duplicate masters make the name ambiguous.
      const exactKeys = new Set(exact.map((e) => e.key));
      const rivals = normHits.filter((e) => e.source === 'master' && !exactKeys.has(e.key) && !legalDistinguishes(q.legalForm, e.norm.legalForm));
      if (rivals.length > 0) return decisionFor(name, 'exact', [...exact, ...rivals], 'exact name, but another master has the same normalised name', docValues);
      return decisionFor(name, 'exact', exact, 'exact name', docValues);
    }

    const rawAlias = name === excluded ? [] : valuesOf(aliasRaw, name);
    if (rawAlias.length > 0) {
      const all = [...rawAlias, ...normHits.filter((e) => e.source === 'master')];
      return decisionFor(name, 'alias', all, keysOf(all).length > 1 && keysOf(rawAlias).length === 1 ? 'known alias conflicts with a master of the same normalised name' : 'known alias (existing FK)', docValues);
    }
    let fallThroughDisagree = false;
    if (normHits.length > 0 && q.key.length > 0) {
      const keys = keysOf(normHits);
      const method: MatchMethod = normHits.some((e) => e.source === 'master') ? 'normalized' : 'alias';
      if (keys.length > 1 && q.legalForm !== null) {
        const agree = normHits.filter((e) => e.source === 'master' && e.norm.legalForm === q.legalForm);
        const others = normHits.filter((e) => !agree.includes(e));
        if (keysOf(agree).length === 1 && others.every((e) => legalDistinguishes(q.legalForm, e.norm.legalForm))) return decisionFor(name, method, agree, 'normalised name, legal form breaks the tie', docValues);
      }
      if (keys.length === 1 && options.strategy === 'fuzzy' && normHits.every((e) => legalAgreement(q.legalForm, e.norm.legalForm) === 'disagree')) {
        fallThroughDisagree = true; // same name, different legal form family: let the score (with its penalty) decide
      } else {
        return decisionFor(name, method, normHits, method === 'alias' ? 'known alias (normalised)' : 'normalised name', docValues);
      }
    }
    if (options.strategy === 'normalized' || q.tokens.length === 0) {
      return { name, outcome: 'unmatched', targetKey: null, method: null, score: null, candidates: [], reason: 'no master or known alias has the same normalised name' };
    }
    const blocked = block(q, excluded);
    if (fallThroughDisagree) for (const e of normHits) if (!blocked.includes(e)) blocked.push(e);
    const typoOf = readingsOf(soleReading);
    const typo2Of = readingsOf(soleReading2);
    const ranked = bestPerKey(blocked.map((e) => score(q, e, typoOf, typo2Of)));
    applyContainment(q, blocked, ranked);
    if (evidenceModel !== null && docValues !== null) applyEvidence(ranked, evidenceModel, docValues);
    ranked.sort(compareCandidates);
    return decideFuzzy(name, ranked, options);
  }

  return {
    match: (name, evidence) => run(name, null, evidence),
    matchExcluding: (name, excludeAlias, evidence) => run(name, excludeAlias, evidence),
    candidateKeys(name) {
      const q = normalizeName(name);
      const keys = new Set<string>();
      for (const e of valuesOf(exactIndex, name)) keys.add(e.key);
      for (const e of normLookup(q, null)) keys.add(e.key);
      if (options.strategy === 'fuzzy') for (const e of block(q, null)) keys.add(e.key);
      return [...keys].sort();
    },
    size: { masters: masters.length, aliases: entries.length - masters.length, tokens: df.size },
  };
}
