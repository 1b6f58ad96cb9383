-- Each guard link keeps its own time when undo moves it into a change set. flush_guard_links timed a set by its first
-- link (min(linked_at)) and the set's position in the change log came after every set written meanwhile, so undo could
-- not tell whether another run wrote a row before or after the guard did (a new user's trial: the guard linked a row,
-- the application cleared it, an apply linked it again, and undo of the guard run set it back to NULL). undo orders
-- writes into a row by time; fk_backfill.changes shows each moved link at its own time. Sets moved before this
-- migration keep their first link's time.
ALTER TABLE fk_backfill.change_sets ADD COLUMN IF NOT EXISTS linked_at timestamptz[];

CREATE OR REPLACE VIEW fk_backfill.changes AS
SELECT (cs.id * 4294967296 + u.ord)::int8 AS id, cs.run_id, cs.link, cs.table_name, u.row_key, cs.column_name,
       u.old_value, u.new_value, coalesce(u.method, cs.method) AS method, u.score, cs.touched_column, u.touched_old,
       coalesce(u.linked_at, cs.changed_at) AS changed_at, cs.id AS set_id, u.ord::int8 AS ord
  FROM fk_backfill.change_sets cs
 CROSS JOIN LATERAL unnest(cs.row_keys, cs.old_values, cs.new_values, cs.methods, cs.scores, cs.touched_old, cs.linked_at)
       WITH ORDINALITY AS u(row_key, old_value, new_value, method, score, touched_old, linked_at, ord)
UNION ALL
SELECT NULL::int8, g.run_id, g.link, g.table_name, g.row_key, g.column_name,
       NULL::text, g.new_value, g.method, NULL::real, NULL::text, NULL::text,
       g.linked_at, NULL::int8, NULL::int8
  FROM fk_backfill.guard_links g;

CREATE OR REPLACE FUNCTION fk_backfill.flush_guard_links(p_run bigint) RETURNS bigint
LANGUAGE sql AS $fn$
  WITH moved AS (
    DELETE FROM fk_backfill.guard_links g WHERE g.run_id = p_run
    RETURNING g.link, g.table_name, g.column_name, g.row_key, g.new_value, g.method, g.linked_at
  ), n AS (
    SELECT m.*, (row_number() OVER (PARTITION BY m.link, m.table_name, m.column_name, m.method ORDER BY m.linked_at, m.row_key) - 1) / 10000 AS chunk
      FROM moved m
  ), sets AS (
    INSERT INTO fk_backfill.change_sets (run_id, link, table_name, column_name, method, changed_at, row_keys, new_values, linked_at)
    SELECT p_run, n.link, n.table_name, n.column_name, n.method, min(n.linked_at),
           array_agg(n.row_key ORDER BY n.linked_at, n.row_key), array_agg(n.new_value ORDER BY n.linked_at, n.row_key),
           array_agg(n.linked_at ORDER BY n.linked_at, n.row_key)
      FROM n
     GROUP BY n.link, n.table_name, n.column_name, n.method, n.chunk
     ORDER BY n.link, n.method, n.chunk
    RETURNING cardinality(row_keys) AS k
  )
  SELECT coalesce(sum(sets.k), 0)::int8 FROM sets
$fn$;
