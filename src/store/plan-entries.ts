/**
 * fk_backfill.plan_entries as a plan writes them: one row per (scope, name) and link, in chunks of bound JSON (a
 * statement of at most about 1 MB), so a plan of any size writes without one statement per entry.
 */
import type { Queryable } from '../db/port.js';

export interface PlanEntryRow {
  scopeKey: (string | null)[];
  sourceName: string | null;
  outcome: 'linked' | 'review' | 'ambiguous' | 'unmatched';
  targetKey: string | null;
  method: string | null;
  score: number | null;
  rowCount: number;
  candidates: unknown[];
  reason: string | null;
  /** Linked entries: the master's name as the plan read it (apply skips the rows once it changed). */
  targetName?: string | null;
}

/**
 * The insert of a JSON array of entries, the array bound as bytes (UTF-8, a bytea parameter every driver sends as it
 * is), never as one large text parameter (see planEntryWriter).
 */
const INSERT_PLAN_ENTRIES = `INSERT INTO fk_backfill.plan_entries (run_id, link, scope_key, source_name, outcome, target_key, method, score, row_count, candidates, reason, target_name)
       SELECT $1::int8, $2, x.scope_key, x.source_name, x.outcome, x.target_key, x.method, x.score, x.row_count, coalesce(x.candidates, '[]'::jsonb), x.reason, x.target_name
         FROM jsonb_to_recordset(convert_from($3::bytea, 'UTF8')::jsonb) AS x(scope_key text[], source_name text, outcome text, target_key text, method text,
              score real, row_count int8, candidates jsonb, reason text, target_name text)`;

/** One entry as an element of the JSON array the insert reads (jsonb_to_recordset's column names). */
function planEntryJson(e: PlanEntryRow): string {
  return JSON.stringify({
    scope_key: e.scopeKey,
    source_name: e.sourceName,
    outcome: e.outcome,
    target_key: e.targetKey,
    method: e.method,
    score: e.score,
    row_count: e.rowCount,
    candidates: e.candidates,
    reason: e.reason,
    target_name: e.targetName ?? null,
  });
}

/** Bulk insert, a few thousand entries per statement (one JSON document each, no per-row queries). */
export async function insertPlanEntries(db: Queryable, runId: string, link: string, entries: PlanEntryRow[], chunk = 2000): Promise<void> {
  for (let i = 0; i < entries.length; i += chunk) {
    await db.query(INSERT_PLAN_ENTRIES, [
      runId,
      link,
      Buffer.from(
        `[${entries
          .slice(i, i + chunk)
          .map(planEntryJson)
          .join(',')}]`,
        'utf8',
      ),
    ]);
  }
}

export interface PlanEntryWriter {
  /** Adds one entry; writes the entries collected so far once they reach the statement size. */
  add(e: PlanEntryRow): Promise<void>;
  /** Writes what is left and waits for every statement sent; throws what any of them failed with. */
  flush(): Promise<void>;
}

/**
 * Writes plan entries as they are decided, about `statementBytes` of JSON per statement (the same statement as
 * insertPlanEntries). Each entry is turned into its JSON at once and collected in one reused Buffer, off the JS heap:
 * entries held as objects until their chunk of 1000 was written outlived two young-generation collections and were
 * promoted, ~180 MB of old-generation garbage in a plan of 100 k names that the heap grew to make room for (issue #21).
 * The statement's document is bound as those bytes, never a string: a string of 1 MB is a large object, promoted to the
 * old generation by any collection during the statement's round trip; 115 of them (2 MB each once a name is not
 * Latin-1) were ~230 MB of old-generation garbage in that plan, most of its peak RSS.
 * Two Buffers take turns: while one statement is on its way the matcher goes on deciding into the other (the database
 * works on its own core; awaiting each insert left the matcher idle about a third of a 100 k-name plan). At most one
 * statement is in flight, and a Buffer is written again only once its statement has ended; a failed insert is
 * thrown by the next add or flush.
 */
export function planEntryWriter(db: Queryable, runId: string, link: string, statementBytes = 1 << 20): PlanEntryWriter {
  let buf = Buffer.allocUnsafe(statementBytes + 2);
  let spare = Buffer.allocUnsafe(statementBytes + 2);
  let len = 0; // bytes used, the '[' included
  let inFlight: Promise<void> | null = null;
  let failed: { error: unknown } | null = null;
  /** Waits for the statement in flight, if any; throws what it failed with. */
  const settle = async (): Promise<void> => {
    if (inFlight !== null) await inFlight;
    inFlight = null;
    if (failed !== null) throw failed.error;
  };
  /** Sends what is collected without waiting for it; the other Buffer becomes the one written into. */
  const send = async (): Promise<void> => {
    await settle();
    if (len === 0) return;
    buf[len++] = 0x5d; // ']'
    const doc = buf.subarray(0, len);
    len = 0;
    // handled at once (no unhandled rejection while the matcher works), thrown by the next settle
    inFlight = db.query(INSERT_PLAN_ENTRIES, [runId, link, doc]).then(
      () => undefined,
      (error: unknown) => {
        failed = { error };
      },
    );
    [buf, spare] = [spare, buf];
  };
  return {
    async add(e) {
      if (failed !== null) await settle();
      const json = planEntryJson(e);
      const bytes = Buffer.byteLength(json);
      if (len > 0 && len + bytes + 2 > buf.length) await send();
      if (bytes + 2 > buf.length) buf = Buffer.allocUnsafe(bytes + 2); // one entry larger than a statement: a statement of its own
      buf[len] = len === 0 ? 0x5b : 0x2c; // '[' first, then ','
      len++;
      len += buf.write(json, len);
      if (len >= statementBytes) await send();
    },
    async flush() {
      await send();
      await settle();
    },
  };
}

/** The names (and their rows) a plan decided for a link with a reason that begins with `reason` (reasons go on: ': 2 different masters (1, 2)'). */
export async function entriesWithReason(
  db: Queryable,
  runId: string,
  link: string,
  reason: string,
): Promise<{ names: number; rows: number; example: { name: string; others: string[] } | null }> {
  // the example: the name with the most rows, with its candidates' names
  const r = await db.query<{ names: string; rows: string; example: string | null; candidates: unknown }>(
    `SELECT count(*)::text AS names, coalesce(sum(row_count), 0)::text AS rows,
            (array_agg(source_name ORDER BY row_count DESC, source_name))[1] AS example,
            (array_agg(candidates ORDER BY row_count DESC, source_name))[1] AS candidates
       FROM fk_backfill.plan_entries WHERE run_id = $1::int8 AND link = $2 AND left(reason, length($3)) = $3`,
    [runId, link, reason],
  );
  const row = r.rows[0];
  const raw = typeof row?.candidates === 'string' ? (JSON.parse(row.candidates) as unknown) : row?.candidates;
  const others = (Array.isArray(raw) ? (raw as { name?: unknown }[]) : [])
    .map((c) => c.name)
    .filter((n): n is string => typeof n === 'string' && n !== row?.example);
  return {
    names: Number(row?.names ?? 0),
    rows: Number(row?.rows ?? 0),
    example: row?.example === null || row?.example === undefined ? null : { name: row.example, others },
  };
}

/** Up to `limit` names a plan decided for a link with exactly `reason`, with their scope and rows (most rows first). */
export async function namesWithReason(
  db: Queryable,
  runId: string,
  link: string,
  reason: string,
  limit: number,
): Promise<{ scope_key: (string | null)[]; source_name: string; rows: number }[]> {
  const r = await db.query<{ scope_key: (string | null)[]; source_name: string; row_count: string }>(
    `SELECT scope_key, source_name, row_count::text AS row_count FROM fk_backfill.plan_entries
      WHERE run_id = $1::int8 AND link = $2 AND reason = $3 AND source_name IS NOT NULL
      ORDER BY row_count DESC, source_name LIMIT $4`,
    [runId, link, reason, limit],
  );
  return r.rows.map((x) => ({ scope_key: x.scope_key, source_name: x.source_name, rows: Number(x.row_count) }));
}
