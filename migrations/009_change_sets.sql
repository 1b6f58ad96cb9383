-- The change log as one row per batch ("change set") instead of one row per changed row (issue #5):
-- a batch of 20 000 rows wrote 20 000 log rows with two btree entries each, which cost as much time and
-- WAL as the UPDATE itself. A change set holds the batch's row keys and values in parallel arrays,
-- written by the same statement that updates the rows (INSERT … SELECT array_agg(…) FROM upd).
-- fk_backfill.changes stays readable per row, with the same columns, as a view over the sets.
CREATE TABLE IF NOT EXISTS fk_backfill.change_sets (
  id             bigserial   PRIMARY KEY,
  run_id         bigint      NOT NULL,      -- the run that wrote it (indexed below)
  link           text        NOT NULL,
  table_name     text        NOT NULL,
  column_name    text        NOT NULL,
  touched_column text,                      -- e.g. updated_at, set to now() in the same statement
  method         text,                      -- the method of every row when methods is NULL (undo)
  changed_at     timestamptz NOT NULL DEFAULT now(),
  row_keys       text[]      NOT NULL,
  old_values     text[],                    -- NULL: every old value was NULL (apply)
  new_values     text[],                    -- NULL: every new value is NULL (undo of an apply)
  methods        text[],
  scores         real[],
  touched_old    text[]                     -- the touched column's values before, restored by undo
);
CREATE INDEX IF NOT EXISTS change_sets_run_link ON fk_backfill.change_sets (run_id, link, id);

-- Existing per-row logs become change sets of at most 10 000 rows each, in id order.
INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, touched_column, method, changed_at, row_keys, old_values, new_values, methods, scores, touched_old)
SELECT c.run_id, c.link, c.table_name, c.column_name, c.touched_column, NULL, min(c.changed_at),
       array_agg(c.row_key ORDER BY c.id), array_agg(c.old_value ORDER BY c.id), array_agg(c.new_value ORDER BY c.id),
       array_agg(c.method ORDER BY c.id), array_agg(c.score ORDER BY c.id), array_agg(c.touched_old ORDER BY c.id)
  FROM (SELECT c.*, (row_number() OVER (PARTITION BY c.run_id, c.link, c.table_name, c.column_name, c.touched_column ORDER BY c.id) - 1) / 10000 AS chunk
          FROM fk_backfill.changes c) c
 GROUP BY c.run_id, c.link, c.table_name, c.column_name, c.touched_column, c.chunk
 ORDER BY min(c.id);

DROP TABLE fk_backfill.changes;

-- One row per changed row, as before: (set_id, ord) locates it in its set; id is unique and increases
-- with the log order (set id, then position in the set).
CREATE VIEW fk_backfill.changes AS
SELECT (cs.id * 4294967296 + u.ord)::int8 AS id, cs.run_id, cs.link, cs.table_name, u.row_key, cs.column_name,
       u.old_value, u.new_value, coalesce(u.method, cs.method) AS method, u.score, cs.touched_column, u.touched_old,
       cs.changed_at, cs.id AS set_id, u.ord::int8 AS ord
  FROM fk_backfill.change_sets cs
 CROSS JOIN LATERAL unnest(cs.row_keys, cs.old_values, cs.new_values, cs.methods, cs.scores, cs.touched_old)
       WITH ORDINALITY AS u(row_key, old_value, new_value, method, score, touched_old, ord);
