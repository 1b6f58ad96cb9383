/**
 * fk_backfill.run_slices (migration 020): the slices of a parallel apply's link walks, one checkpoint row
 * each. Every batch of a slice locks and reads its row, and stores it with its change set in the same
 * transaction; batches of different slices touch different rows, so they never wait for one another here.
 */
import type { Queryable } from '../db/port.js';

export interface SliceRow<C> {
  slice: number;
  lo: string | null;
  hi: string | null;
  checkpoint: C;
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** Records a link's slices (call in the transaction that marks the link as sliced). */
export async function insertSlices(tx: Queryable, runId: string, link: string, slices: SliceRow<object>[]): Promise<void> {
  await tx.query(
    `INSERT INTO fk_backfill.run_slices (run_id, link, slice, lo, hi, checkpoint)
     SELECT $1::int8, $2, x.slice, x.lo, x.hi, x.checkpoint FROM jsonb_to_recordset($3::jsonb) AS x(slice int, lo text, hi text, checkpoint jsonb)`,
    [runId, link, JSON.stringify(slices)],
  );
}

export async function listSlices<C>(db: Queryable, runId: string, link: string): Promise<SliceRow<C>[]> {
  const res = await db.query<{ slice: number; lo: string | null; hi: string | null; checkpoint: unknown }>(
    `SELECT slice, lo, hi, checkpoint FROM fk_backfill.run_slices WHERE run_id = $1::int8 AND link = $2 ORDER BY slice`,
    [runId, link],
  );
  return res.rows.map((r) => ({ slice: Number(r.slice), lo: r.lo, hi: r.hi, checkpoint: json<C>(r.checkpoint) }));
}

/**
 * Takes a slice's lock for the batch's transaction (false: another process is running a batch of it).
 * Two int4 keys: a class for slices, and a hash of (run, link, slice).
 */
export async function lockSlice(tx: Queryable, runId: string, link: string, slice: number): Promise<boolean> {
  const r = await tx.query<{ got: boolean }>(
    `SELECT pg_try_advisory_xact_lock(hashtext('fk_backfill.slice'), hashtext($1::int8::text || ':' || $2 || ':' || $3::int4::text)) AS got`,
    [runId, link, slice],
  );
  return r.rows[0]?.got === true;
}

/** A slice's checkpoint, its row locked until the batch's transaction ends. */
export async function readSliceCheckpoint<C>(tx: Queryable, runId: string, link: string, slice: number): Promise<C | undefined> {
  const r = await tx.query<{ checkpoint: unknown }>(
    `SELECT checkpoint FROM fk_backfill.run_slices WHERE run_id = $1::int8 AND link = $2 AND slice = $3 FOR UPDATE`,
    [runId, link, slice],
  );
  const row = r.rows[0];
  return row === undefined ? undefined : json<C>(row.checkpoint);
}

export async function saveSliceCheckpoint(tx: Queryable, runId: string, link: string, slice: number, checkpoint: object): Promise<void> {
  await tx.query(`UPDATE fk_backfill.run_slices SET checkpoint = $4::jsonb WHERE run_id = $1::int8 AND link = $2 AND slice = $3`, [
    runId,
    link,
    slice,
    JSON.stringify(checkpoint),
  ]);
}

/** Links of a run that were cut into slices. */
export async function slicedLinks(db: Queryable, runId: string): Promise<Set<string>> {
  const r = await db.query<{ link: string }>(`SELECT DISTINCT link FROM fk_backfill.run_slices WHERE run_id = $1::int8`, [runId]);
  return new Set(r.rows.map((x) => x.link));
}
