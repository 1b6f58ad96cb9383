-- The master table (and key) each link name stands for. Decisions, learned aliases and the guard's aliases are kept
-- per link name and name master keys of that table: a config that points the same link name at another master table
-- would read them as keys of that one (a new user's trial: a decision made for customers linked an order to the
-- supplier with the same id). Registered by the first command that plans, decides or guards a link; a later one
-- that points the name elsewhere is refused (LINK_RETARGETED). Databases older than this migration register a link
-- at its first such command after it.
CREATE TABLE IF NOT EXISTS fk_backfill.link_targets (
  link          text        PRIMARY KEY,
  target        text        NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);
