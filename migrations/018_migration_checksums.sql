-- Migrations are immutable once shipped (issue #15): each applied migration's checksum (sha256 of its
-- text, line endings normalised) is recorded here by migrate(), and every start compares the recorded
-- checksums with the files this fk-backfill ships, refusing to work on a schema built by other SQL.
ALTER TABLE fk_backfill.schema_migrations ADD COLUMN IF NOT EXISTS checksum text;
