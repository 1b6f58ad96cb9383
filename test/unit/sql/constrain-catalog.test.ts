import { describe, expect, it } from 'vitest';
import {
  attachedIndexesStatement,
  columnNotNullStatement,
  constraintByNameStatement,
  foreignKeysStatement,
  indexesStatement,
  partitionsStatement,
  relkindStatement,
} from '../../../src/sql/constrain.js';

describe('constrain: what the catalog holds (whole text)', () => {
  it('indexesStatement', () => {
    expect(indexesStatement(16384)).toEqual({
      text: `SELECT i.indexrelid::regclass::text AS qualified_name, c.relname::text AS name, i.indisvalid AS valid, i.indisunique AS is_unique,
       i.indpred IS NOT NULL AS partial,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
              WHERE k.o <= i.indnkeyatts ORDER BY k.o) AS columns,
       0 = ANY (i.indkey::int2[]) AS has_expression
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = $1::oid
 ORDER BY c.relname`,
      values: [16384],
    });
  });
  it('foreignKeysStatement', () => {
    expect(foreignKeysStatement(16384, 16390)).toEqual({
      text: `SELECT c.conname::text AS name, c.convalidated AS validated, c.confdeltype::text AS deltype,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns,
       ARRAY(SELECT a.attname::text FROM jsonb_path_query(to_jsonb(c), '$.confdelsetcols[*] ? (@.type() == "number")') WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n::int2 ORDER BY k.o) AS set_columns
  FROM pg_constraint c
 WHERE c.contype = 'f' AND c.conrelid = $1::oid AND c.confrelid = $2::oid
 ORDER BY c.conname`,
      values: [16384, 16390],
    });
  });
  it('partitionsStatement', () => {
    expect(partitionsStatement(16384)).toEqual({
      text: `SELECT c.oid::int8 AS oid, c.relkind::text AS relkind, n.nspname::text AS schema, c.relname::text AS name
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE i.inhparent = $1::oid
 ORDER BY c.relname`,
      values: [16384],
    });
  });
  it('relkindStatement', () => {
    expect(relkindStatement(16384)).toEqual({
      text: `SELECT c.relkind::text AS relkind FROM pg_class c WHERE c.oid = $1::oid`,
      values: [16384],
    });
  });
  it('attachedIndexesStatement', () => {
    expect(attachedIndexesStatement('public.so_customer_idx')).toEqual({
      text: `SELECT x.indrelid::int8 AS table_oid FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid WHERE i.inhparent = to_regclass($1)`,
      values: ['public.so_customer_idx'],
    });
  });
  it('constraintByNameStatement', () => {
    expect(constraintByNameStatement(16384, 'so_customer_id_not_null')).toEqual({
      text: `SELECT c.conname::text AS name, c.contype::text AS type, c.convalidated AS validated
  FROM pg_constraint c WHERE c.conrelid = $1::oid AND c.conname = $2`,
      values: [16384, 'so_customer_id_not_null'],
    });
  });
  it('columnNotNullStatement', () => {
    expect(columnNotNullStatement(16384, 'customer_id')).toEqual({
      text: `SELECT a.attnotnull AS not_null FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attname = $2 AND NOT a.attisdropped`,
      values: [16384, 'customer_id'],
    });
  });
});
