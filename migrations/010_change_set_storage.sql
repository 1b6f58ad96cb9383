-- Change sets hold megabytes of arrays per batch (keys, values, old updated_at). The default TOAST
-- compression (pglz) cost ~100 ms per 36 000-row batch, about as much as the rest of the log (issue #5).
-- lz4 compresses the repetitive arrays (methods, timestamps) at a fraction of that cost; where the
-- server has no lz4 (PGlite, builds without it) the arrays are stored uncompressed, out of line.
DO $$
BEGIN
  ALTER TABLE fk_backfill.change_sets
    ALTER COLUMN row_keys SET COMPRESSION lz4,
    ALTER COLUMN old_values SET COMPRESSION lz4,
    ALTER COLUMN new_values SET COMPRESSION lz4,
    ALTER COLUMN methods SET COMPRESSION lz4,
    ALTER COLUMN scores SET COMPRESSION lz4,
    ALTER COLUMN touched_old SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
  ALTER TABLE fk_backfill.change_sets
    ALTER COLUMN row_keys SET STORAGE EXTERNAL,
    ALTER COLUMN old_values SET STORAGE EXTERNAL,
    ALTER COLUMN new_values SET STORAGE EXTERNAL,
    ALTER COLUMN methods SET STORAGE EXTERNAL,
    ALTER COLUMN scores SET STORAGE EXTERNAL,
    ALTER COLUMN touched_old SET STORAGE EXTERNAL;
END $$;
