/**
 * Shipped migrations are immutable (issue #15): every migration file's checksum equals the one recorded
 * in migration-checksums.json when it was added. Editing a shipped migration fails here (add a new
 * migration instead); a new migration adds its line. Databases record the same checksums (migrate()),
 * and refuse a schema built by other SQL: test/db/migrations.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checksumOf, listMigrations } from '../../src/store/migrate.js';

const recorded = JSON.parse(readFileSync(new URL('./migration-checksums.json', import.meta.url), 'utf8')) as Record<string, string>;

describe('migrations', () => {
  it('every shipped migration is unchanged, and every migration is recorded', () => {
    const files = Object.fromEntries(listMigrations().map((m) => [`${m.name}.sql`, m.checksum]));
    expect(files).toEqual(recorded);
  });
  it('checksums ignore line endings only', () => {
    expect(checksumOf('CREATE TABLE x ();\r\nSELECT 1;\r\n')).toBe(checksumOf('CREATE TABLE x ();\nSELECT 1;\n'));
    expect(checksumOf('SELECT 1;')).not.toBe(checksumOf('SELECT 2;'));
  });
});
