-- A plan writes one entry per distinct (scope, name): 145 k entries for 1 M rows over 5,000 tenants, and
-- the foreign key to fk_backfill.runs checked each of them, one index probe and row lock per entry
-- (0.2–0.4 s of that plan's 2.3 s INSERT). Only fk-backfill writes entries, always under the run it has
-- just created, so the check guarded nothing; what the key did for people, deleting a run's entries with
-- the run, a trigger now does.
ALTER TABLE fk_backfill.plan_entries DROP CONSTRAINT IF EXISTS plan_entries_run_id_fkey;

CREATE OR REPLACE FUNCTION fk_backfill.run_deleted() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM fk_backfill.plan_entries e WHERE e.run_id = OLD.id;
  RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS runs_deleted ON fk_backfill.runs;
CREATE TRIGGER runs_deleted AFTER DELETE ON fk_backfill.runs
  FOR EACH ROW EXECUTE FUNCTION fk_backfill.run_deleted();
