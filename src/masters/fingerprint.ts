/**
 * Master fingerprints (src/sql/masters.ts), read the same whichever session reads them: under UTC and the default
 * interval style, set for that one statement and set back after it (a timestamptz column's jsonb text follows the
 * session's TimeZone: before, an undo from a session in another time zone took every created master for edited).
 */
import type { Queryable } from '../db/port.js';
import type { LinkShape, ScopeFilter } from '../sql/link.js';
import { masterFingerprintsStatement } from '../sql/masters.js';
import { renderingFixedStatement, renderingRestoreStatement, renderingSettingsStatement } from '../sql/session.js';

/** A master's identity within one master table: key and scope. */
export const fingerprintId = (key: string, scope: readonly (string | null)[]): string => JSON.stringify([key, scope]);

/** The fingerprints of `masters` that exist, by fingerprintId. Runs inside the caller's transaction. */
export async function masterFingerprints(
  tx: Queryable,
  link: LinkShape & { targetKeyType: string },
  masters: readonly { key: string; scope: (string | null)[] }[],
  f: ScopeFilter,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (masters.length === 0) return out;
  const was = (await tx.query(renderingSettingsStatement())).rows[0];
  await tx.query(renderingFixedStatement());
  // set back on success only: a failed statement aborts the transaction (and with it these settings), and a
  // restore there would replace the statement's own error with "current transaction is aborted"
  for (const r of (await tx.query(masterFingerprintsStatement(link, [...masters], f))).rows)
    out.set(fingerprintId(r.key, r.scope_key), r.fp);
  if (was !== undefined) await tx.query(renderingRestoreStatement(was));
  return out;
}
