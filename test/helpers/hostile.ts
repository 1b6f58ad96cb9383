/** Shared checks of the hostile-input and permission tests. */
import { expect } from 'vitest';
import { BackfillError } from '../../src/index.js';
import type { Queryable } from '../../src/db/port.js';
import { schemaHashes } from './random-schema.js';

/** Hashes of every user table (schema public) and every fk_backfill table. */
export async function snapshot(db: Queryable, schemas: string[] = ['public', 'fk_backfill']): Promise<Record<string, string>> {
  return schemaHashes(db, schemas);
}

/** Expects a clean refusal: BackfillError, code, exit code, a one-line message matching `names`. */
export async function refused(p: Promise<unknown>, code: string, names: RegExp, exitCode = 2): Promise<BackfillError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code}, call succeeded`).toBeInstanceOf(BackfillError);
  const be = err as BackfillError;
  expect(be.code, be.message).toBe(code);
  expect(be.exitCode, be.message).toBe(exitCode);
  expect(be.message).toMatch(names);
  expect(be.message).not.toMatch(/\n/);
  return be;
}
