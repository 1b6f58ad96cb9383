-- 'apply' aliases come from the links a run actually wrote (a trial, the guard): they were the linked
-- entries of the run's plan, so a re-apply of the same plan that changed no row contributed every name
-- again, and undoing the run that did write them left them in force through the no-op run (the guard then
-- linked new rows of a name whose links were undone). Now an apply run contributes a linked plan entry's
-- name only if the run wrote, for that link, a row with the entry's target and method (its change sets),
-- and only while the run is not undone. A run that changed no row contributes nothing.

CREATE OR REPLACE FUNCTION fk_backfill.refresh_aliases(p_links text[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM fk_backfill.aliases a WHERE p_links IS NULL OR a.link = ANY (p_links);
  INSERT INTO fk_backfill.aliases (link, scope_key, source_name, origin, target_key, decision_id)
  SELECT DISTINCT ON (d.link, md5(d.source_name), d.scope_key) d.link, d.scope_key, d.source_name, 'decision',
         CASE WHEN d.action = 'alias' THEN d.target_key END, d.id
    FROM fk_backfill.decisions d
   WHERE d.revoked_at IS NULL AND (p_links IS NULL OR d.link = ANY (p_links))
   ORDER BY d.link, md5(d.source_name), d.scope_key, d.decided_at DESC, d.id DESC;
  INSERT INTO fk_backfill.aliases (link, scope_key, source_name, origin, target_key, run_id)
  SELECT DISTINCT ON (e.link, md5(e.source_name), e.scope_key) e.link, e.scope_key, e.source_name, 'apply', e.target_key, r.id
    FROM fk_backfill.runs r
    JOIN fk_backfill.plan_entries e ON e.run_id = r.plan_run_id AND e.link = ANY (r.entities)
    JOIN (SELECT DISTINCT cs.run_id, cs.link, u.new_value, coalesce(u.method, cs.method) AS method
            FROM fk_backfill.change_sets cs
           CROSS JOIN LATERAL unnest(cs.new_values, cs.methods) AS u(new_value, method)
           WHERE p_links IS NULL OR cs.link = ANY (p_links)) w
      ON w.run_id = r.id AND w.link = e.link AND w.new_value = e.target_key AND w.method IS NOT DISTINCT FROM e.method
   WHERE r.kind IN ('apply', 'backfill') AND r.status = 'done' AND NOT r.dry_run
     AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL
     AND (p_links IS NULL OR e.link = ANY (p_links))
     AND NOT EXISTS (SELECT 1 FROM fk_backfill.runs u
                      WHERE u.kind = 'undo' AND u.status = 'done' AND u.target_run_id = r.id AND e.link = ANY (u.entities))
   ORDER BY e.link, md5(e.source_name), e.scope_key, r.id DESC;
END
$fn$;

-- An apply run finished, or an undo of one: the links' aliases are recomputed from the runs in force.
CREATE OR REPLACE FUNCTION fk_backfill.run_aliases() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.kind IN ('apply', 'backfill') AND NEW.plan_run_id IS NOT NULL THEN
    PERFORM fk_backfill.refresh_aliases(NEW.entities);
  ELSIF NEW.kind = 'undo' AND EXISTS (SELECT 1 FROM fk_backfill.runs t WHERE t.id = NEW.target_run_id AND t.kind IN ('apply', 'backfill')) THEN
    PERFORM fk_backfill.refresh_aliases(NEW.entities);
  END IF;
  RETURN NULL;
END
$fn$;

SELECT fk_backfill.refresh_aliases(NULL);
