-- Apply checks the decision, not just the master's existence (issue #23): every linked plan entry
-- records the name of its master as the plan read it (exact, normalised, fuzzy, alias, a person's
-- decision). Apply links a row only while the master still has that name; a master renamed since the
-- plan is skipped and counted as "master renamed". NULL: a plan made before this column (not checked).
ALTER TABLE fk_backfill.plan_entries ADD COLUMN IF NOT EXISTS target_name text;

-- The plan's content hash covers the recorded name too, so a plan whose names were edited is refused
-- like any other edit. Entries without one hash exactly as before: plans made earlier keep their hash.
CREATE OR REPLACE FUNCTION fk_backfill.plan_hash(p_run bigint) RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT md5(coalesce(string_agg(CASE WHEN e.target_name IS NULL
                                      THEN row(e.link, e.scope_key, e.source_name, e.outcome, e.target_key, e.method)::text
                                      ELSE row(e.link, e.scope_key, e.source_name, e.outcome, e.target_key, e.method, e.target_name)::text END, E'\n'
                                 ORDER BY e.link COLLATE "C", e.scope_key::text COLLATE "C", e.source_name COLLATE "C",
                                          e.outcome COLLATE "C", e.target_key COLLATE "C", e.method COLLATE "C",
                                          e.target_name COLLATE "C"), ''))
    FROM fk_backfill.plan_entries e
   WHERE e.run_id = p_run
$fn$;
