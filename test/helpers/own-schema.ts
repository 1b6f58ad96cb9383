/**
 * Schema fk_backfill of a test database: how a reset shows it is as its migrations left it, and empties it. Shared by
 * the PGlite reset (db.ts) and the PostgreSQL pool (pg-pool.ts).
 */

/**
 * What makes schema fk_backfill what its migrations built, as one hash: its owner and grants, every relation (with
 * columns, defaults, grants, options), constraint, index, function, trigger, policy, type, default privilege and
 * comment in it, and the rows of schema_migrations. Equal to the print taken right after migrating: the migrations'
 * objects are all there, unchanged, and nothing was added, so emptying its tables gives a freshly migrated schema.
 * An ACL equal to its object's default prints as none (NULL, what it means): a test role's grants revoked by DROP
 * OWNED leave the owner's default written out, the same privileges.
 */
export const OWN_SCHEMA_PRINT = `WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = 'fk_backfill'),
rel AS (SELECT c.* FROM pg_class c JOIN ns ON c.relnamespace = ns.oid),
fn AS (SELECT p.* FROM pg_proc p JOIN ns ON p.pronamespace = ns.oid)
SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) AS print FROM (
  SELECT concat_ws('|', 'n', n.nspowner::regrole, NULLIF(n.nspacl, acldefault('n'::"char", n.nspowner))) FROM pg_namespace n JOIN ns ON n.oid = ns.oid
  UNION ALL SELECT concat_ws('|', 'c', relname, relkind, relowner::regrole,
    NULLIF(relacl, acldefault((CASE relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char", relowner)), relrowsecurity, relforcerowsecurity,
    reloptions, relpersistence, relreplident, CASE WHEN relkind IN ('v', 'm') THEN pg_get_viewdef(oid) END) FROM rel
  UNION ALL SELECT concat_ws('|', 'a', c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
    a.attidentity, a.attgenerated, NULLIF(a.attacl, '{}'), a.attstattarget, a.attcollation, pg_get_expr(d.adbin, d.adrelid))
    FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT concat_ws('|', 'k', c.relname, k.conname, pg_get_constraintdef(k.oid)) FROM pg_constraint k
    JOIN ns ON k.connamespace = ns.oid LEFT JOIN pg_class c ON c.oid = k.conrelid
  UNION ALL SELECT concat_ws('|', 'i', pg_get_indexdef(i.indexrelid), i.indisvalid) FROM pg_index i JOIN rel c ON c.oid = i.indrelid
  UNION ALL SELECT concat_ws('|', 'f', oid::regprocedure, proowner::regrole, NULLIF(proacl, acldefault('f'::"char", proowner)), proconfig, md5(pg_get_functiondef(oid)))
    FROM fn WHERE prokind IN ('f', 'p')
  UNION ALL SELECT concat_ws('|', 'f', oid::regprocedure, proowner::regrole, NULLIF(proacl, acldefault('f'::"char", proowner)), prokind) FROM fn WHERE prokind NOT IN ('f', 'p')
  UNION ALL SELECT concat_ws('|', 't', pg_get_triggerdef(t.oid), t.tgenabled) FROM pg_trigger t JOIN rel c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal
  UNION ALL SELECT concat_ws('|', 'p', c.relname, po.polname, po.polcmd, po.polpermissive, po.polroles::text,
    pg_get_expr(po.polqual, po.polrelid), pg_get_expr(po.polwithcheck, po.polrelid)) FROM pg_policy po JOIN rel c ON c.oid = po.polrelid
  UNION ALL SELECT concat_ws('|', 'y', t.typname, t.typtype, t.typowner::regrole, NULLIF(t.typacl, acldefault('T'::"char", t.typowner))) FROM pg_type t JOIN ns ON t.typnamespace = ns.oid
  UNION ALL SELECT concat_ws('|', 'd', d.defaclrole::regrole, d.defaclobjtype, d.defaclacl) FROM pg_default_acl d JOIN ns ON d.defaclnamespace = ns.oid
  UNION ALL SELECT concat_ws('|', 'r', c.relname, r.rulename, pg_get_ruledef(r.oid)) FROM pg_rewrite r JOIN rel c ON c.oid = r.ev_class
    WHERE c.relkind NOT IN ('v', 'm')
  UNION ALL SELECT concat_ws('|', 'm', d.classoid::regclass, d.objoid, d.objsubid, d.description) FROM pg_description d
    WHERE d.objoid IN (SELECT oid FROM rel UNION ALL SELECT oid FROM fn UNION ALL SELECT oid FROM ns)
  UNION ALL SELECT concat_ws('|', 's', m.version, m.name, m.checksum) FROM fk_backfill.schema_migrations m
) AS print(x)`;

/**
 * Empties schema fk_backfill but schema_migrations, as the TRUNCATE of all its tables did (~30 of them: a new file per
 * table, index and TOAST table on every reset), but truncating only those a test wrote to: a table TRUNCATE left
 * empty has no page until a row goes in (also a row deleted or rolled back since). Every sequence a test drew from is
 * set back to its start (was: RESTART IDENTITY of the truncated tables' own).
 */
export const EMPTY_OWN_SCHEMA = `DO $$ DECLARE t text; BEGIN
  SELECT string_agg(format('%I.%I', 'fk_backfill', c.relname), ', ') INTO t FROM pg_class c
   WHERE c.relnamespace = 'fk_backfill'::regnamespace AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
     AND pg_relation_size(c.oid) > 0;
  IF t IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t || ' CASCADE'; END IF;
  PERFORM setval(format('%I.%I', s.schemaname, s.sequencename), s.start_value, false) FROM pg_sequences s
   WHERE s.schemaname = 'fk_backfill' AND s.last_value IS NOT NULL;
END $$`;
