#!/usr/bin/env python3
"""Build SET/data.sql from the hand-written lists in SET/names/*.txt, for the sets T3-T21 (bench/trials/README.md).

usage: python3 bench/trials/gen_set.py bench/trials/erp-t6
SET/set.json gives the set's name and seed. Deterministic (fixed seed): running it again writes the same file.
"""
import glob
import json
import os
import random
import re
import sys
from collections import defaultdict

HERE = os.path.abspath(sys.argv[1])
SET = json.load(open(os.path.join(HERE, "set.json"), encoding="utf-8"))
rng = random.Random(SET["seed"])

masters = []   # dict(key, tenant, name, active, domain)
docs = []      # dict(tenant, name, master_key or None, category, variant, domain, related_key)


def norm(s):
    return re.sub(r"\s+", " ", s.strip().lower()) if s is not None else None


def parse_name(raw):
    raw = raw.strip()
    if raw == "<NULL>":
        return None
    if raw == "<EMPTY>":
        return ""
    return raw


for path in sorted(glob.glob(os.path.join(HERE, "names", "*.txt"))):
    domain = None
    group = None  # list of (master record) for the current M line
    for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
        where = f"{os.path.basename(path)}:{lineno}"
        if not line.strip():
            continue
        if line.startswith("## domain"):
            domain = int(line.split()[2])
            continue
        if line.startswith("#"):
            continue
        if line.startswith("M "):
            head, name = line[2:].split("|", 1)
            parts = head.split()
            tenants = [int(t) for t in parts[0].split(",")]
            active = "inactive" not in parts[1:]
            group = []
            for t in tenants:
                m = dict(key=len(masters), tenant=t, name=name.strip(), active=active, domain=domain)
                masters.append(m)
                group.append(m)
            group_i = 0
            continue
        if line.startswith("X "):
            t, cat, name = [p.strip() for p in line[2:].split("|", 2)]
            n = 1
            mm = re.match(r"^(.*?)\s+\*(\d+)$", name)
            if mm:
                name, n = mm.group(1), int(mm.group(2))
            for _ in range(n):
                docs.append(dict(tenant=int(t), name=parse_name(name), master_key=None, category=cat,
                                 variant=cat, domain=domain, related_key=None, where=where))
            continue
        if line.startswith(" "):
            body = line.strip()
            at = None
            if body.startswith("@"):
                at_s, body = body.split(" ", 1)
                at = int(at_s[1:])
            kind, name = [p.strip() for p in body.split("|", 1)]
            n = 1
            mm = re.match(r"^(.*?)\s+\*(\d+)$", name)
            if mm:
                name, n = mm.group(1), int(mm.group(2))
            if at is not None:
                target = [m for m in group if m["tenant"] == at]
                assert target, f"{where}: @{at} not a tenant of the master"
                m = target[0]
            else:
                m = group[group_i % len(group)]
                group_i += 1
            line_id = where
            for _ in range(n):
                if m["active"]:
                    docs.append(dict(tenant=m["tenant"], name=parse_name(name), master_key=m["key"],
                                     category=kind, variant=kind, domain=domain, related_key=m["key"], where=where, line=line_id))
                else:
                    docs.append(dict(tenant=m["tenant"], name=parse_name(name), master_key=None,
                                     category="inactive", variant=kind, domain=domain, related_key=m["key"], where=where, line=line_id))
            continue
        sys.exit(f"{where}: cannot parse: {line!r}")

# every written variant line is kept (no subsampling, unlike set DEV)

# ---- validation -------------------------------------------------------------
errors = []
by_key0 = {m["key"]: m for m in masters}
master_names = defaultdict(dict)  # tenant -> norm name -> master
for m in masters:
    master_names[m["tenant"]].setdefault(norm(m["name"]), []).append(m) if False else None
    master_names[m["tenant"]].setdefault(norm(m["name"]), m)

truth_by_name = {}
for d in docs:
    k = (d["tenant"], norm(d["name"]))
    v = (d["master_key"], d["category"] if d["master_key"] is None else "link")
    if k in truth_by_name and truth_by_name[k][0] != v[0]:
        errors.append(f"{d['where']}: tenant {d['tenant']} name {d['name']!r} has two truths")
    truth_by_name.setdefault(k, v)
    if d["master_key"] is None and d["category"] not in ("inactive",) and d["name"]:
        hit = master_names[d["tenant"]].get(norm(d["name"]))
        if hit:
            errors.append(f"{d['where']}: non-linkable {d['name']!r} equals master {hit['name']!r} in tenant {d['tenant']}")
    if d["category"] == "other_tenant":
        elsewhere = [m for m in masters if m["tenant"] != d["tenant"]]
        # the entity must exist as a master in another tenant (checked loosely by a shared word)
        w = set(re.findall(r"[a-z]{4,}", norm(d["name"])))
        if not any(w & set(re.findall(r"[a-z]{4,}", norm(m["name"]))) for m in elsewhere):
            print(f"note: {d['where']}: other_tenant {d['name']!r}: no shared word with another tenant's master (checked by hand)")
# masters: no two masters of one tenant share a normalised name
seen = {}
for m in masters:
    k = (m["tenant"], norm(m["name"]))
    if k in seen:
        errors.append(f"tenant {m['tenant']}: two masters named {m['name']!r}")
    seen[k] = m
# a linkable row must not carry exactly the name of a different master of its tenant
for d in docs:
    if d["master_key"] is not None and d["name"]:
        hit = master_names[d["tenant"]].get(norm(d["name"]))
        if hit and hit["key"] != d["master_key"]:
            errors.append(f"{d['where']}: linkable {d['name']!r} equals another master {hit['name']!r}")
    if d["category"] == "exact" and d["master_key"] is not None and d["name"] != by_key0[d["master_key"]]["name"]:
        errors.append(f"{d['where']}: category exact but the name differs from its master")
    if d["variant"] == "exact" and d["category"] == "inactive" and d["name"] != by_key0[d["related_key"]]["name"]:
        errors.append(f"{d['where']}: inactive exact differs from its master")
if errors:
    sys.exit("\n".join(errors))

# ---- ids ---------------------------------------------------------------------
ids = rng.sample(range(1001, 10000), len(masters))   # unique across tenants: a cross-tenant link is visible
for m, i in zip(masters, ids):
    m["id"] = i
by_key = {m["key"]: m for m in masters}

rng.shuffle(docs)
for i, d in enumerate(docs, 1):
    d["id"] = i
    d["amount"] = round(rng.uniform(25, 25000), 2)


def q(s):
    if s is None:
        return "NULL"
    return "'" + s.replace("'", "''") + "'"


out = []
out.append(f"-- set {SET['name']} (held out): generated by gen.py from names/*.txt (hand-written); do not edit by hand")
out.append("BEGIN;")
out.append("SET client_encoding = 'UTF8';")
out.append("DROP SCHEMA IF EXISTS truth CASCADE;")
out.append("DROP TABLE IF EXISTS documents, customers CASCADE;")
out.append("CREATE TABLE customers (tenant_id int NOT NULL, id int NOT NULL, name text NOT NULL, active boolean NOT NULL DEFAULT true, PRIMARY KEY (tenant_id, id));")
out.append("CREATE TABLE documents (id serial PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int NULL, amount numeric);")
out.append("CREATE SCHEMA truth;")
out.append("CREATE TABLE truth.doc_truth (doc_id int PRIMARY KEY, tenant_id int NOT NULL, master_id int NULL, category text NOT NULL, variant text NOT NULL, domain int, related_master_id int);")
out.append("COMMENT ON COLUMN truth.doc_truth.related_master_id IS 'the master the variant was written from (the inactive master for category inactive)';")
out.append("INSERT INTO customers (tenant_id, id, name, active) VALUES")
ms = sorted(masters, key=lambda m: (m["tenant"], m["id"]))
out.append(",\n".join(f"  ({m['tenant']}, {m['id']}, {q(m['name'])}, {'true' if m['active'] else 'false'})" for m in ms) + ";")
out.append("INSERT INTO documents (id, tenant_id, customer_name, customer_id, amount) VALUES")
out.append(",\n".join(f"  ({d['id']}, {d['tenant']}, {q(d['name'])}, NULL, {d['amount']:.2f})" for d in docs) + ";")
out.append("SELECT setval(pg_get_serial_sequence('documents','id'), (SELECT max(id) FROM documents));")
out.append("INSERT INTO truth.doc_truth (doc_id, tenant_id, master_id, category, variant, domain, related_master_id) VALUES")


def mid(k):
    return "NULL" if k is None else str(by_key[k]["id"])


out.append(",\n".join(
    f"  ({d['id']}, {d['tenant']}, {mid(d['master_key'])}, {q(d['category'])}, {q(d['variant'])}, {d['domain']}, {mid(d['related_key'])})"
    for d in docs) + ";")
out.append("COMMIT;")
open(os.path.join(HERE, "data.sql"), "w", encoding="utf-8").write("\n".join(out) + "\n")

lin = sum(1 for d in docs if d["master_key"] is not None)
print(f"masters {len(masters)} (inactive {sum(not m['active'] for m in masters)}), documents {len(docs)}, "
      f"linkable {lin}, non-linkable {len(docs) - lin} ({100 * (len(docs) - lin) / len(docs):.1f} %)")
for t in (1, 2, 3, 4, 5):
    print(f"  tenant {t}: masters {sum(m['tenant'] == t for m in masters)}, documents {sum(d['tenant'] == t for d in docs)}")
for dom in (1, 2, 3, 4, 5):
    print(f"  domain {dom}: masters {sum(m['domain'] == dom for m in masters)}, documents {sum(d['domain'] == dom for d in docs)}")
cats = defaultdict(int)
for d in docs:
    cats[d["category"]] += 1
print("  categories: " + ", ".join(f"{k} {v}" for k, v in sorted(cats.items(), key=lambda kv: -kv[1])))
