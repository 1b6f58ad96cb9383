-- `masters create` is recorded as a run of kind 'masters' (its summary lists the masters it created or
-- reactivated and the decisions it wrote), so `undo --run` can take it back: the masters no row links to are
-- deleted (or deactivated again, to their old value), its decisions revoked and the ones they replaced restored.

ALTER TABLE fk_backfill.runs DROP CONSTRAINT IF EXISTS runs_kind_check;
ALTER TABLE fk_backfill.runs ADD CONSTRAINT runs_kind_check CHECK (kind IN ('plan', 'apply', 'undo', 'constrain', 'backfill', 'guard', 'masters'));
