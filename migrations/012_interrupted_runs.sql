-- A batched run whose database connection stayed lost (terminated backend, server restart) after its
-- reconnect attempts ends as 'interrupted': resumable with `apply --resume` / `undo --resume`, and never
-- left 'running'.
ALTER TABLE fk_backfill.runs DROP CONSTRAINT IF EXISTS runs_status_check;
ALTER TABLE fk_backfill.runs ADD CONSTRAINT runs_status_check CHECK (status IN ('running', 'done', 'failed', 'stopped', 'interrupted'));
