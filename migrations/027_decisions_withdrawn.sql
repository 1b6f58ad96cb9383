-- A decision its author took back while it was already replaced by someone else's (a bulk accept undone after
-- another reviewer decided one of its names again): revoked already, and marked so that undoing the later
-- decision does not put it back in force (review/decide.ts, store/decisions.ts).
ALTER TABLE fk_backfill.decisions ADD COLUMN IF NOT EXISTS withdrawn_at timestamptz;
