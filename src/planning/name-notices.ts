/**
 * What another match strategy would do with some of a plan's names, said in notices. A non-exact plan's names that are
 * exactly one master's name but ambiguous beside a legal-form twin (exact links them). An exact plan's names that are a master's name but for case or blanks — a leading or trailing space, a doubled one,
 * a no-break space (U+00A0), a zero-width character — left unlinked as "no active master with this exact name", as
 * the seed's equality does. Said in a notice with their count and an example, and what links them (trial15: 13,273 of
 * 60,000 orders, 22 %, were such spellings under "exact"; plan listed each as having no master, and said nothing).
 */
import type { ResolvedLink } from '../context/catalog.js';
import { type Context, shape } from '../context/context.js';
import { mastersSpelledLikeStatement } from '../sql/spelling.js';
import { entriesWithReason, namesWithReason } from '../store/plan-entries.js';
import { EXACT_BESIDE_NAMESAKE } from '../match/matcher.js';

const NO_EXACT = 'no active master with this exact name';
/** Names looked at: the most frequent first (a notice's count, not a list). */
const LOOKED_AT = 50_000;

/** A name without case, invisible characters (zero-width, soft hyphen, BOM) and with every run of blanks one space. */
export function foldBlanks(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .toLowerCase();
}

/** The plan's own example of a name beside a legal-form twin ("Bolt Industries" beside "Bolt Industries Inc"). */
function twinExample(e: { name: string; others: string[] } | null): string {
  return e === null || e.others.length === 0 ? '' : ` (e.g. "${e.name}" beside ${e.others.map((n) => `"${n}"`).join(', ')})`;
}

/** Pushes the link's notices: names beside a legal-form twin (not exact), names a master has but for case or blanks (exact). */
export async function noteNameMisses(ctx: Context, l: ResolvedLink, runId: string, ambiguous: number): Promise<void> {
  // exact names the non-exact strategies leave ambiguous beside a legal-form twin: said, with what exact would do
  if (l.config.match !== 'exact' && ambiguous > 0) {
    const twins = await entriesWithReason(ctx.db, runId, l.entity, EXACT_BESIDE_NAMESAKE);
    if (twins.names > 0)
      ctx.notices.push(
        `${l.entity}: ${twins.names} name(s) (${twins.rows} row(s)) are exactly one master's name but ambiguous: another master of the tenant differs from it only by a legal form${twinExample(twins.example)}, which the bare name may mean too; "match": "exact" links them to the exactly named master, which review export lists first for each`,
      );
  }
  if (l.config.match !== 'exact') return;
  const misses = await namesWithReason(ctx.db, runId, l.entity, NO_EXACT, LOOKED_AT);
  if (misses.length === 0) return;
  const folded = new Map<string, Map<string, string>>(); // scope → folded name → a master's name
  const spelled = mastersSpelledLikeStatement(
    shape(l),
    ctx.filter,
    misses.map((x) => x.source_name),
  );
  for (const m of (await ctx.db.query(spelled)).rows) {
    const k = JSON.stringify(m.scope_key);
    let names = folded.get(k);
    if (names === undefined) folded.set(k, (names = new Map()));
    names.set(foldBlanks(m.name), m.name);
  }
  let names = 0;
  let rows = 0;
  let example: [string, string] | null = null;
  for (const x of misses) {
    const master = folded.get(JSON.stringify(x.scope_key))?.get(foldBlanks(x.source_name));
    if (master === undefined) continue;
    names += 1;
    rows += x.rows;
    example ??= [x.source_name, master];
  }
  if (example === null) return;
  ctx.notices.push(
    `${l.entity}: ${names} name(s) (${rows} row(s)) left unlinked as having no master with this exact name are a master's name but for case or blanks (a leading, trailing or doubled space, a no-break space, a zero-width character; e.g. ${JSON.stringify(example[0])} for ${JSON.stringify(example[1])}${misses.length === LOOKED_AT ? `; of the ${LOOKED_AT} names with most rows` : ''}): "match": "normalized" links them (unless another master's name reads the same)`,
  );
}
