-- Names longer than ~2.7 kB (a btree entry's limit) must not break anything (issue #8): index the md5 of
-- the name, not the name. Numbered 008 to stay clear of migrations being written in parallel.
DROP INDEX IF EXISTS fk_backfill.decisions_link_scope;
CREATE INDEX IF NOT EXISTS decisions_link_scope_md5 ON fk_backfill.decisions (link, scope_key, md5(source_name)) WHERE revoked_at IS NULL;
