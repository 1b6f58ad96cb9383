/**
 * Names that carry two names of one party: "Joe Smith dba Smith Plumbing", "Acme Holdings LLC (d/b/a Joe's Diner)",
 * "Northwind t/a Northwind Foods", "Contoso aka Contoso Labs", "Fabrikam Inc fka Fabricam Corp". Either name may be
 * the one a master holds (its legal name or its trading name): a document's name is read as each of its names, and a
 * master's name gives an entry for each of its own (matcher-index.ts). The two readings must not disagree.
 */
import { bestPerKey, DEFAULT_MAX_CANDIDATES } from './decide.js';
import type { Candidate, MatchOptions, NameDecision } from './types.js';

/**
 * The words that join a party's two names: doing business as, trading as, also known as, formerly known as, in their
 * written forms (`dba`, `d/b/a`, `d.b.a.`, `t/a`, `aka`, `a/k/a`, `fka`, `f/k/a`, `formerly`), between two names.
 */
const JOIN =
  /\s+\(?\s*(?:d\/b\/a|d\.\s?b\.\s?a\.?|dba|doing business as|t\/a|trading as|a\/k\/a|a\.k\.a\.?|aka|also known as|f\/k\/a|f\.k\.a\.?|fka|formerly known as|formerly)\s*[:.,-]?\s+/iu;

/**
 * The two names of `name` ("A dba B" → ["A", "B"]) when it joins two (each with a letter, and the join once); else
 * null. A closing bracket of "(dba B)" and punctuation left at either end are dropped.
 */
export function tradeNames(name: string): [string, string] | null {
  const m = JOIN.exec(name);
  if (m === null) return null;
  const a = trim(name.slice(0, m.index));
  const b = trim(name.slice(m.index + m[0].length).replace(/\)\s*$/u, ''));
  if (!/\p{L}/u.test(a) || !/\p{L}/u.test(b) || JOIN.test(` ${b}`)) return null;
  return [a, b];
}

function trim(s: string): string {
  return s.replace(/^[\s,;:.\-–(]+|[\s,;:\-–(]+$/gu, '');
}

/**
 * One decision from the decisions on a name's two names: linked when one of them links a master and the other names
 * no other master above `reviewAt` (it is the same party's other name, which the scope may not hold); ambiguous
 * when they link two masters; otherwise review of the candidates of both (never an auto-link both did not give).
 */
export function decideTradeNames(name: string, parts: readonly NameDecision[], options: MatchOptions): NameDecision {
  const candidates = bestPerKey(parts.flatMap((d) => d.candidates)).slice(0, options.maxCandidates ?? DEFAULT_MAX_CANDIDATES);
  const linked = [...new Set(parts.filter((d) => d.outcome === 'linked').map((d) => d.targetKey!))];
  const names = parts.map((d) => JSON.stringify(d.name)).join(' and ');
  if (linked.length > 1)
    return {
      name,
      outcome: 'ambiguous',
      targetKey: null,
      method: null,
      score: Math.max(...parts.map((d) => d.score ?? 0)),
      candidates,
      reason: `two names of one party (${names}) link two different masters (${linked.join(', ')})`,
    };
  if (linked.length === 1) {
    const key = linked[0]!;
    const by = parts.find((d) => d.outcome === 'linked')!;
    const rival = parts.flatMap((d) => d.candidates).find((c: Candidate) => c.key !== key && c.score >= options.reviewAt);
    if (rival === undefined)
      return {
        ...by,
        name,
        candidates: [...by.candidates.filter((c) => c.key === key).slice(0, 1), ...candidates.filter((c) => c.key !== key)],
        reason: `${by.reason} (${JSON.stringify(by.name)}, one of the names in ${JSON.stringify(name)})`,
      };
    return {
      name,
      outcome: 'review',
      targetKey: null,
      method: null,
      score: by.score,
      candidates,
      reason: `two names of one party (${names}): one links ${key}, the other reads as ${rival.key} (${rival.score})`,
    };
  }
  const best = [...parts].sort((x, y) => (y.score ?? -1) - (x.score ?? -1))[0]!;
  return {
    ...best,
    name,
    candidates,
    reason: `${best.reason} (${JSON.stringify(best.name)}, one of the names in ${JSON.stringify(name)})`,
  };
}
