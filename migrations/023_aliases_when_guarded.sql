-- The 'apply' aliases are read by the guard only (drift reads the 'decision' ones; a name an apply
-- linked is in a finished plan, which drift checks first). Keeping them when every apply or undo ends cost
-- that run's final status update 1.2 s at 1 M rows (one unnest of its change sets, 45 k upserts): 7 % of a
-- 5,000-tenant plan + apply. They are now kept only for the links that have a guard installed; `guard install`
-- recomputes a link's aliases from scratch (fk_backfill.refresh_aliases), so a guard installed later starts
-- from the same aliases as if they had been kept all along.
--
-- A guard install and a run ending at the same time: install holds fk_backfill.aliases in SHARE ROW
-- EXCLUSIVE mode from before its recompute until it commits, and the trigger takes ROW EXCLUSIVE before
-- it looks for guards. So either the run's end waits for the install and then sees its guard (and keeps
-- the aliases), or the install waits for the run's end and then its recompute sees the run finished.

CREATE OR REPLACE FUNCTION fk_backfill.run_aliases() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  v_links text[];
BEGIN
  -- waits for a guard install in progress (it holds SHARE ROW EXCLUSIVE until it commits), then sees its guards
  LOCK TABLE fk_backfill.aliases IN ROW EXCLUSIVE MODE;
  v_links := ARRAY(SELECT g.link FROM fk_backfill.guards g WHERE g.link = ANY (NEW.entities));
  IF cardinality(v_links) = 0 THEN
    RETURN NULL;
  END IF;
  IF NEW.kind IN ('apply', 'backfill') AND NEW.plan_run_id IS NOT NULL THEN
    INSERT INTO fk_backfill.aliases AS a (link, scope_key, source_name, origin, target_key, run_id)
    SELECT DISTINCT ON (e.link, md5(e.source_name), e.scope_key) e.link, e.scope_key, e.source_name, 'apply', e.target_key, NEW.id
      FROM fk_backfill.plan_entries e
      JOIN (SELECT DISTINCT cs.link, u.new_value, coalesce(u.method, cs.method) AS method
              FROM fk_backfill.change_sets cs
             CROSS JOIN LATERAL unnest(cs.new_values, cs.methods) AS u(new_value, method)
             WHERE cs.run_id = NEW.id AND cs.link = ANY (v_links)) w
        ON w.link = e.link AND w.new_value = e.target_key AND w.method IS NOT DISTINCT FROM e.method
     WHERE e.run_id = NEW.plan_run_id AND e.link = ANY (v_links)
       AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL
     ORDER BY e.link, md5(e.source_name), e.scope_key
    ON CONFLICT (link, md5(source_name), scope_key, origin)
    DO UPDATE SET target_key = EXCLUDED.target_key, run_id = EXCLUDED.run_id, updated_at = now()
     WHERE a.run_id IS NULL OR a.run_id <= EXCLUDED.run_id;
  ELSIF NEW.kind = 'undo' AND EXISTS (SELECT 1 FROM fk_backfill.runs t WHERE t.id = NEW.target_run_id AND t.kind IN ('apply', 'backfill')) THEN
    -- the undone run's names, re-derived from the other runs in force (the highest id that wrote each)
    INSERT INTO fk_backfill.aliases AS a (link, scope_key, source_name, origin, target_key, run_id)
    WITH gone AS (
      SELECT g.link, g.scope_key, g.source_name FROM fk_backfill.aliases g
       WHERE g.origin = 'apply' AND g.run_id = NEW.target_run_id AND g.link = ANY (v_links)
    ), cand AS (
      SELECT e.link, e.scope_key, e.source_name, e.target_key, e.method, r.id AS run_id
        FROM gone g
        JOIN fk_backfill.plan_entries e
          ON e.link = g.link AND md5(e.source_name) = md5(g.source_name) AND e.source_name = g.source_name AND e.scope_key = g.scope_key
        JOIN fk_backfill.runs r ON r.plan_run_id = e.run_id AND e.link = ANY (r.entities)
       WHERE r.kind IN ('apply', 'backfill') AND r.status = 'done' AND NOT r.dry_run AND r.id <> NEW.target_run_id
         AND e.outcome = 'linked' AND e.target_key IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM fk_backfill.runs u
                          WHERE u.kind = 'undo' AND u.status = 'done' AND u.target_run_id = r.id AND e.link = ANY (u.entities))
    ), w AS (
      SELECT DISTINCT cs.run_id, cs.link, u.new_value, coalesce(u.method, cs.method) AS method
        FROM fk_backfill.change_sets cs
       CROSS JOIN LATERAL unnest(cs.new_values, cs.methods) AS u(new_value, method)
       WHERE cs.run_id IN (SELECT DISTINCT c.run_id FROM cand c) AND cs.link = ANY (v_links)
    )
    SELECT DISTINCT ON (c.link, md5(c.source_name), c.scope_key) c.link, c.scope_key, c.source_name, 'apply', c.target_key, c.run_id
      FROM cand c
      JOIN w ON w.run_id = c.run_id AND w.link = c.link AND w.new_value = c.target_key AND w.method IS NOT DISTINCT FROM c.method
     ORDER BY c.link, md5(c.source_name), c.scope_key, c.run_id DESC
    ON CONFLICT (link, md5(source_name), scope_key, origin)
    DO UPDATE SET target_key = EXCLUDED.target_key, run_id = EXCLUDED.run_id, updated_at = now();
    DELETE FROM fk_backfill.aliases a
     WHERE a.origin = 'apply' AND a.run_id = NEW.target_run_id AND a.link = ANY (v_links);
  END IF;
  RETURN NULL;
END
$fn$;
