/**
 * Evidence beyond the name: columns present on both sides of a link (city, postcode, date of birth, tax id, …) weighed
 * like the name, the Fellegi–Sunter way. For each column, agreement on a value is worth log2(m / u) bits, where u is how
 * often a master of this scope has that value (term frequency: agreeing on a rare postcode says more than agreeing on the
 * capital); disagreement is worth log2((1 − m) / (1 − ū)) bits (ū: the chance two masters agree on the column at all).
 * A missing value on either side says nothing; values one edit apart (a typo in a postcode) neither.
 *
 * The bits move a fuzzy candidate's name score by `scorePerBit` each, at most `cap` either way: a matching tax id lifts a
 * weak name into review or over the auto-link threshold, a different city takes a strong one into review. Nothing is
 * fitted: m and the scale are set a priori (docs/matching.md, "Evidence beyond the name"). Pure; no I/O.
 */
import { stripAccents } from './fold.js';
import { damerauLevenshtein } from './similarity.js';
import type { Candidate, EvidenceValues, MasterRecord } from './types.js';

export const EVIDENCE_TUNING = {
  /** P(the column agrees | same entity): below 1 for typos, stale and re-keyed values. */
  m: 0.9,
  /** Score per bit: 10 bits (a value one master in a thousand has) is worth 0.2. */
  scorePerBit: 0.02,
  /** The most the other columns can move a name's score, either way. */
  cap: 0.2,
};

/** Values are compared case-, accent-, space- and punctuation-blind ("NW1 6XE" = "nw16xe"); empty is missing. */
export function normalizeEvidence(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const s = stripAccents(v.normalize('NFKD'))
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '');
  return s.length === 0 ? null : s;
}

/** What the other columns say about one candidate. */
export interface EvidenceWeight {
  bits: number;
  agree: number;
  disagree: number;
  near: number;
}

export interface EvidenceModel {
  /** The weight of master `key`'s columns against the document's; null when no column can be compared. */
  weigh(values: readonly (string | null)[], key: string): EvidenceWeight | null;
}

/**
 * Learn each column's value frequencies from the scope's masters; null when no master carries any value (nothing to
 * weigh, the matcher behaves as without columns).
 */
export function createEvidenceModel(masters: readonly MasterRecord[]): EvidenceModel | null {
  const byKey = new Map<string, (string | null)[]>();
  const counts: Map<string, number>[] = [];
  const totals: number[] = [];
  for (const m of masters) {
    if (m.evidence === undefined || byKey.has(m.key)) continue;
    const vals = m.evidence.map(normalizeEvidence);
    byKey.set(m.key, vals);
    vals.forEach((v, i) => {
      counts[i] ??= new Map();
      totals[i] = (totals[i] ?? 0) + (v === null ? 0 : 1);
      if (v !== null) counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + 1);
    });
  }
  if (totals.every((t) => t === 0)) return null;
  /** ū per column: the chance that two masters with a value agree on it. */
  const collision = counts.map((c, i) => {
    const t = totals[i] ?? 0;
    if (t === 0) return 0;
    let s = 0;
    for (const n of c.values()) s += (n / t) * (n / t);
    return s;
  });
  const { m } = EVIDENCE_TUNING;
  return {
    weigh(values, key) {
      const mine = byKey.get(key);
      if (mine === undefined) return null;
      const w: EvidenceWeight = { bits: 0, agree: 0, disagree: 0, near: 0 };
      let compared = 0;
      for (let i = 0; i < values.length && i < mine.length; i++) {
        const a = values[i] ?? null;
        const b = mine[i] ?? null;
        if (a === null || b === null) continue;
        compared++;
        const t = totals[i] ?? 0;
        if (a === b) {
          const u = Math.max(1, counts[i]?.get(b) ?? 1) / Math.max(1, t);
          w.bits += Math.max(0, Math.log2(m / u));
          w.agree++;
        } else if (Math.min(a.length, b.length) >= 4 && damerauLevenshtein(a, b) <= 1) {
          w.near++;
        } else {
          w.bits += Math.min(0, Math.log2((1 - m) / Math.max(1e-9, 1 - (collision[i] ?? 0))));
          w.disagree++;
        }
      }
      return compared === 0 ? null : w;
    },
  };
}

/** Normalised document values, or null when the document has none to compare. */
export function documentEvidence(values: EvidenceValues | undefined): (string | null)[] | null {
  if (values === undefined) return null;
  const out = values.map(normalizeEvidence);
  return out.some((v) => v !== null) ? out : null;
}

/**
 * Move each fuzzy candidate's score by its evidence (in place). The applied change is kept in the signals
 * (`evidence`, plus how many columns agreed, differed or were one edit apart) so the "why" adds up.
 */
export function applyEvidence(ranked: Candidate[], model: EvidenceModel, values: readonly (string | null)[]): void {
  const { scorePerBit, cap } = EVIDENCE_TUNING;
  for (const c of ranked) {
    if (c.method !== 'fuzzy') continue;
    const w = model.weigh(values, c.key);
    if (w === null) continue;
    const before = c.score;
    const delta = Math.max(-cap, Math.min(cap, w.bits * scorePerBit));
    c.score = Math.round(Math.min(1, Math.max(0, before + delta)) * 10000) / 10000;
    c.signals['evidence'] = Math.round((c.score - before) * 10000) / 10000;
    c.signals['evidenceAgree'] = w.agree;
    c.signals['evidenceDisagree'] = w.disagree;
    if (w.near > 0) c.signals['evidenceNear'] = w.near;
  }
}

/**
 * What the other columns say about a name the rules decided (exact, normalised or alias name), where the name alone
 * looks certain: `veto` when the one master it names differs on a column and agrees on none (a namesake: review, not a
 * link); `pick` when several masters share the name and exactly one agrees on a column without differing on any while
 * no other agrees on one (a namesake told apart).
 */
export function judgeRuled(
  keys: readonly string[],
  model: EvidenceModel,
  values: readonly (string | null)[],
): { veto: EvidenceWeight } | { pick: string } | null {
  const weights = keys.map((k) => model.weigh(values, k));
  if (keys.length === 1) {
    const w = weights[0];
    return w !== null && w !== undefined && w.disagree > 0 && w.agree === 0 ? { veto: w } : null;
  }
  const agreeing = keys.filter((_, i) => (weights[i]?.agree ?? 0) > 0);
  if (agreeing.length !== 1) return null;
  const w = weights[keys.indexOf(agreeing[0]!)]!;
  return w.disagree === 0 ? { pick: agreeing[0]! } : null;
}
