/**
 * "Mrs. Harold J. Whitcombe" is Harold J. Whitcombe's wife, by the old convention of a married woman written with her
 * husband's names: a name that reads as a man's once its `Mrs.` / `Mme` is dropped names another person than that man
 * (a trial's wrong link at 1.000). Such a link is sent to review, the man first; the master written with the title
 * itself is still linked by exact equality.
 */
import { maleOnly } from './names.js';
import type { NameDecision, NormalizedName } from './types.js';

const WIFE_TITLE = /^\s*(?:mrs|mme)\b/iu;

export function titledSpouse(name: string, q: NormalizedName, d: NameDecision): NameDecision {
  if (d.outcome !== 'linked' || d.method === 'exact' || !q.rules.includes('honorific') || !WIFE_TITLE.test(name)) return d;
  if (!maleOnly(q.tokens[0] ?? '')) return d;
  return {
    ...d,
    outcome: 'review',
    targetKey: null,
    method: null,
    reason: `"${name.trim().split(/\s+/)[0] ?? ''}" before a man's given name names his wife: confirm in review`,
  };
}
