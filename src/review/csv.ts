/** The review CSV round trip: the queue exported for a spreadsheet (formula-safe), decisions imported back line by line. */
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { DecisionAction } from '../plan/decide.js';
import { BackfillError, wrapDbError } from '../errors.js';
import { type CommonOptions, prepare } from '../context/context.js';
import type { QueueItem, ReviewQueueOptions } from './types.js';
import { latestPlan, resolvePlan, reviewQueue } from './queue.js';
import { type DecideInput, type DecideResult, noTenantMessage, validateDecisions, writeDecisions } from './decide.js';
import { namesInPlan, writesSincePlan } from '../store/plans.js';
import { discardRun } from '../store/runs.js';
import { adapt } from '../db/index.js';
import { csvDelimiter, decodeCsvBytes } from './csv-text.js';
import { drift } from '../guard/drift.js';
import type { Queryable } from '../db/port.js';
import { liveDecisions } from '../store/decisions.js';

// ------------------------------------------------------------------------------------------ CSV

const CANDIDATES_IN_CSV = 3;

/**
 * Spreadsheets run cells starting with = + - @ as formulas: such names are exported with a leading ' (import strips
 * it), and so is a name that already starts with ' before one of them (`'=Already quoted`), which import would
 * otherwise strip (a new user's trial: the unedited export was refused).
 */
const FORMULA = /^[=+\-@\t\r]/;
/** A cell a spreadsheet would run, behind any number of leading apostrophes. */
function marked(s: string): boolean {
  return FORMULA.test(s) || (s.startsWith("'") && marked(s.slice(1)));
}
export function csvSafe(s: string): string {
  return marked(s) ? `'${s}` : s;
}
export function csvUnsafe(s: string): string {
  return s.startsWith("'") && marked(s.slice(1)) ? s.slice(1) : s;
}
const CSV_HEADER = [
  'link',
  'scope',
  'name',
  'rows',
  'amount',
  'outcome',
  'score',
  'sample_documents',
  ...Array.from({ length: CANDIDATES_IN_CSV }, (_, i) => [
    `candidate_${i + 1}_key`,
    `candidate_${i + 1}_name`,
    `candidate_${i + 1}_score`,
    `candidate_${i + 1}_active`,
  ]).flat(),
  'current_decision',
  'decision',
  'target_key',
];

/**
 * The queue as CSV: one line per name with its candidates (whether each is active), the decision in force, and two columns to
 * fill: `decision` (accept | alias | never | create, or empty to leave it) and `target_key` (for
 * alias; accept takes candidate 1 unless target_key is filled, and an ambiguous name needs target_key).
 */
export async function exportQueueCsv(
  db: unknown,
  opts: ReviewQueueOptions = {},
): Promise<{ csv: string; names: number; planRunId: string; items: QueueItem[]; notices: string[] }> {
  const q = await reviewQueue(db, { ...opts, limit: opts.limit ?? 100_000 });
  const since = await writesSincePlan(
    adapt(db),
    q.planRunId,
    q.tenantId,
    q.links.map((l) => l.entity),
  );
  const notices =
    since.length === 0
      ? []
      : [
          `plan ${q.planRunId} was made before run${since.length === 1 ? '' : 's'} ${since.map((r) => `${r.id} (${r.kind})`).join(', ')} changed these links: names linked since may still be listed and names set back since may be missing, and row counts are today's; review export --fresh plans again first`,
        ];
  const rows = q.items.map((it) => [
    it.link,
    JSON.stringify(it.scopeKey),
    csvSafe(it.name),
    it.rows,
    it.amount ?? '',
    it.outcome,
    it.score ?? '',
    it.sampleDocuments.join(' '),
    ...Array.from({ length: CANDIDATES_IN_CSV }, (_, i) => {
      const c = it.candidates[i];
      // an inactive master (soft-deleted, archived) cannot be accepted: said on the line, not found out at import
      return c === undefined ? ['', '', '', ''] : [c.key, csvSafe(c.name), c.score ?? '', c.active ? 'yes' : 'no (inactive)'];
    }).flat(),
    it.decision === null ? '' : it.decision.action === 'alias' ? `alias ${it.decision.targetKey}` : it.decision.action,
    '',
    '',
  ]);
  return { csv: stringifyCsv([CSV_HEADER, ...rows]), names: rows.length, planRunId: q.planRunId, items: q.items, notices };
}

export interface CsvLineError {
  line: number;
  message: string;
}

export interface ImportResult {
  /** Lines with a decision. */
  decided: number;
  /** Decisions written (new or changed). */
  written: number;
  /** Decisions already in force (e.g. the same file imported twice): nothing written. */
  unchanged: number;
  /** Of the decisions, those that are "create": for `masters propose` and `masters create` (present when > 0). */
  creates?: number;
  /** Lines with an empty decision column. */
  blank: number;
}

/**
 * Reads an edited export: validates every line first (link, scope, name, decision, target = an active
 * master of that scope), then writes all decisions in one transaction, or nothing if any line is bad
 * (the error lists each bad line with its line number). Importing the same file twice writes nothing
 * the second time.
 */
export async function importDecisionsCsv(
  db: unknown,
  file: string | Uint8Array,
  opts: CommonOptions & { by: string | null },
): Promise<ImportResult> {
  // the file's bytes as a spreadsheet saved them (UTF-16, Windows-1252), its separator from the header (csv-text.ts)
  const text = typeof file === 'string' ? file : decodeCsvBytes(file);
  // parsed once; a malformed file is reported after prepare's refusals, as before
  let header: string[] = [];
  const records: { record: Record<string, string>; info: { lines: number } }[] = [];
  let parseError: BackfillError | null = null;
  try {
    // rows as arrays, so that a row of another length than the header is seen (relaxed, csv-parse drops a long row's
    // extra cells without a word): one of empty cells (`,,,,`, a spreadsheet's emptied row) is a blank line; one with
    // content is named by its line
    const rows = parseCsv(text, {
      skip_empty_lines: true,
      delimiter: csvDelimiter(text),
      info: true,
      bom: true,
      trim: false,
      relax_column_count: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    header = (rows[0]?.record ?? []).map((x) => x.trim());
    const uneven: CsvLineError[] = [];
    for (const { record, info } of rows.slice(1)) {
      if (record.length !== header.length) {
        if (record.every((c) => c.trim() === '')) continue;
        uneven.push({
          line: info.lines,
          message: `${record.length} cell(s) where the header has ${header.length}: a cell added or lost (a separator inside a name needs the name in double quotes)`,
        });
        continue;
      }
      records.push({ record: Object.fromEntries(header.map((h, i) => [h, record[i] ?? ''])), info });
    }
    if (uneven.length > 0) parseError = csvError(uneven);
  } catch (e) {
    const err = e as Error & { lines?: number };
    const line = err.lines;
    parseError = new BackfillError('INVALID_INPUT', `CSV ${line !== undefined ? `line ${line}: ` : ''}${err.message}`, {
      details: { errors: [{ line: line ?? 0, message: err.message }] },
    });
  }
  // the columns an import reads, missing from the header (not a review export's file): one line naming them all, said
  // as a malformed file is (a new user's audit: five lines, or "choose a tenant" when no --tenant was given)
  const missing = parseError === null ? ['link', 'scope', 'name', 'decision', 'target_key'].filter((c) => !header.includes(c)) : [];
  if (missing.length > 0) {
    const message = `missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')}: import a file \`review export\` wrote, its decision column filled`;
    parseError = new BackfillError('INVALID_INPUT', `CSV not imported, nothing written: line 1: ${message}`, {
      details: { errors: [{ line: 1, message }] },
    });
  }
  // no line decided (the export as written, every decision blank or skip): nothing to import, said as such, with
  // nothing written (no schema, no plan to check names against) whatever the tenant flags (a new user's trial:
  // "choose a tenant" for a file that decided nothing)
  if (parseError === null && !records.some(({ record: r }) => decided(r))) {
    return { decided: 0, written: 0, unchanged: 0, blank: records.length };
  }
  const scoped = withTenantOfFile(
    records.map((x) => x.record),
    opts,
  );
  // a file that could not be read gives no tenant: say what is wrong with it rather than "choose a tenant"
  const noTenant = (scoped.tenantId ?? null) === null && scoped.allTenants !== true;
  if (parseError !== null && noTenant) throw parseError;
  if (noTenant) {
    // nor can a decided line whose scope cell is not the exported JSON array, or is no tenant's ([null]: such rows
    // take no decision, which no tenant flag changes): name those lines instead
    const bad = records.flatMap(({ record: r, info }) => {
      const v = decided(r) ? scopeCell(r) : [];
      const message = badScopeCell(r) ? scopeCellMessage(r) : v?.includes(null) === true ? noTenantMessage(v) : null;
      return message === null ? [] : [{ line: info.lines, message }];
    });
    if (bad.length > 0) throw csvError(bad);
  }
  const ctx = await prepare(db, scoped, { tenant: 'required' });
  if (parseError !== null) throw parseError;
  const errors: CsvLineError[] = [];
  const list: DecideInput[] = [];
  const lineOf: number[] = [];
  let blank = 0;
  for (const { record: r, info } of records) {
    const line = info.lines;
    const decision = (r['decision'] ?? '').trim().toLowerCase();
    if (!decided(r)) {
      blank++;
      continue;
    }
    const scopeKey = scopeCell(r);
    if (scopeKey === null) {
      errors.push({ line, message: scopeCellMessage(r) });
      continue;
    }
    const target = (r['target_key'] ?? '').trim();
    let action: DecisionAction;
    let targetKey: string | null = null;
    if (decision === 'accept' || decision === 'alias' || decision === 'a') {
      action = 'alias';
      targetKey = target !== '' ? target : decision === 'alias' ? '' : (r['candidate_1_key'] ?? '').trim();
      if (targetKey === '') {
        errors.push({ line, message: decision === 'alias' ? 'alias needs target_key' : 'accept needs a candidate_1_key or a target_key' });
        continue;
      }
      // candidate 1 of an ambiguous name is no better than candidate 2 (the bulk accept never takes it either)
      if (target === '' && (r['outcome'] ?? '').trim() === 'ambiguous') {
        errors.push({ line, message: 'accept of an ambiguous name: its candidates score alike; put the key you mean in target_key' });
        continue;
      }
    } else if (decision === 'never' || decision === 'create') {
      action = decision;
      if (target !== '') {
        errors.push({ line, message: `${decision} takes no target_key` });
        continue;
      }
    } else {
      errors.push({ line, message: `decision "${r['decision']}" is not one of accept, alias, never, create (or empty)` });
      continue;
    }
    list.push({ link: (r['link'] ?? '').trim(), scopeKey, name: csvUnsafe(r['name'] ?? ''), action, targetKey, by: opts.by });
    lineOf.push(line);
  }
  const v = await validateDecisions(ctx.db, ctx, list);
  v.forEach((m, i) => {
    if (m !== null) errors.push({ line: lineOf[i]!, message: m });
  });
  const seen = new Map<string, number>();
  list.forEach((d, i) => {
    const k = JSON.stringify([d.link, d.scopeKey, d.name]);
    const prev = seen.get(k);
    if (prev !== undefined) errors.push({ line: lineOf[i]!, message: `same name as line ${prev}` });
    else seen.set(k, lineOf[i]!);
  });
  // only a name the queue has (the latest plan's names of that link and scope) takes a decision: an edited name cell
  // would otherwise become an alias of a name no document has. Checked with every other line (a trial's file needed
  // three rounds of fixes, each round naming the next kind of bad line); a plan made only for this check is dropped
  // with a refused file (nothing written, not even it), and not named
  const latest = await latestPlan(ctx);
  const planRunId = latest ?? (await resolvePlan(ctx, { executedBy: opts.by }));
  const inQueue = await namesInPlan(ctx.db, planRunId, list);
  const settles = await settlesDrift(ctx.db, scoped, list, (i) => v[i] === null && !inQueue.has(i));
  // a name that left the queue since the file was exported (decided by an earlier import of this very file, then linked
  // by an apply): its line is the decision in force, or says which one is (a trial: the same file imported again after
  // an apply was refused whole, 1,478 lines each "keep the exported name", though every name was the exported one)
  const left = [...list.keys()].filter((i) => v[i] === null && !inQueue.has(i) && !settles.has(i));
  const lives = await liveDecisions(
    ctx.db,
    left.map((i) => list[i]!),
  );
  for (const [j, i] of left.entries()) {
    const d = list[i]!;
    const live = lives[j];
    if (live !== undefined && live.action === d.action && (d.action !== 'alias' || live.target_key === d.targetKey)) continue;
    const where = `${d.link} in scope ${JSON.stringify(d.scopeKey)}`;
    const queue = `the queue${latest === null ? '' : ` (plan ${planRunId})`}`;
    errors.push({
      line: lineOf[i]!,
      message:
        live === undefined
          ? `name ${JSON.stringify(d.name)} is not a name of ${where} in ${queue}: keep the exported name (a name whose rows were linked or renamed since the export leaves the queue: export again)${
              // a spreadsheet saving as Windows-1252 writes "?" for a letter it cannot hold (a trial: "TsS Plze?")
              d.name.includes('?')
                ? `; a "?" where the export had a letter the file's encoding cannot hold (Excel's "CSV" is Windows-1252: č, ő, Ş, Greek…): save it as "CSV UTF-8" or "Unicode Text" and import again`
                : ''
            }`
          : `name ${JSON.stringify(d.name)} of ${where} has left ${queue} since the export, decided ${live.action}${live.target_key === null ? '' : ` ${live.target_key}`} (${live.decided_at}): export again to decide it otherwise`,
    });
  }
  if (errors.length > 0) {
    if (latest === null) await discardRun(ctx.db, planRunId).catch(() => undefined);
    throw csvError(errors.sort((a, b) => a.line - b.line));
  }
  let results: DecideResult[];
  try {
    results = (await ctx.db.transaction((tx) => writeDecisions(tx, list))).results;
  } catch (e) {
    throw wrapDbError(e, 'importing decisions');
  }
  const written = results.filter((r) => r.changed).length;
  // "create" decisions make no master by themselves: masters propose / create do (a trial read "The next plan uses
  // them" and waited for masters that no plan makes)
  const creates = list.filter((d) => d.action === 'create').length;
  return { decided: list.length, written, unchanged: list.length - written, blank, ...(creates > 0 ? { creates } : {}) };
}

/** A line's scope cell as the exported JSON array of strings (or nulls); null: it is not one. */
function scopeCell(r: Record<string, string>): (string | null)[] | null {
  try {
    const v: unknown = JSON.parse(r['scope'] ?? '');
    return Array.isArray(v) && v.every((x) => x === null || typeof x === 'string') ? (v as (string | null)[]) : null;
  } catch {
    return null;
  }
}

const scopeCellMessage = (r: Record<string, string>): string =>
  `scope ${JSON.stringify(r['scope'] ?? '')} is not a JSON array of strings (keep the exported value)`;

/**
 * The decided lines of a file a review export may be about to overwrite (its bytes as a spreadsheet saved them): a
 * reviewer's work not yet imported, perhaps. 0 for a file that is not a review CSV.
 */
export function decidedLinesOf(bytes: Uint8Array): number {
  const text = decodeCsvBytes(bytes);
  try {
    const rows = parseCsv(text, {
      columns: true,
      skip_empty_lines: true,
      delimiter: csvDelimiter(text),
      bom: true,
      relax_column_count: true,
    }) as Record<string, string>[];
    return rows.filter(decided).length;
  } catch {
    return 0;
  }
}

/**
 * Of the lines not in the queue (`ask`), those whose `alias` settles what drift reports of linked rows: a name whose
 * master was renamed since the link (or has a same-named twin now), aliased to the master its rows hold. Those names
 * are linked, so no plan queues them, and drift reported them until one was recorded (a new user's trial: drift stayed
 * at exit 3 after an ordinary rename, and the decision its docs name could not be imported).
 */
async function settlesDrift(
  db: Queryable,
  opts: CommonOptions,
  list: readonly DecideInput[],
  ask: (i: number) => boolean,
): Promise<Set<number>> {
  const asked = list.flatMap((d, i) => (ask(i) && d.action === 'alias' && (d.targetKey ?? null) !== null ? [i] : []));
  if (asked.length === 0) return new Set();
  const report = await drift(db, { ...opts, entities: [...new Set(asked.map((i) => list[i]!.link))], limit: Number.MAX_SAFE_INTEGER });
  const open = new Set(
    report.links.flatMap((l) =>
      [...l.renamed.samples, ...l.duplicated.samples].map((g) => JSON.stringify([l.entityType, g.scopeKey, g.sourceName, g.targetKey])),
    ),
  );
  return new Set(asked.filter((i) => open.has(JSON.stringify([list[i]!.link, list[i]!.scopeKey, list[i]!.name, list[i]!.targetKey]))));
}

/** A line with a decision (its decision cell neither empty nor skip). */
function decided(r: Record<string, string>): boolean {
  const decision = (r['decision'] ?? '').trim().toLowerCase();
  return decision !== '' && decision !== 'skip';
}

/** A decided line whose scope cell is not the exported JSON array. */
function badScopeCell(r: Record<string, string>): boolean {
  return decided(r) && scopeCell(r) === null;
}

/**
 * Without --tenant or --all-tenants, the file's own tenant: the first scope value every row's `scope` cell
 * shares (an export is one tenant's queue). A file of several tenants is left to prepare's "choose a tenant"
 * refusal (a decided line whose scope cell cannot be read is named by importDecisionsCsv first); a row of
 * another tenant than the one chosen is refused by its line later.
 */
function withTenantOfFile<O extends CommonOptions>(rows: Record<string, string>[], opts: O): O {
  if ((opts.tenantId !== undefined && opts.tenantId !== null) || opts.allTenants === true) return opts;
  const tenants = new Set<string>();
  for (const r of rows) {
    if (!decided(r)) continue;
    const v = scopeCell(r);
    if (v !== null && typeof v[0] === 'string') tenants.add(v[0]);
    else return opts;
  }
  const only = tenants.size === 1 ? [...tenants][0] : undefined;
  return only === undefined ? opts : { ...opts, tenantId: only };
}

function csvError(errors: CsvLineError[]): BackfillError {
  const shown = errors.slice(0, 20).map((e) => `line ${e.line}: ${e.message}`);
  if (errors.length > 20) shown.push(`… and ${errors.length - 20} more`);
  return new BackfillError('INVALID_INPUT', `CSV not imported, nothing written (${errors.length} bad line(s)):\n  ${shown.join('\n  ')}`, {
    details: { errors },
  });
}
