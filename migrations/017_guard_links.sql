-- The write-time guard's links, as it writes them (issue #20, cost). A linked row used to be logged as a
-- change_sets row of its own: a bigserial, two btree entries and a wide row, ~16 µs of the ~75 µs the guard
-- added to a single-row INSERT (docs/design.md, "The guard's cost"). Now it is one narrow row of a table
-- without index or sequence (append-only: no writer ever waits on another here), ~8 µs.
--
-- `undo` of a guard run first moves the run's links into change sets (fk_backfill.flush_guard_links) and
-- then reverts them like an apply's. Until then fk_backfill.changes shows them too, with NULL id, set_id
-- and ord (they have no change-log position yet); undo reads only rows of change sets.
CREATE TABLE IF NOT EXISTS fk_backfill.guard_links (
  run_id      bigint      NOT NULL,   -- the guard's run
  link        text        NOT NULL,
  table_name  text        NOT NULL,
  column_name text        NOT NULL,
  row_key     text        NOT NULL,
  new_value   text        NOT NULL,   -- the master the guard linked (the FK it wrote; the old value was NULL)
  method      text        NOT NULL,   -- decision, exact or alias
  linked_at   timestamptz NOT NULL DEFAULT now()
);

-- Guard links written before this migration stay change sets; the view gains the links not yet moved.
CREATE OR REPLACE VIEW fk_backfill.changes AS
SELECT (cs.id * 4294967296 + u.ord)::int8 AS id, cs.run_id, cs.link, cs.table_name, u.row_key, cs.column_name,
       u.old_value, u.new_value, coalesce(u.method, cs.method) AS method, u.score, cs.touched_column, u.touched_old,
       cs.changed_at, cs.id AS set_id, u.ord::int8 AS ord
  FROM fk_backfill.change_sets cs
 CROSS JOIN LATERAL unnest(cs.row_keys, cs.old_values, cs.new_values, cs.methods, cs.scores, cs.touched_old)
       WITH ORDINALITY AS u(row_key, old_value, new_value, method, score, touched_old, ord)
UNION ALL
SELECT NULL::int8, g.run_id, g.link, g.table_name, g.row_key, g.column_name,
       NULL::text, g.new_value, g.method, NULL::real, NULL::text, NULL::text,
       g.linked_at, NULL::int8, NULL::int8
  FROM fk_backfill.guard_links g;

-- Moves the links of guard run p_run into change sets: one per (link, table, column, method) and at most
-- 10 000 rows, in the order they were linked. Concurrent callers do not duplicate a link (the second waits
-- for the first's DELETE and skips what it moved); writers go on appending meanwhile. Returns the number
-- of links moved.
CREATE OR REPLACE FUNCTION fk_backfill.flush_guard_links(p_run bigint) RETURNS bigint
LANGUAGE sql AS $fn$
  WITH moved AS (
    DELETE FROM fk_backfill.guard_links g WHERE g.run_id = p_run
    RETURNING g.link, g.table_name, g.column_name, g.row_key, g.new_value, g.method, g.linked_at
  ), n AS (
    SELECT m.*, (row_number() OVER (PARTITION BY m.link, m.table_name, m.column_name, m.method ORDER BY m.linked_at, m.row_key) - 1) / 10000 AS chunk
      FROM moved m
  ), sets AS (
    INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, method, changed_at, row_keys, new_values)
    SELECT p_run, n.link, n.table_name, n.column_name, n.method, min(n.linked_at),
           array_agg(n.row_key ORDER BY n.linked_at, n.row_key), array_agg(n.new_value ORDER BY n.linked_at, n.row_key)
      FROM n
     GROUP BY n.link, n.table_name, n.column_name, n.method, n.chunk
     ORDER BY n.link, n.method, n.chunk
    RETURNING cardinality(row_keys) AS k
  )
  SELECT coalesce(sum(sets.k), 0)::int8 FROM sets
$fn$;
