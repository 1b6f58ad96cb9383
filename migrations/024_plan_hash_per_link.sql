-- A plan's content hash, the same hash computed faster (issue #23, many small tenants). It sorted every entry
-- of the plan on seven keys led by the link, the same for nearly every entry: the sort could not use its
-- abbreviated keys and spilled to disk, 0.65 s of a 145 k-entry plan's finishing UPDATE (1 M rows over
-- 5,000 tenants). Sorting each link's entries on the other six keys (the scope first, which abbreviates well)
-- and joining the links' texts in link order makes the very same string, so the very same md5: ordering on
-- (link, rest) is ordering each link's entries on (rest), links in order. Every stored hash stays valid.
CREATE OR REPLACE FUNCTION fk_backfill.plan_hash(p_run bigint) RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT md5(coalesce(string_agg(l.body, E'\n' ORDER BY l.link COLLATE "C"), ''))
    FROM (SELECT e.link,
                 string_agg(CASE WHEN e.target_name IS NULL
                                 THEN row(e.link, e.scope_key, e.source_name, e.outcome, e.target_key, e.method)::text
                                 ELSE row(e.link, e.scope_key, e.source_name, e.outcome, e.target_key, e.method, e.target_name)::text END, E'\n'
                            ORDER BY e.scope_key::text COLLATE "C", e.source_name COLLATE "C", e.outcome COLLATE "C",
                                     e.target_key COLLATE "C", e.method COLLATE "C", e.target_name COLLATE "C") AS body
            FROM fk_backfill.plan_entries e
           WHERE e.run_id = p_run
           GROUP BY e.link) l
$fn$;

-- Every plan maintained an index on md5(source_name) of its linked entries: 0.35 s of the same plan's
-- INSERT (it was 0.49 s without it, 0.89 s with). Batches join their own lookup table, not plan_entries;
-- its last reader was the guard's re-derivation of an undone run's aliases, which now hashes the few plans'
-- linked entries it reads (plan_entries_run_link finds them) instead of probing per alias.
DROP INDEX IF EXISTS fk_backfill.plan_entries_linked_name;
-- The guard's aliases come from a join of plans' linked entries with the values runs wrote (their change
-- sets, unnested): hundreds of thousands of rows on each side at 1 M rows. fk-backfill's own tables are
-- rarely analysed (change_sets gains one row per batch), so the planner saw one change set of ten values
-- and looped over the entries once per value written: `guard install` after a 1 M-row apply ran for more
-- than 13 minutes without ending. Hashed, 4.9 s; in memory, less. Both functions plan their joins so,
-- whatever the estimates (a nested loop remains where nothing else can run: the unnest of each change set).
ALTER FUNCTION fk_backfill.refresh_aliases(text[]) SET enable_nestloop = off SET work_mem = '64MB';
ALTER FUNCTION fk_backfill.run_aliases() SET enable_nestloop = off SET work_mem = '64MB';
