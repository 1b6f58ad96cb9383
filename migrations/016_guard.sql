-- Write-time guard and drift report (issue #20).
--
-- `fk-backfill guard install` puts a BEFORE INSERT / UPDATE OF name, scope trigger on a link's source
-- table that fills a NULL FK from what the project already trusts. Its links are logged as change sets
-- of a run of kind 'guard' (so `undo --run` reverts them like an apply's); what it could not link is
-- counted in guard_misses.

ALTER TABLE fk_backfill.runs DROP CONSTRAINT IF EXISTS runs_kind_check;
ALTER TABLE fk_backfill.runs ADD CONSTRAINT runs_kind_check CHECK (kind IN ('plan', 'apply', 'undo', 'constrain', 'backfill', 'guard'));

-- The accepted aliases of each link and scope: one row per (link, scope, name, origin).
--   origin 'decision': the latest unrevoked review decision for the name (target_key NULL: 'never' or
--                      'create', i.e. a person said not to link this name to any existing master);
--   origin 'apply':    the name was linked by an apply run that finished and was not undone (the
--                      linked entries of its plan; the latest such run wins).
-- Kept current by the triggers below (on decisions and on runs finishing), whoever writes them;
-- fk_backfill.refresh_aliases() recomputes it (migration, `guard install`).
CREATE TABLE IF NOT EXISTS fk_backfill.aliases (
  link        text        NOT NULL,
  scope_key   text[]      NOT NULL,
  source_name text        NOT NULL,
  origin      text        NOT NULL CHECK (origin IN ('decision', 'apply')),
  target_key  text,
  decision_id bigint,
  run_id      bigint,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (origin = 'decision' OR target_key IS NOT NULL)
);
-- md5 of the name: names may be longer than a btree entry (issue #8). The guard looks up (link, name, scope).
CREATE UNIQUE INDEX IF NOT EXISTS aliases_lookup ON fk_backfill.aliases (link, md5(source_name), scope_key, origin);

-- Where a guard is installed: one row per link. `guard remove` drops exactly these objects.
CREATE TABLE IF NOT EXISTS fk_backfill.guards (
  link          text        PRIMARY KEY,
  run_id        bigint      NOT NULL REFERENCES fk_backfill.runs (id),
  table_oid     oid         NOT NULL,
  table_name    text        NOT NULL,   -- schema-qualified, quoted, at install
  trigger_name  text        NOT NULL,
  function_name text        NOT NULL,   -- in schema fk_backfill
  installed_at  timestamptz NOT NULL DEFAULT now(),
  installed_by  text
);

-- Names the guard saw with a NULL FK and could not link (append-only: no row is ever updated, so
-- concurrent writers never wait on each other here).
CREATE TABLE IF NOT EXISTS fk_backfill.guard_misses (
  run_id      bigint      NOT NULL,
  link        text        NOT NULL,
  scope_key   text[]      NOT NULL,
  source_name text        NOT NULL,
  row_key     text,
  reason      text        NOT NULL,
  missed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS guard_misses_run ON fk_backfill.guard_misses (run_id, link);

-- Recomputes the aliases of some links (NULL: all) from the decisions and the finished apply runs.
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
   WHERE r.kind IN ('apply', 'backfill') AND r.status = 'done' AND NOT r.dry_run
     AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL
     AND (p_links IS NULL OR e.link = ANY (p_links))
     AND NOT EXISTS (SELECT 1 FROM fk_backfill.runs u
                      WHERE u.kind = 'undo' AND u.status = 'done' AND u.target_run_id = r.id AND e.link = ANY (u.entities))
   ORDER BY e.link, md5(e.source_name), e.scope_key, r.id DESC;
END
$fn$;

-- A decision written or revoked: the name's 'decision' alias follows its latest unrevoked decision.
CREATE OR REPLACE FUNCTION fk_backfill.decision_alias() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  d record;
BEGIN
  SELECT x.id, x.action, x.target_key INTO d
    FROM fk_backfill.decisions x
   WHERE x.link = NEW.link AND x.scope_key = NEW.scope_key AND md5(x.source_name) = md5(NEW.source_name)
     AND x.source_name = NEW.source_name AND x.revoked_at IS NULL
   ORDER BY x.decided_at DESC, x.id DESC
   LIMIT 1;
  IF NOT FOUND THEN
    DELETE FROM fk_backfill.aliases a
     WHERE a.link = NEW.link AND md5(a.source_name) = md5(NEW.source_name) AND a.scope_key = NEW.scope_key AND a.origin = 'decision';
  ELSE
    INSERT INTO fk_backfill.aliases AS a (link, scope_key, source_name, origin, target_key, decision_id)
    VALUES (NEW.link, NEW.scope_key, NEW.source_name, 'decision', CASE WHEN d.action = 'alias' THEN d.target_key END, d.id)
    ON CONFLICT (link, md5(source_name), scope_key, origin)
    DO UPDATE SET target_key = EXCLUDED.target_key, decision_id = EXCLUDED.decision_id, updated_at = now();
  END IF;
  RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS decisions_alias ON fk_backfill.decisions;
CREATE TRIGGER decisions_alias AFTER INSERT OR UPDATE OF revoked_at ON fk_backfill.decisions
  FOR EACH ROW EXECUTE FUNCTION fk_backfill.decision_alias();

-- An apply run finished: the names its plan linked become 'apply' aliases. An undo of one finished:
-- that run's aliases go (recomputed from the runs left).
CREATE OR REPLACE FUNCTION fk_backfill.run_aliases() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.kind IN ('apply', 'backfill') AND NEW.plan_run_id IS NOT NULL THEN
    INSERT INTO fk_backfill.aliases AS a (link, scope_key, source_name, origin, target_key, run_id)
    SELECT DISTINCT ON (e.link, md5(e.source_name), e.scope_key) e.link, e.scope_key, e.source_name, 'apply', e.target_key, NEW.id
      FROM fk_backfill.plan_entries e
     WHERE e.run_id = NEW.plan_run_id AND e.link = ANY (NEW.entities)
       AND e.outcome = 'linked' AND e.source_name IS NOT NULL AND e.target_key IS NOT NULL
     ORDER BY e.link, md5(e.source_name), e.scope_key
    ON CONFLICT (link, md5(source_name), scope_key, origin)
    DO UPDATE SET target_key = EXCLUDED.target_key, run_id = EXCLUDED.run_id, updated_at = now();
  ELSIF NEW.kind = 'undo' AND EXISTS (SELECT 1 FROM fk_backfill.runs t WHERE t.id = NEW.target_run_id AND t.kind IN ('apply', 'backfill')) THEN
    PERFORM fk_backfill.refresh_aliases(NEW.entities);
  END IF;
  RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS runs_aliases ON fk_backfill.runs;
CREATE TRIGGER runs_aliases AFTER UPDATE OF status ON fk_backfill.runs
  FOR EACH ROW WHEN (NEW.status = 'done' AND OLD.status IS DISTINCT FROM 'done' AND NOT NEW.dry_run AND NEW.kind IN ('apply', 'backfill', 'undo'))
  EXECUTE FUNCTION fk_backfill.run_aliases();

SELECT fk_backfill.refresh_aliases(NULL);
