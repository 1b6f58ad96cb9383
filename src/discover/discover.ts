/**
 * `discover`: proposes links from the catalog of an unknown schema, and says why for every column it
 * looked at. Read-only: writes nothing, not even its own schema.
 *
 * A candidate FK column is a nullable, writable, key-typed column that an FK constraint covers, or whose
 * name reads as a reference to a table: a reference suffix (`_id`, `_no`, `_ref`, `_code`, `_key`, …)
 * after a stem that names a table exactly, by role (`bill_to_customer_id` → customers), by its last word
 * (`order_id` → sales_orders) or abbreviated (`cust_id` → customers, `account_no` ↔ `accounts.acct_no`,
 * `po_id` → purchase_orders). The target key is a column of the same type that is unique alone or
 * together with columns both tables share (those become scope). A text column holding the referenced
 * thing's name must sit next to it, and the target must have a name column.
 *
 * Evidence: an existing FK constraint (strongest), the naming, values already in the FK column found
 * among the target's keys, and the sampled overlap of the two name columns. Only confident proposals go
 * into the config; weak ones are listed with what would confirm them; everything else is rejected with
 * the reason. A column whose name points at no table is never written as a link to another table
 * because names happen to overlap.
 *
 * Scope (tenant) columns are found by what the two tables share, not by a list of names: a key-typed
 * column with the same name and type on both, NOT NULL on the master (or named like a tenant or sharing a parent), few distinct values relative to
 * rows, and structural evidence: a composite FK or unique key that includes it, an index on it, an FK
 * from both tables to the same parent table, or its presence on most tables of the schema. Already-linked
 * rows that disagree on it rule it out.
 *
 * The active predicate comes from the master's columns: a soft-delete timestamp (`deleted_at`,
 * `archived_at`, …) → `{ column, activeWhen: "null" }`, an inverted flag (`is_deleted`, `archived`) →
 * `{ column, activeWhen: false }`, an active flag (`is_active`, `enabled`) → the column name;
 * `status`-like columns are shown as evidence only.
 */
import { adapt } from '../db/index.js';
import type { Queryable } from '../db/port.js';
import { wrapDbError } from '../errors.js';
import type { Candidate, DiscoverOptions, DiscoverResult, Draft, Level, Overlap, Rejected, Tbl } from './types.js';
import { type Catalog, hiddenSampleNotices, loadCatalog, scopePartOf, unreadable } from './catalog.js';
import { evidence } from './evidence.js';
import {
  GENERIC_NAMES,
  isText,
  KEY_BASES,
  comparableBases,
  LEVEL_SCORE,
  NAME_SUFFIXES,
  namesTable,
  ratioText,
  reference,
  scopeTyped,
  singular,
  targetNameColumn,
  words,
} from './naming.js';
import { draft, KEY_LISTS } from './draft.js';
import { settle } from './settle.js';
import { generatedLast, namesByValues, sharesNames } from './name-values.js';

export async function discover(handle: unknown, opts: DiscoverOptions = {}): Promise<DiscoverResult> {
  const db = adapt(handle);
  const schemas = opts.schemas !== undefined && opts.schemas.length > 0 ? [...opts.schemas] : null;
  const minConfidence = opts.minConfidence ?? 0.6;
  const sample = opts.sample ?? 2000;
  let cat: Catalog;
  try {
    cat = await loadCatalog(db, schemas);
  } catch (e) {
    throw wrapDbError(e, 'reading the catalog');
  }
  try {
    return { ...(await run(db, cat, schemas, minConfidence, sample)), ...(await hiddenSampleNotices(db, cat.tables)) };
  } catch (e) {
    throw wrapDbError(e, 'sampling evidence for discover');
  }
}

async function run(db: Queryable, cat: Catalog, schemas: string[] | null, minConfidence: number, sample: number): Promise<DiscoverResult> {
  const { byOid, nameOverlap, keyOverlap, scopeFor, keysOf, keyFit, activeOf, tenantShared } = evidence(db, cat, sample);
  const rejected: Rejected[] = [];
  const drafts: Draft[] = [];

  for (const src of cat.tables) {
    const where = `${src.schema}.${src.table}`;
    const srcKey = src.pk;
    for (const colName of src.order) {
      const col = src.cols.get(colName)!;
      if (srcKey !== null && srcKey.length === 1 && srcKey[0] === colName) continue;
      const constraints = cat.fks.filter((f) => f.oid === src.oid && f.columns.includes(colName));
      const ref = reference(colName);
      const w = words(colName);
      const nameLike = NAME_SUFFIXES.has(w[w.length - 1] ?? '');
      // Tables the name points at (never the table itself without a constraint: that is the row's own number).
      const byName = nameLike
        ? []
        : cat.tables
            .map((t) => ({ t, level: namesTable(ref.stem, t.table) }))
            .filter((x): x is { t: Tbl; level: Level } => x.level !== null);
      // a column named like another table's key (SAP: VBAK.KUNNR → KNA1.KUNNR), the key's other columns shared with
      // this table (the client, MANDT): a reference to it, as if named for it
      const byKey =
        nameLike || byName.length > 0 || (srcKey?.includes(colName) ?? false)
          ? []
          : cat.tables
              .filter((t) => t !== src && t.pk !== null && t.pk.includes(colName) && t.pk.every((k) => k === colName || src.cols.has(k)))
              .map((t) => ({ t, level: 'exact' as Level }));
      const named = [...byName, ...byKey];
      // A column whose first word(s) name a table but which does not read as a reference (`account_memo`).
      const prefixOnly =
        !nameLike && ref.suffix === null && named.length === 0 && constraints.length === 0 && KEY_BASES.has(col.base)
          ? cat.tables.find(
              (t) =>
                t !== src &&
                w.length > 1 &&
                ['exact', 'tail'].includes(namesTable(w.slice(0, 1), t.table) ?? '') &&
                namesTable(w.slice(0, 1), src.table) === null,
            )
          : undefined;
      if (constraints.length === 0 && ref.suffix === null && named.length === 0 && prefixOnly === undefined) continue; // not a reference by any reading
      if (constraints.length === 0 && ref.suffix === null && !KEY_BASES.has(col.base)) continue;
      const reject = (reason: string): void => void rejected.push({ source: where, column: colName, reason });
      if (prefixOnly !== undefined) {
        reject(
          `shares "${w[0]}" with ${prefixOnly.table} but is not named as a reference (no id/no/code/ref… suffix) and no FK constraint covers it`,
        );
        continue;
      }
      const tenantPart = constraints.find((f) => scopePartOf(f, colName, src));
      if (tenantPart !== undefined) {
        reject(`scope part of the composite FK ${tenantPart.name} (same column on both sides)`);
        continue;
      }
      if (col.notNull) {
        reject(constraints.length > 0 ? `NOT NULL: nothing to backfill (FK ${constraints[0]!.name})` : 'NOT NULL: nothing to backfill');
        continue;
      }
      if (!KEY_BASES.has(col.base)) {
        reject(`type ${col.type} is not a key type`);
        continue;
      }
      if (col.generated !== '') {
        reject('generated column: an UPDATE cannot set it');
        continue;
      }
      if (col.identity === 'a') {
        reject('identity column (GENERATED ALWAYS): an UPDATE cannot set it');
        continue;
      }
      if (srcKey === null) {
        reject(`${src.table} has no primary key or unique NOT NULL columns to identify its rows`);
        continue;
      }
      if (srcKey.length > 1 && !KEY_LISTS) {
        reject(
          `${src.table}'s primary key has ${srcKey.length} columns (${srcKey.join(', ')}); a link's key is one column in this version`,
        );
        continue;
      }

      // Candidate targets: the FK constraint's, else the tables the name points at (same schema first).
      const cands: Candidate[] = [];
      const reasons: string[] = [];
      for (const f of constraints) {
        const tgt = byOid.get(f.refOid);
        const i = f.columns.indexOf(colName);
        const key = f.refColumns[i];
        if (tgt === undefined || key === undefined) {
          reasons.push(`FK ${f.name} points outside the searched schemas`);
          continue;
        }
        cands.push({ tgt, key, with: [], constraint: f, level: namesTable(ref.stem, tgt.table) });
      }
      if (cands.length === 0 && reasons.length === 0) {
        const others = named.filter((x) => x.t !== src);
        if (others.length === 0) {
          if (named.length > 0) {
            reject(`names its own table ${src.table} (the row's own identifier, not a reference) and no FK constraint covers it`);
            continue;
          }
          const nothing = `no table named like "${ref.stem.join('_')}" and no FK constraint`;
          // Never written; but if a name column overlaps some master strongly, say so (weak).
          const sname = [`${ref.stem.join('_')}_name`, `${ref.stem.join('_')}name`].find((c) => isText(src.cols.get(c)));
          const before = drafts.length;
          if (sname === undefined) {
            reject(nothing);
            continue;
          }
          for (const tgt of cat.tables) {
            if (tgt === src || unreadable([src, tgt]) !== null) continue;
            for (const { key } of keysOf(tgt, src, col)) {
              const tname = targetNameColumn(tgt, new Set([key]));
              if (tname === null) continue;
              const ov = await nameOverlap(src, sname, tgt, tname);
              if (ov.ratio !== null && ov.ratio >= 0.6 && ov.found >= 2) {
                const active = await activeOf(tgt);
                drafts.push(
                  draft({
                    src,
                    tgt,
                    colName,
                    col,
                    sname,
                    key,
                    tname,
                    scope: [],
                    scopeEvidence: [],
                    active,
                    naming: `nothing is named like "${ref.stem.join('_')}"; ${sname} ↔ ${tgt.table}.${tname}`,
                    ov,
                    keys: { sampled: 0, found: 0, ratio: null },
                    constraint: null,
                    confidence: 0.3,
                    why: [`${nothing}; ${sname} overlaps ${tgt.table}.${tname} (${ratioText(ov)}) only by its values`],
                    confirm: [`an FK constraint from ${colName} to ${tgt.table}.${key}, or a config link you write yourself`],
                    confident: false,
                  }),
                );
              }
            }
          }
          if (drafts.length === before) reject(`${nothing} (${sname} matches no master's names either)`);
          continue;
        }
        const sameSchema = others.filter((x) => x.t.schema === src.schema);
        for (const x of sameSchema.length > 0 ? sameSchema : others) {
          const keys = keysOf(x.t, src, col);
          if (keys.length === 0) {
            const ks = x.t.indexes
              .filter((i) => i.unique && !i.partial)
              .map((i) => i.columns.map((c) => `${c} ${x.t.cols.get(c)?.type ?? ''}`).join('+'));
            reasons.push(`${x.t.table} has no unique key of type ${col.type}${ks.length > 0 ? ` (keys: ${ks.join(', ')})` : ''}`);
            continue;
          }
          const best = [...keys].sort((a, b) => keyFit(colName, b.key, x.t) - keyFit(colName, a.key, x.t))[0]!;
          cands.push({ tgt: x.t, key: best.key, with: best.with, constraint: null, level: x.level });
        }
      }
      if (cands.length === 0) {
        reject(reasons.join('; ') || 'no matching target');
        continue;
      }

      const mine: Draft[] = [];
      for (const c of cands.slice(0, 12)) {
        const tgt = c.tgt;
        const tkeyCol = tgt.cols.get(c.key);
        if (tkeyCol === undefined) continue;
        const denied = unreadable([src, tgt]);
        if (denied !== null) {
          reasons.push(denied);
          continue;
        }
        if (!comparableBases(col.base, tkeyCol.base)) {
          reasons.push(`${colName} is ${col.type} but ${tgt.table}.${c.key} is ${tkeyCol.type}`);
          continue;
        }
        if (tgt === src && c.constraint === null) {
          reasons.push('self-reference without a constraint');
          continue;
        }
        const paired = new Set<string>();
        if (c.constraint !== null)
          c.constraint.columns.forEach((s, i) => s !== colName && s === c.constraint!.refColumns[i] && paired.add(s));
        let tname = targetNameColumn(tgt, new Set([c.key, ...paired]));
        // no column named as a name (`Firma`, `pname`: a trial): the master's text column whose values the source's hold
        const tenants = tenantShared(src, tgt);
        const byTargetValues =
          tname === null ? await namesByValues(nameOverlap, src, tgt, new Set([colName, ...paired, ...tenants]), c.key) : null;
        if (tname === null) {
          if (byTargetValues === null || !sharesNames(byTargetValues.o, c.level === null || c.level === 'initials' ? null : 'values')) {
            reasons.push(
              `${tgt.table} has no name column${byTargetValues === null ? '' : ` (the closest by values is ${byTargetValues.tname}: ${ratioText(byTargetValues.o)} of ${src.table}.${byTargetValues.sname}'s sampled names are its values)`}`,
            );
            continue;
          }
          tname = byTargetValues.tname;
        }
        // The source's name column: named after the stem, the target or the target's name column.
        const stem = ref.stem.join('_');
        const tsing = singular(tgt.table);
        // on a link from a table to itself the master's own name column is never the source's: every row would name itself
        const own = (n: string): boolean => tgt === src && n === tname;
        const namedAs = [`${stem}_name`, `${stem}name`, `${tsing}_name`, ...(GENERIC_NAMES.has(tname) ? [] : [tname]), stem, tsing].filter(
          (n, i, a) => a.indexOf(n) === i && n !== colName && isText(src.cols.get(n)) && !paired.has(n) && !own(n),
        );
        const byRole = src.order.filter(
          (n) =>
            !namedAs.includes(n) &&
            n !== colName &&
            !own(n) &&
            isText(src.cols.get(n)) &&
            NAME_SUFFIXES.has(words(n).at(-1) ?? '') &&
            (namesTable(words(n).slice(0, -1), tgt.table) !== null || namesTable(words(n).slice(0, -1), stem) !== null),
        );
        const names = [...namedAs, ...byRole];
        let sname: string;
        let ov: Overlap;
        let byValues = false;
        if (byTargetValues !== null) {
          sname = byTargetValues.sname;
          ov = byTargetValues.o;
          byValues = true;
        } else if (names.length > 0) {
          sname = names[0]!;
          ov = await nameOverlap(src, sname, tgt, tname);
          for (const n of names.slice(1, 4)) {
            const o = await nameOverlap(src, n, tgt, tname);
            if ((o.ratio ?? -1) > (ov.ratio ?? -1)) [sname, ov] = [n, o];
          }
        } else {
          // No column is named for it (`vendor_text` beside `sup_ref`): the text column whose values are the
          // target's names. Sampled like any overlap; at least half of its distinct names must be master names.
          const looked = [...new Set([`${stem}_name`, `${tsing}_name`, ...(GENERIC_NAMES.has(tname) ? [] : [tname]), stem, tsing])];
          const texts = src.order
            .filter((n) => n !== colName && !paired.has(n) && !own(n) && !tenants.includes(n) && isText(src.cols.get(n)))
            .slice(0, 8)
            .sort(generatedLast(src));
          let best: { n: string; o: Overlap } | null = null;
          for (const n of texts) {
            // a generated copy (lower(btrim(name))) only when no plain column holds the names (a trial took search_name)
            if (
              generatedLast(src)(n, '') > 0 &&
              best !== null &&
              sharesNames(best.o, c.level === null || c.level === 'initials' ? null : 'values')
            )
              break;
            const o = await nameOverlap(src, n, tgt, tname);
            if (best === null || (o.ratio ?? -1) > (best.o.ratio ?? -1)) best = { n, o };
          }
          if (best === null || !sharesNames(best.o, c.level === null || c.level === 'initials' ? null : 'values')) {
            const closest =
              best === null
                ? tgt === src
                  ? 'its only text column is its own name, which every row would match itself by'
                  : 'it has no text column'
                : `the closest by values is ${best.n}: ${ratioText(best.o)} of its sampled names are ${tgt.table}.${tname} values`;
            reasons.push(
              `no name column for ${stem} in ${src.table} (looked for ${looked.join(', ')}, or a *_name column naming ${tgt.table}; ${closest})`,
            );
            continue;
          }
          sname = best.n;
          ov = best.o;
          byValues = true;
        }
        const shared = tgt.order.filter(
          (s) =>
            s !== colName &&
            s !== c.key &&
            src.cols.has(s) &&
            scopeTyped(tgt.cols.get(s)!) &&
            comparableBases(src.cols.get(s)!.base, tgt.cols.get(s)!.base),
        );
        const ko = await keyOverlap(src, colName, tgt, c.key, shared);
        if (c.constraint === null && ko.keys.sampled >= 3 && (ko.keys.ratio ?? 0) < 0.5) {
          reasons.push(`only ${ratioText(ko.keys)} values of ${colName} are ${tgt.table}.${c.key} values: not a reference to it`);
          continue;
        }
        const verdicts = await scopeFor(src, tgt, colName, c.key, new Set([sname, tname]), paired, ko.keys.found, ko.agree, tname);
        const scope = verdicts.filter((v) => v.scope).map((v) => v.column);
        const active = await activeOf(tgt);
        const fit = keyFit(colName, c.key, tgt);
        const levelScore = c.level === null ? 0 : LEVEL_SCORE[c.level];
        const naming = [
          c.level !== null ? `${colName} → table ${tgt.table} (${c.level})` : null,
          `${tgt.table}.${c.key} is ${tkeyCol.type}${fit >= 1 ? ', named alike' : ''}`,
          `${sname} ↔ ${tgt.table}.${tname}${byValues ? ` (by its values: ${ratioText(ov)})` : ''}`,
        ]
          .filter((x) => x !== null)
          .join('; ');
        const namesAgree = sharesNames(ov, c.level === null || c.level === 'initials' ? null : byValues ? 'values' : 'named');
        // many names shared verbatim count as much as half of them (sharesNames)
        const nameShare = ov.ratio === null ? 0 : namesAgree ? Math.max(0.5, ov.ratio) : ov.ratio;
        let confidence =
          0.2 +
          (c.constraint !== null ? 0.4 : 0) +
          0.25 * levelScore +
          0.05 * fit +
          0.3 * nameShare +
          (ko.keys.ratio === null || ko.keys.found < 2 ? 0 : 0.1 * ko.keys.ratio);
        confidence = Math.min(1, Math.round(confidence * 100) / 100);
        const why: string[] = [];
        const confirm: string[] = [];
        const keysAgree = ko.keys.ratio !== null && ko.keys.ratio >= 0.9 && ko.keys.found >= 2 && (ov.ratio === null || ov.ratio >= 0.2);
        if (c.constraint === null) {
          if (!namesAgree && !keysAgree) {
            if (ov.sampled === 0) why.push(`no names in ${src.table}.${sname} to compare`);
            else if (ov.found < 2 && ov.ratio !== null && ov.ratio >= 0.5)
              why.push(`too few names to compare (${ratioText(ov)} sampled names of ${sname} exist in ${tgt.table}.${tname})`);
            else why.push(`only ${ratioText(ov)} sampled names of ${sname} exist in ${tgt.table}.${tname}`);
            confirm.push(`names in ${sname} that exist in ${tgt.table}.${tname}, some ${colName} values already set, or an FK constraint`);
          }
          if (c.level === 'initials') {
            why.push(`${colName} matches ${tgt.table} only by initials`);
            confirm.push(`an FK constraint from ${colName} to ${tgt.table}.${c.key}`);
          }
        }
        const unscoped = c.with.filter((x) => !scope.includes(x));
        if (unscoped.length > 0) {
          why.push(
            `${tgt.table}.${c.key} is unique only together with ${unscoped.join(', ')}, which is not a scope column (${unscoped.map((x) => verdicts.find((v) => v.column === x)?.reason ?? 'not shared').join('; ')})`,
          );
          confirm.push(`${unscoped.join(', ')} as scope, or a key of ${tgt.table} unique on its own`);
        }
        if (confidence < minConfidence) why.push(`confidence ${confidence} below ${minConfidence}`);
        mine.push(
          draft({
            src,
            tgt,
            colName,
            col,
            sname,
            key: c.key,
            tname,
            scope,
            scopeEvidence: verdicts,
            active,
            naming,
            ov,
            keys: ko.keys,
            constraint: c.constraint?.name ?? null,
            confidence,
            why,
            confirm,
            confident: why.length === 0,
          }),
        );
      }
      if (mine.length === 0) {
        reject(reasons.join('; ') || 'no matching target');
        continue;
      }
      mine.sort((a, b) => Number(b.confident) - Number(a.confident) || b.confidence - a.confidence);
      const [top, next] = mine;
      if (
        top!.confident &&
        next !== undefined &&
        next.confident &&
        top!.evidence.constraint === null &&
        top!.confidence - next.confidence < 0.1
      ) {
        for (const d of [top!, next]) {
          d.confident = false;
          d.why.push(
            `ambiguous: ${colName} fits ${top!.target} and ${next.target} about equally (${top!.confidence} vs ${next.confidence})`,
          );
          d.confirm.push(`an FK constraint naming the right one`);
        }
        drafts.push(top!, next);
      } else drafts.push(top!);
    }
  }

  return settle(db, cat, schemas, drafts, rejected);
}
