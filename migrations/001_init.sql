-- fk-backfill's own tables. Never touches user tables.
CREATE TABLE IF NOT EXISTS fk_backfill.runs (
  id            bigserial PRIMARY KEY,
  kind          text        NOT NULL CHECK (kind IN ('plan', 'apply', 'undo', 'constrain', 'backfill')),
  scope         jsonb,                      -- {"tenant": "…"} or null for every scope value
  entities      text[]      NOT NULL,
  executed_by   text,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  dry_run       boolean     NOT NULL,
  config_hash   text        NOT NULL,
  config        jsonb       NOT NULL,
  status        text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'stopped')),
  options       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  summary       jsonb,
  checkpoint    jsonb,                      -- per link: last key done (batched apply / undo)
  plan_run_id   bigint      REFERENCES fk_backfill.runs (id),
  target_run_id bigint      REFERENCES fk_backfill.runs (id),  -- the run an undo reverts
  error         text
);

-- One row per distinct (link, scope values, source name): the decision a plan made.
CREATE TABLE IF NOT EXISTS fk_backfill.plan_entries (
  run_id      bigint  NOT NULL REFERENCES fk_backfill.runs (id) ON DELETE CASCADE,
  link        text    NOT NULL,
  scope_key   text[]  NOT NULL,             -- scope column values as text, in config order
  source_name text,                         -- NULL: rows without a name (never linked)
  outcome     text    NOT NULL CHECK (outcome IN ('linked', 'review', 'ambiguous', 'unmatched')),
  target_key  text,                         -- set when outcome = 'linked'
  method      text,
  score       real,
  row_count   bigint  NOT NULL,
  candidates  jsonb   NOT NULL DEFAULT '[]'::jsonb,
  reason      text
);
CREATE INDEX IF NOT EXISTS plan_entries_run_link ON fk_backfill.plan_entries (run_id, link, outcome);

-- Every value fk-backfill wrote into a user table, with what was there before: audit and undo.
CREATE TABLE IF NOT EXISTS fk_backfill.changes (
  id             bigserial PRIMARY KEY,
  run_id         bigint      NOT NULL REFERENCES fk_backfill.runs (id),
  link           text        NOT NULL,
  table_name     text        NOT NULL,
  row_key        text        NOT NULL,
  column_name    text        NOT NULL,
  old_value      text,
  new_value      text,
  method         text,
  score          real,
  touched_column text,                      -- e.g. updated_at, set to now() in the same statement
  touched_old    text,                      -- its value before, restored by undo
  changed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS changes_run_link_key ON fk_backfill.changes (run_id, link, row_key);

-- What people decided for a name (review): read by every plan before any scoring.
CREATE TABLE IF NOT EXISTS fk_backfill.decisions (
  id          bigserial PRIMARY KEY,
  link        text        NOT NULL,
  scope_key   text[]      NOT NULL,
  source_name text        NOT NULL,
  action      text        NOT NULL CHECK (action IN ('alias', 'never', 'create')),
  target_key  text,
  decided_by  text,
  decided_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CHECK ((action = 'alias') = (target_key IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS decisions_link_scope ON fk_backfill.decisions (link, scope_key, source_name) WHERE revoked_at IS NULL;
