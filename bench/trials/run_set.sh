#!/usr/bin/env bash
# A trial of fk-backfill's fuzzy matching on one of the hand-written sets T3-T21 (bench/trials/README.md): recreates its
# database, runs plan / apply --all-tenants --yes / review export with defaults and "match": "fuzzy", prints totals and
# counts per category and tenant only (no names).
# usage: bash bench/trials/run_set.sh bench/trials/erp-t6 [path of a built fk-backfill checkout, default this one]
# env: FKB_TRIAL_DB_PREFIX prefixes the database name (trial_t6 -> PREFIXtrial_t6), for runs side by side.
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust), psql and python3.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
SET="$(cd "${1:?usage: run_set.sh SET_DIR [checkout]}" && pwd)"
CHECKOUT="$(cd "${2:-$HERE/../..}" && pwd)"
set_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$SET/set.json" "$1"; }
NAME="$(set_field name)"
# FKB_TRIAL_DB_PREFIX (e.g. fkb_lab_) names the database PREFIX + trial_tN, so parallel runs do not share one
DB="${FKB_TRIAL_DB_PREFIX:-}$(set_field db)"
PGARGS=(-h 127.0.0.1 -U postgres -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS='-c client_min_messages=warning'
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
CLI=(node "$CHECKOUT/dist/cli/main.js")
WORK="$(mktemp -d)"

[ -f "$CHECKOUT/dist/cli/main.js" ] || { echo "no built CLI at $CHECKOUT/dist/cli/main.js" >&2; exit 2; }
[ -f "$SET/data.sql" ] || python3 "$HERE/gen_set.py" "$SET" >/dev/null

# 1. fresh database with the set
psql "${PGARGS[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
psql "${PGARGS[@]}" -d "$DB" -f "$SET/data.sql" >/dev/null 2>&1

# 2. config: defaults, only "match": "fuzzy"
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"
cat > fk-backfill.config.json <<'EOF'
{
  "links": [
    {
      "entity": "document",
      "table": "documents",
      "key": "id",
      "fk": "customer_id",
      "name": "customer_name",
      "document": "id",
      "target": { "table": "customers", "key": ["tenant_id", "id"], "name": "name", "active": "active" },
      "scope": ["tenant_id"],
      "amount": "amount",
      "match": "fuzzy"
    }
  ]
}
EOF

# 3. the tool, as a user runs it (output kept in $WORK, not printed)
rc=0
"${CLI[@]}" plan --all-tenants            > plan.txt   2> plan.err   || rc=$?
echo "plan exit $rc"; rc=0
"${CLI[@]}" apply --all-tenants --yes     > apply.txt  2> apply.err  || rc=$?
echo "apply exit $rc"; rc=0
"${CLI[@]}" review export --all-tenants --out review.csv > export.txt 2> export.err || rc=$?
echo "review export exit $rc"
[ -f review.csv ] || { echo "no review.csv written" >&2; exit 3; }

# 4. the review queue into the database (first candidate per (tenant, name))
python3 - <<'EOF'
import csv, json
def key(v):
    v = (v or "").strip()
    if not v:
        return ""
    try:
        j = json.loads(v)
    except ValueError:
        return v
    if isinstance(j, list):
        j = j[-1]
    if isinstance(j, dict):
        j = j.get("id", "")
    return str(j)
with open("review.csv", newline="", encoding="utf-8-sig") as f, open("queue.csv", "w", newline="", encoding="utf-8") as g:
    w = csv.writer(g)
    for r in csv.DictReader(f):
        scope = json.loads(r["scope"])[0] if r["scope"] else ""
        w.writerow([scope, r["name"], r["outcome"], r["score"], key(r["candidate_1_key"]), r["candidate_1_score"]])
EOF
psql "${PGARGS[@]}" -d "$DB" <<'EOF'
DROP SCHEMA IF EXISTS eval CASCADE;
CREATE SCHEMA eval;
CREATE TABLE eval.queue_raw (tenant_id int, name text, outcome text, score numeric, cand1_key int, cand1_score numeric);
\copy eval.queue_raw FROM 'queue.csv' WITH (FORMAT csv)
CREATE TABLE eval.queue AS
  SELECT DISTINCT ON (tenant_id, name) * FROM eval.queue_raw ORDER BY tenant_id, name, score DESC NULLS LAST;
EOF

# 5. measure against truth: aggregate totals only (no names, no per-row lists)
psql -h 127.0.0.1 -U postgres -X -q -v ON_ERROR_STOP=1 -v name="$NAME" -d "$DB" -P pager=off <<'EOF'
CREATE TEMP VIEW r AS
SELECT d.id, d.tenant_id, d.customer_id, t.master_id, t.category, t.variant,
       lm.active AS linked_active,
       (d.customer_id IS NOT NULL AND lm.id IS NULL) AS cross_tenant,
       q.outcome AS q_outcome, q.cand1_key
FROM documents d
JOIN truth.doc_truth t ON t.doc_id = d.id
LEFT JOIN customers lm ON lm.tenant_id = d.tenant_id AND lm.id = d.customer_id
LEFT JOIN eval.queue q ON q.tenant_id = d.tenant_id AND q.name IS NOT DISTINCT FROM d.customer_name;

\echo '================ fk-backfill fuzzy trial: set' :name '(totals only) ================'
SELECT
  count(*)                                                                    AS rows_total,
  count(*) FILTER (WHERE master_id IS NOT NULL)                               AS linkable_rows,
  count(*) FILTER (WHERE customer_id IS NOT NULL)                             AS auto_linked,
  count(*) FILTER (WHERE customer_id = master_id)                             AS correct_links,
  count(*) FILTER (WHERE customer_id IS NOT NULL AND customer_id IS DISTINCT FROM master_id) AS wrong_links,
  count(*) FILTER (WHERE customer_id IS NOT NULL AND master_id IS NOT NULL AND customer_id <> master_id) AS wrong_links_other_master,
  count(*) FILTER (WHERE customer_id IS NOT NULL AND master_id IS NULL)       AS links_on_truth_null,
  round(100.0 * count(*) FILTER (WHERE customer_id = master_id)
        / nullif(count(*) FILTER (WHERE customer_id IS NOT NULL), 0), 2)      AS precision_pct,
  round(100.0 * count(*) FILTER (WHERE customer_id = master_id)
        / nullif(count(*) FILTER (WHERE master_id IS NOT NULL), 0), 2)        AS recall_pct,
  count(*) FILTER (WHERE cross_tenant)                                        AS cross_tenant_links,
  count(*) FILTER (WHERE linked_active = false)                               AS links_to_inactive,
  round(100.0 * count(*) FILTER (WHERE master_id IS NOT NULL AND (customer_id = master_id OR (customer_id IS NULL AND cand1_key = master_id)))
        / nullif(count(*) FILTER (WHERE master_id IS NOT NULL), 0), 2)        AS linked_or_first_pct,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL)       AS missed_linkable,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL AND q_outcome IS NULL) AS missed_not_in_queue
FROM r \gx

\echo '---- links on rows whose truth is NULL, by category (counts only) ----'
SELECT category, count(*) AS rows, count(*) FILTER (WHERE customer_id IS NOT NULL) AS linked
FROM r WHERE master_id IS NULL GROUP BY category ORDER BY category;

\echo '---- per category (counts only) ----'
SELECT category,
       CASE WHEN bool_and(master_id IS NOT NULL) THEN 'linkable' ELSE 'not linkable' END AS truth,
       count(*) AS rows,
       count(*) FILTER (WHERE customer_id IS NOT NULL) AS linked,
       count(*) FILTER (WHERE customer_id = master_id) AS correct,
       count(*) FILTER (WHERE customer_id IS NOT NULL AND customer_id IS DISTINCT FROM master_id) AS wrong,
       count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL AND cand1_key = master_id) AS missed_first_cand_right
FROM r GROUP BY category ORDER BY 2, 3 DESC, 1;

\echo '---- per tenant (counts only) ----'
SELECT tenant_id, count(*) AS rows, count(*) FILTER (WHERE master_id IS NOT NULL) AS linkable,
       count(*) FILTER (WHERE customer_id IS NOT NULL) AS linked,
       count(*) FILTER (WHERE customer_id = master_id) AS correct,
       count(*) FILTER (WHERE customer_id IS NOT NULL AND customer_id IS DISTINCT FROM master_id) AS wrong
FROM r GROUP BY tenant_id ORDER BY tenant_id;

\echo '---- runner sanity (counts only) ----'
SELECT (SELECT count(*) FROM eval.queue_raw) AS queue_rows,
       (SELECT count(*) FROM eval.queue_raw) - (SELECT count(*) FROM eval.queue) AS queue_duplicate_names,
       (SELECT count(*) FROM r) = (SELECT count(*) FROM documents) AS one_row_per_document,
       count(*) FILTER (WHERE category = 'exact' AND customer_id IS NULL AND q_outcome IS NULL) AS exact_unlinked_not_in_queue
FROM r;
EOF
echo "tool output kept in $WORK"
