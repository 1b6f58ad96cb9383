/**
 * Why a candidate got its score, as a waterfall: each signal's contribution to the score the matcher
 * computed (see `score` in matcher.ts): wToken × token score + wChar × character similarity +
 * wPhonetic × phonetic share + legal-form penalty, then capped (word conflict) and clamped to [0, 1].
 * Pure; rule-based candidates (exact, normalized, alias) have one step: the rule.
 */
import { MATCH_TUNING } from './tuning.js';

export interface Contribution {
  /** Stable id of the step. */
  signal: 'tokens' | 'characters' | 'phonetic' | 'legalForm' | 'wordConflict' | 'reordered' | 'droppedWord' | 'clamp' | 'rule' | 'evidence';
  label: string;
  /** Added to the score by this step (negative: taken off). */
  value: number;
  /** The signal's own value (before its weight), when it has one. */
  raw?: number;
}

function n(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function r4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/** Contributions that add up to `score` (to rounding); [] when the signals are not the fuzzy scorer's. */
export function explainScore(score: number | null, signals: Record<string, unknown>): Contribution[] {
  const ev = n(signals['evidence']);
  if (ev !== null && score !== null) {
    // The other columns moved the name's score last (evidence.ts): explain the name's score, then that step.
    const { evidence: _moved, ...nameOnly } = signals;
    const agree = n(signals['evidenceAgree']) ?? 0;
    const differ = n(signals['evidenceDisagree']) ?? 0;
    const label = `other columns: ${agree} agree, ${differ} differ`;
    return [...explainScore(r4(score - ev), nameOnly), { signal: 'evidence', label, value: ev }];
  }
  const tok = n(signals['tokenScore']);
  const chr = n(signals['charSim']);
  const ph = n(signals['phonetic']);
  if (tok === null || chr === null || ph === null) {
    const rule = typeof signals['rule'] === 'string' ? signals['rule'] : null;
    return score === null || rule === null ? [] : [{ signal: 'rule', label: `rule: ${rule}`, value: score }];
  }
  const t = MATCH_TUNING;
  const out: Contribution[] = [
    { signal: 'tokens', label: `words (×${t.wToken})`, value: r4(t.wToken * tok), raw: tok },
    { signal: 'characters', label: `characters (×${t.wChar})`, value: r4(t.wChar * chr), raw: chr },
    { signal: 'phonetic', label: `sound (×${t.wPhonetic})`, value: r4(t.wPhonetic * ph), raw: ph },
  ];
  let raw = t.wToken * tok + t.wChar * chr + t.wPhonetic * ph;
  if (signals['legalForm'] === 'disagree') {
    out.push({ signal: 'legalForm', label: 'legal forms differ', value: t.legalDisagree });
    raw += t.legalDisagree;
  }
  if (signals['wordConflict'] === true && raw > t.conflictCap) {
    out.push({
      signal: 'wordConflict',
      label: `a distinguishing word differs: capped at ${t.conflictCap}`,
      value: r4(t.conflictCap - raw),
    });
    raw = t.conflictCap;
  }
  if (signals['reordered'] === true && raw > t.reorderCap) {
    out.push({
      signal: 'reordered',
      label: `alike only with the words reordered: capped at ${t.reorderCap}`,
      value: r4(t.reorderCap - raw),
    });
    raw = t.reorderCap;
  }
  if (signals['legalForm'] === 'disagree' && raw > t.legalDisagreeCap) {
    out.push({
      signal: 'legalForm',
      label: `another legal form can be another company: capped at ${t.legalDisagreeCap}`,
      value: r4(t.legalDisagreeCap - raw),
    });
    raw = t.legalDisagreeCap;
  }
  const dropped = signals['droppedWord'];
  if (typeof dropped === 'string' && raw > t.droppedWordCap) {
    out.push({
      signal: 'droppedWord',
      label: `leaves out "${dropped}", which tells this master from others here: capped at ${t.droppedWordCap}`,
      value: r4(t.droppedWordCap - raw),
    });
    raw = t.droppedWordCap;
  }
  const clamped = Math.min(1, Math.max(0, raw));
  if (Math.abs(clamped - raw) > 1e-9) out.push({ signal: 'clamp', label: 'kept within 0…1', value: r4(clamped - raw) });
  return out;
}
