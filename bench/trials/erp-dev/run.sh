#!/usr/bin/env bash
# Trial of fk-backfill's fuzzy matching on set DEV: ERP names written by hand for it (issue #16, 2026-12-05), the set
# the rules for names from ERP imports were designed on (docs/matching.md, "Names from ERP imports"): not held out.
# usage: npm run bench:trial  |  bash bench/trials/erp-dev/run.sh [path of a built fk-backfill checkout]
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust), psql and python3; drops and recreates database trial_dev.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CHECKOUT="${1:-$(cd "$HERE/../../.." && pwd)}"
DB=trial_dev
PGARGS=(-h 127.0.0.1 -U postgres -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS='-c client_min_messages=warning'
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
CLI=(node "$CHECKOUT/dist/cli/main.js")
WORK="$(mktemp -d)"

[ -f "$CHECKOUT/dist/cli/main.js" ] || { echo "no built CLI at $CHECKOUT/dist/cli/main.js" >&2; exit 2; }

# 1. fresh database with set DEV
psql "${PGARGS[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
psql "${PGARGS[@]}" -d "$DB" -f "$HERE/data.sql" >/dev/null 2>&1

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

# 3. the tool, as a user runs it
"${CLI[@]}" plan --all-tenants            > plan.txt   2> plan.err
"${CLI[@]}" apply --all-tenants --yes     > apply.txt  2> apply.err
"${CLI[@]}" review export --all-tenants --out review.csv > export.txt 2> export.err

# 4. the review queue into the database (first candidate per (tenant, name))
python3 - <<'EOF'
import csv, json
with open("review.csv", newline="", encoding="utf-8-sig") as f, open("queue.csv", "w", newline="", encoding="utf-8") as g:
    w = csv.writer(g)
    for r in csv.DictReader(f):
        scope = json.loads(r["scope"])[0] if r["scope"] else ""
        w.writerow([scope, r["name"], r["outcome"], r["score"], r["candidate_1_key"], r["candidate_1_name"], r["candidate_1_score"]])
EOF
psql "${PGARGS[@]}" -d "$DB" <<'EOF'
DROP SCHEMA IF EXISTS eval CASCADE;
CREATE SCHEMA eval;
CREATE TABLE eval.queue (tenant_id int, name text, outcome text, score numeric, cand1_key int, cand1_name text, cand1_score numeric);
\copy eval.queue FROM 'queue.csv' WITH (FORMAT csv)
EOF

# 5. measure against truth
psql -h 127.0.0.1 -U postgres -X -q -v ON_ERROR_STOP=1 -d "$DB" -P pager=off <<'EOF'
CREATE TEMP VIEW r AS
SELECT d.id, d.tenant_id, d.customer_name AS doc_name, d.customer_id,
       t.master_id, t.category, t.variant, t.domain,
       tm.name AS truth_name,
       lm.name AS linked_name, lm.active AS linked_active,
       (d.customer_id IS NOT NULL AND lm.id IS NULL) AS cross_tenant,
       q.outcome AS q_outcome, q.cand1_key, q.cand1_name, q.cand1_score
FROM documents d
JOIN truth.doc_truth t ON t.doc_id = d.id
LEFT JOIN customers tm ON tm.tenant_id = d.tenant_id AND tm.id = t.master_id
LEFT JOIN customers lm ON lm.tenant_id = d.tenant_id AND lm.id = d.customer_id
LEFT JOIN eval.queue q ON q.tenant_id = d.tenant_id AND q.name IS NOT DISTINCT FROM d.customer_name;

\echo '================ fk-backfill fuzzy trial: set DEV ================'
SELECT
  count(*)                                                                    AS rows_total,
  count(*) FILTER (WHERE master_id IS NOT NULL)                               AS linkable_rows,
  count(*) FILTER (WHERE customer_id IS NOT NULL)                             AS auto_linked,
  count(*) FILTER (WHERE customer_id = master_id)                             AS correct_links,
  count(*) FILTER (WHERE customer_id IS NOT NULL AND master_id IS NOT NULL AND customer_id <> master_id) AS wrong_links_other_master,
  count(*) FILTER (WHERE customer_id IS NOT NULL AND master_id IS NULL)       AS links_on_non_linkable,
  count(*) FILTER (WHERE cross_tenant)                                        AS cross_tenant_links,
  count(*) FILTER (WHERE linked_active = false)                               AS links_to_inactive,
  round(count(*) FILTER (WHERE customer_id = master_id)::numeric
        / nullif(count(*) FILTER (WHERE customer_id IS NOT NULL), 0), 4)      AS precision,
  round(count(*) FILTER (WHERE customer_id = master_id)::numeric
        / nullif(count(*) FILTER (WHERE master_id IS NOT NULL), 0), 4)        AS recall,
  round(count(*) FILTER (WHERE master_id IS NOT NULL AND (customer_id = master_id OR (customer_id IS NULL AND cand1_key = master_id)))::numeric
        / nullif(count(*) FILTER (WHERE master_id IS NOT NULL), 0), 4)        AS linked_or_first,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL)       AS missed_linkable,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL AND cand1_key = master_id)   AS missed_first_cand_right,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL AND cand1_key = master_id AND q_outcome = 'review')    AS  of_which_review_band,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL AND cand1_key = master_id AND q_outcome = 'unmatched') AS  of_which_below_reviewAt,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL AND cand1_key = master_id AND q_outcome = 'ambiguous') AS  of_which_ambiguous,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL AND cand1_key IS DISTINCT FROM master_id AND cand1_key IS NOT NULL) AS missed_first_cand_wrong,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL AND cand1_key IS NULL) AS missed_no_candidate,
  count(*) FILTER (WHERE master_id IS NOT NULL AND customer_id IS NULL AND q_outcome IS NULL) AS missed_not_in_queue
FROM r \gx

\echo '---- per category (linkable rows) ----'
SELECT category, count(*) AS rows,
       count(*) FILTER (WHERE customer_id = master_id) AS correct,
       count(*) FILTER (WHERE customer_id IS NOT NULL AND customer_id <> master_id) AS wrong,
       round(count(*) FILTER (WHERE customer_id = master_id)::numeric / count(*), 3) AS recall,
       round(count(*) FILTER (WHERE customer_id = master_id OR (customer_id IS NULL AND cand1_key = master_id))::numeric / count(*), 3) AS linked_or_first
FROM r WHERE master_id IS NOT NULL GROUP BY category ORDER BY recall DESC, category;

\echo '---- per category (non-linkable rows: any link is wrong) ----'
SELECT category, count(*) AS rows,
       count(*) FILTER (WHERE customer_id IS NOT NULL) AS linked,
       count(*) FILTER (WHERE customer_id IS NULL AND q_outcome = 'review') AS in_review_band,
       count(*) FILTER (WHERE customer_id IS NULL AND q_outcome = 'ambiguous') AS ambiguous_outcome
FROM r WHERE master_id IS NULL GROUP BY category ORDER BY category;

\echo '---- per domain ----'
SELECT domain, count(*) AS rows, count(*) FILTER (WHERE master_id IS NOT NULL) AS linkable,
       count(*) FILTER (WHERE customer_id IS NOT NULL) AS linked,
       count(*) FILTER (WHERE customer_id = master_id) AS correct,
       round(count(*) FILTER (WHERE customer_id = master_id)::numeric / nullif(count(*) FILTER (WHERE customer_id IS NOT NULL), 0), 3) AS precision,
       round(count(*) FILTER (WHERE customer_id = master_id)::numeric / nullif(count(*) FILTER (WHERE master_id IS NOT NULL), 0), 3) AS recall
FROM r GROUP BY domain ORDER BY domain;

\echo '---- wrong links (every link that is not the truth) ----'
SELECT tenant_id AS t, doc_name, linked_name, coalesce(truth_name, '(none: ' || category || ')') AS truth, category
FROM r WHERE customer_id IS NOT NULL AND customer_id IS DISTINCT FROM master_id
ORDER BY category, tenant_id, doc_name;

\echo '---- missed linkable rows ----'
SELECT tenant_id AS t, doc_name, truth_name, category,
       coalesce(q_outcome, '-') AS outcome,
       CASE WHEN cand1_key IS NULL THEN '-' ELSE cand1_name || ' (' || cand1_score || ')' || CASE WHEN cand1_key = master_id THEN ' = truth' ELSE '' END END AS first_candidate
FROM r WHERE master_id IS NOT NULL AND customer_id IS NULL
ORDER BY category, tenant_id, doc_name;
EOF
echo "tool output kept in $WORK (plan.txt, apply.txt, review.csv)"
