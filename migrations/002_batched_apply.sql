-- Batched, resumable apply (issue #5): a content hash per plan, and indexes for the per-batch joins.

-- Content hash of a plan: one md5 over its entries in a collation-independent order. Checked by
-- `apply --plan ID` (and on resume) so a plan edited after it was made is refused.
ALTER TABLE fk_backfill.runs ADD COLUMN IF NOT EXISTS plan_hash text;

CREATE OR REPLACE FUNCTION fk_backfill.plan_hash(p_run bigint) RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT md5(coalesce(string_agg(row(e.link, e.scope_key, e.source_name, e.outcome, e.target_key, e.method)::text, E'\n'
                                 ORDER BY e.link COLLATE "C", e.scope_key::text COLLATE "C", e.source_name COLLATE "C",
                                          e.outcome COLLATE "C", e.target_key COLLATE "C", e.method COLLATE "C"), ''))
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = p_run
$fn$;

-- Whatever finishes a plan run (status -> done) stamps its hash, in the same statement.
CREATE OR REPLACE FUNCTION fk_backfill.stamp_plan_hash() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.kind = 'plan' AND NEW.status = 'done' AND OLD.status IS DISTINCT FROM 'done' THEN
    NEW.plan_hash := fk_backfill.plan_hash(NEW.id);
  END IF;
  RETURN NEW;
END
$fn$;

DROP TRIGGER IF EXISTS runs_stamp_plan_hash ON fk_backfill.runs;
CREATE TRIGGER runs_stamp_plan_hash BEFORE UPDATE OF status ON fk_backfill.runs
  FOR EACH ROW EXECUTE FUNCTION fk_backfill.stamp_plan_hash();

-- Per-batch apply joins the linked entries of one plan and link by name.
-- md5 of the name, not the name: a btree entry holds at most ~2.7 kB and names may be longer (issue #8).
CREATE INDEX IF NOT EXISTS plan_entries_linked_name ON fk_backfill.plan_entries (run_id, link, md5(source_name)) WHERE outcome = 'linked';

-- Batched undo walks a run's changes by row key on changes_run_link_key (001): no extra index to
-- maintain per change row.
