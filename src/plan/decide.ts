/**
 * Pure decisions and arithmetic of a plan: no database, no I/O.
 */
import type { Outcome } from '../match/types.js';

export type { Outcome } from '../match/types.js';

export interface CandidateRef {
  key: string;
  name?: string;
  score?: number;
  method?: string;
  signals?: Record<string, unknown>;
  /** false: a master the link's active predicate excludes (shown so a reader sees why nothing linked). */
  active?: boolean;
}

export interface EntryDecision {
  outcome: Outcome;
  targetKey: string | null;
  method: string | null;
  score: number | null;
  candidates: CandidateRef[];
  reason: string;
}

/** One distinct (scope, name) of a link, decided: what a plan entry holds. */
export interface DecidedEntry extends EntryDecision {
  scopeKey: (string | null)[];
  sourceName: string | null;
  rowCount: number;
  /** Linked: the master's name as read when deciding (recorded in the plan; apply skips the rows once it changed). */
  targetName?: string | null;
}

/** A name that is empty or only white space says nothing: never linked, whatever the masters hold. */
export function isBlankName(name: string): boolean {
  return name.replace(INVISIBLE, '').trim().length === 0;
}

/** Characters that show nothing and are no space to trim(): zero-width space, non-joiner, joiner, word joiner, Mongolian vowel separator (BLANK_NAME_RE's too). */
const INVISIBLE = /[\u200b-\u200d\u2060\u180e]/g;

/** Names that stand for "no name" in ERP data entry. Compared lowercased, without punctuation or spaces. */
const PLACEHOLDERS = new Set([
  'na',
  'nan',
  'none',
  'null',
  'nil',
  'nul',
  'unknown',
  'unk',
  'tbd',
  'tba',
  'tbc',
  'x',
  'xx',
  'xxx',
  'xxxx',
  'notapplicable',
  'notavailable',
  'noname',
  'nocustomer',
  'novendor',
  'nosupplier',
  'dummy',
  'placeholder',
  'undefined',
  'blank',
  'empty',
  'missing',
  'default',
  'test',
  'asdf',
  'zzz',
  'unnamed',
  'anonymous',
  'various',
  'misc',
  'miscellaneous',
  'other',
  'sundry',
  'onetime',
  'pettycash',
  'cash',
  'cashsale',
  'cashsales',
  'cashcustomer',
  'walkin',
  'walkincustomer',
  'nil',
  // other languages: unknown, not given, none
  'unbekannt',
  'ka',
  'keineangabe',
  'keine',
  'inconnu',
  'nc',
  'nr',
  'desconocido',
  'sinnombre',
  'nd',
  'sconosciuto',
  'onbekend',
  'okänd',
  'ukendt',
  'ukjent',
  'tuntematon',
  'nieznany',
  'neznámý',
  'desconhecido',
]);

/** "Unknown Vendor", "unknown customer", "no name supplier": an unknown-word next to a party word. */
const PARTY =
  'customer|client|vendor|supplier|account|party|company|firm|buyer|seller|purchaser|payee|payer|shipper|consignee|debtor|creditor|donor|member|patient|guest|contact|person|kunde|lieferant|käufer|fournisseur|acheteur|proveedor|cliente|comprador';
const UNKNOWN_PARTY = new RegExp(
  `^(?:unknown|unk|no|none|unbekannt(?:er)?|inconnu|desconocido|unnamed|anonymous|dummy|generic|default|misc)\\s*(?:name\\s*)?(?:${PARTY})s?$|^(?:${PARTY})\\s*(?:unknown|unbekannt|tbd|n\\/?a|na|none|x+|\\?+|-+)$`,
  'u',
);

/**
 * Why a name is not one a master should get (blank, only punctuation, a single character, a placeholder
 * such as "N/A", "???", "-", "unknown"), or null when it looks like a real name. For master proposals:
 * such names are never approved by default.
 */
/** A name quoted in a reason, cut after 40 characters (a 2,000-character name was repeated whole in every reason). */
function quotedShort(name: string): string {
  const chars = [...name];
  return JSON.stringify(chars.length <= 40 ? name : `${chars.slice(0, 39).join('')}…`);
}

export function placeholderReason(name: string): string | null {
  if (isBlankName(name)) return 'blank name';
  const letters = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
  if (letters.length === 0) return `only punctuation or symbols (${quotedShort(name)})`;
  // numbered too ("Misc Vendor 26", "Petty cash 17", "Test #3"): a stem of three letters or more
  const stem = letters.replace(/(?:no)?\d+$/u, '');
  if (PLACEHOLDERS.has(letters) || (stem !== letters && stem.length >= 3 && PLACEHOLDERS.has(stem)))
    return `a placeholder, not a name (${quotedShort(name)})`;
  const words = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}/?-]+/gu, ' ')
    .trim();
  if (UNKNOWN_PARTY.test(words) || UNKNOWN_PARTY.test(words.replace(/\s+(?:no\s*)?\d+$/u, '')))
    return `a placeholder, not a name (${quotedShort(name)})`;
  if (/^\d+$/.test(letters) && /^0+$/.test(letters)) return `only zeros (${quotedShort(name)})`;
  if ([...letters].length === 1) return `a single character (${quotedShort(name)})`;
  return null;
}

/** Unmatched, with no candidate to review, for `reason`. */
function unmatchedFor(reason: string): EntryDecision {
  return { outcome: 'unmatched', targetKey: null, method: null, score: null, candidates: [], reason };
}

export function noName(name: string | null): EntryDecision {
  return unmatchedFor(name === null ? 'no name' : 'blank name');
}

/** A placeholder name (placeholderReason says which): unmatched, with no candidate to review. */
export function unmatchedPlaceholder(why: string): EntryDecision {
  return unmatchedFor(`${why}: never matched by similarity`);
}

export const NO_SCOPE_REASON = 'no tenant: its scope column is NULL (rows of no tenant are never linked)';

/** Rows whose scope (tenant) column is NULL belong to no tenant: never matched, and said so. */
export function noScope(): EntryDecision {
  return unmatchedFor(NO_SCOPE_REASON);
}

/**
 * Seed semantics with the seed's flaw fixed: exactly one active master with this exact name → link;
 * more than one → ambiguous (never LIMIT 1); none → unmatched.
 */
export function decideExact(
  sourceName: string | null,
  keys: readonly string[],
  candidateCount: number,
  inactiveKeys: readonly string[] = [],
): EntryDecision {
  if (sourceName === null || isBlankName(sourceName)) return noName(sourceName);
  if (candidateCount === 1 && keys[0] !== undefined) {
    return {
      outcome: 'linked',
      targetKey: keys[0],
      method: 'exact',
      score: 1,
      candidates: [{ key: keys[0], name: sourceName, score: 1, method: 'exact' }],
      reason: 'one active master with this exact name',
    };
  }
  if (candidateCount > 1) {
    return {
      outcome: 'ambiguous',
      targetKey: null,
      method: null,
      score: null,
      candidates: keys.map((key) => ({ key, name: sourceName, score: 1, method: 'exact' })),
      reason: `${candidateCount} active masters share this exact name`,
    };
  }
  if (inactiveKeys.length > 0) return onlyInactive(inactiveKeys.map((key) => ({ key, name: sourceName, score: 1, method: 'exact' })));
  return {
    outcome: 'unmatched',
    targetKey: null,
    method: null,
    score: null,
    candidates: [],
    reason: 'no active master with this exact name',
  };
}

/** Unmatched because the only masters that match are inactive (soft-deleted, archived): said so, and shown. */
export function onlyInactive(candidates: readonly CandidateRef[]): EntryDecision {
  const n = candidates.length;
  return {
    outcome: 'unmatched',
    targetKey: null,
    method: null,
    score: null,
    candidates: candidates.map((c) => ({ ...c, active: false })),
    reason:
      n === 1 ? 'only an inactive master matches this name (not linked)' : `only inactive masters (${n}) match this name (not linked)`,
  };
}

export type DecisionAction = 'alias' | 'never' | 'create';

export interface HumanDecision {
  action: DecisionAction;
  targetKey: string | null;
}

/**
 * A person's decision overrides the machine: alias → link to that master (if it is an active master of
 * the scope), never → unmatched, create → left for `masters create`.
 */
export function applyHumanDecision(d: HumanDecision, machine: EntryDecision, activeKeys: ReadonlySet<string> | null): EntryDecision {
  if (d.action === 'never')
    return { ...machine, outcome: 'unmatched', targetKey: null, method: null, score: null, reason: 'decision: never match' };
  if (d.action === 'create')
    return { ...machine, outcome: 'unmatched', targetKey: null, method: null, score: null, reason: 'decision: create a master' };
  if (d.targetKey !== null && (activeKeys === null || activeKeys.has(d.targetKey))) {
    return {
      outcome: 'linked',
      targetKey: d.targetKey,
      method: 'decision',
      score: 1,
      candidates: machine.candidates,
      reason: 'decision: alias',
    };
  }
  return {
    ...machine,
    outcome: 'review',
    targetKey: null,
    method: null,
    score: null,
    reason: `decision names master ${d.targetKey ?? '?'}, which is not an active master of this scope`,
  };
}

/**
 * "100.0%" like the seed; 0 of 0 is 100.0% (nothing left to match). Never 100.0% while any is left and never 0.0% once
 * any is there: those ends are cut, not rounded (a trial: "100.0%" with 3 NULL FKs in 250,000, now 99.9%).
 */
export function formatRate(part: number, whole: number): string {
  if (whole === 0) return '100.0%';
  const text = ((part / whole) * 100).toFixed(1);
  if (text === '100.0' && part < whole) return '99.9%';
  if (text === '0.0' && part > 0) return '0.1%';
  return `${text}%`;
}
