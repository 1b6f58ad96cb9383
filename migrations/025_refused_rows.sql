-- Rows an apply left NULL because the table refused their new FK value: a CHECK constraint, a unique index,
-- a trigger that raises (src/batch/refused.ts). The batch that met one was split down to the rows it refuses;
-- each is recorded here with the error, in the transaction of the batch that left it out, and counted among
-- the link's skip reasons ("refused by the table"). One row per run, link and row; the latest error kept.
CREATE TABLE IF NOT EXISTS fk_backfill.refused_rows (
  run_id bigint NOT NULL REFERENCES fk_backfill.runs (id) ON DELETE CASCADE,
  link text NOT NULL,
  row_key text NOT NULL,
  sqlstate text NOT NULL,
  constraint_name text,
  message text NOT NULL,
  PRIMARY KEY (run_id, link, row_key)
);
