-- Parallel apply (`apply --all-tenants --parallel N`, issue #18): a link's walk is cut into slices
-- (ranges of whole tenants on Citus, of the primary key or of heap blocks on one server), walked by N
-- connections at once. Each slice keeps its own checkpoint here, one row per slice, committed with each of
-- its batches: parallel batches never wait for one another on a shared progress row (fk_backfill.runs keeps
-- the link's totals once all its slices are done), and a resume continues every slice exactly.
-- lo / hi: the slice's walk range (lo exclusive, hi inclusive, as text in the walk's order; NULL: open).
CREATE TABLE IF NOT EXISTS fk_backfill.run_slices (
  run_id bigint NOT NULL REFERENCES fk_backfill.runs (id) ON DELETE CASCADE,
  link text NOT NULL,
  slice int NOT NULL,
  lo text,
  hi text,
  checkpoint jsonb NOT NULL,
  PRIMARY KEY (run_id, link, slice)
);
