/** The evidence discover samples for candidate links (see evidence()). */
import { num } from '../db/port.js';
import type { Queryable } from '../db/port.js';
import {
  cardinalityStatement,
  namesWithinStatement,
  enumLabelsStatement,
  keyOverlapStatement,
  overlapStatement,
  sampleValuesStatement,
} from '../sql/catalog-discover.js';
import type { Catalog } from './catalog.js';
import type { ActiveProposal, Col, Index, Overlap, ScopeVerdict, Tbl } from './types.js';
import {
  activeFromColumns,
  activeFromStatus,
  activeList,
  baseKind,
  comparableBases,
  MAX_ACTIVE_PARTS,
  namesTable,
  reference,
  scopeTyped,
} from './naming.js';
import { TENANT_NAME } from '../context/scope-signals.js';

/**
 * The evidence discover samples, as functions over one catalog: how many tables carry a column (scope
 * evidence), cardinalities (cached per table), the overlap of two name columns or of FK values with a
 * target's keys, which shared columns scope a link, the target keys an FK can point at, and a master's
 * active predicate (cached per table). One statement per table or per candidate pair, never per row.
 */
export function evidence(db: Queryable, cat: Catalog, sample: number) {
  const byOid = new Map(cat.tables.map((t) => [t.oid, t]));
  // How many tables of each schema carry a column of a given name and base type (prevalence: scope evidence).
  const perSchema = new Map<string, number>();
  const carriers = new Map<string, number>();
  for (const t of cat.tables) {
    perSchema.set(t.schema, (perSchema.get(t.schema) ?? 0) + 1);
    for (const c of t.cols.values())
      carriers.set(
        `${t.schema}\u0000${c.name}\u0000${baseKind(c.base)}`,
        (carriers.get(`${t.schema}\u0000${c.name}\u0000${baseKind(c.base)}`) ?? 0) + 1,
      );
  }

  const cardinality = new Map<number, Promise<Map<string, { n: number; d: number }>>>();
  const cardinalityOf = (t: Tbl): Promise<Map<string, { n: number; d: number }>> => {
    let p = cardinality.get(t.oid);
    if (p === undefined) {
      const cols = t.order
        .filter((c) => scopeTyped(t.cols.get(c)!) && (carriers.get(`${t.schema}\u0000${c}\u0000${baseKind(t.cols.get(c)!.base)}`) ?? 0) > 1)
        .slice(0, 40);
      p = db.query(cardinalityStatement(t.sql, cols, sample)).then((r) => {
        const row = r.rows[0] ?? {};
        const n = num(row['n']);
        return new Map(cols.map((c, i) => [c, { n, d: num(row[`d${i}`]) }]));
      });
      cardinality.set(t.oid, p);
    }
    return p;
  };

  const nameOverlap = async (src: Tbl, name: string, tgt: Tbl, tname: string): Promise<Overlap> => {
    const r = (await db.query(overlapStatement({ sourceSql: src.sql, name, targetSql: tgt.sql, targetName: tname }, sample))).rows[0];
    const sampled = num(r?.sampled);
    const found = num(r?.found);
    const spellings = { all: num(r?.spellings), exact: num(r?.exact), folded: num(r?.folded) };
    return { sampled, found, ratio: sampled === 0 ? null : found / sampled, spellings };
  };

  const keyOverlap = async (
    src: Tbl,
    fk: string,
    tgt: Tbl,
    key: string,
    shared: string[],
  ): Promise<{ keys: Overlap; agree: Map<string, number> }> => {
    const r =
      (await db.query(keyOverlapStatement({ sourceSql: src.sql, fk, targetSql: tgt.sql, targetKey: key, shared }, sample))).rows[0] ?? {};
    const sampled = num(r['sampled']);
    const found = num(r['found']);
    return {
      keys: { sampled, found, ratio: sampled === 0 ? null : found / sampled },
      agree: new Map(shared.map((c, i) => [c, num(r[`a${i}`])])),
    };
  };

  // an enum's states are its type's labels, held by a row yet or not (an 'archived' no master has yet is still off)
  const statusValues = async (t: Tbl, c: string): Promise<{ values: string[]; fromType: boolean }> => {
    if (t.cols.get(c)?.category === 'E') {
      const labels = (await db.query(enumLabelsStatement(t.oid, c))).rows.map((r) => r.v);
      if (labels.length > 0) return { values: labels, fromType: true };
    }
    return { values: (await db.query(sampleValuesStatement(t.sql, c, sample))).rows.map((r) => r.v), fromType: false };
  };

  const indexed = (t: Tbl, c: string): Index | undefined => t.indexes.find((i) => i.columns.includes(c));
  const parentOf = (t: Tbl, c: string): number | null =>
    cat.fks.find((f) => f.oid === t.oid && f.columns.length === 1 && f.columns[0] === c)?.refOid ?? null;

  /**
   * `names repeat, each once per value of <c>`, where the master's sampled names repeat (a tenth of them at least) but no
   * (c, name) pair does, over more than one value of c; else undefined.
   */
  const namesWithin = async (tgt: Tbl, c: string, name: string): Promise<string | undefined> => {
    const r = (await db.query(namesWithinStatement(tgt.sql, c, name, sample))).rows[0];
    const n = num(r?.n);
    const names = num(r?.names);
    const pairs = num(r?.pairs);
    if (n < 4 || pairs !== n || n - names < Math.max(2, n / 10)) return undefined;
    return `${tgt.table}.${name} repeats (${names} names in ${n} sampled rows), each once per ${c}: without it those names are ambiguous`;
  };

  /**
   * Which columns shared by both tables scope the link. `paired`: columns a composite FK constraint pairs
   * (decisive); `agree`: already-linked rows agreeing on the column (of `linked`).
   */
  const scopeFor = async (
    src: Tbl,
    tgt: Tbl,
    fk: string,
    key: string,
    exclude: ReadonlySet<string>,
    paired: ReadonlySet<string>,
    linked: number,
    agree: Map<string, number>,
    targetName?: string,
  ): Promise<ScopeVerdict[]> => {
    const verdicts: ScopeVerdict[] = [];
    const shared = tgt.order.filter((c) => c !== fk && c !== key && !exclude.has(c) && src.cols.has(c) && scopeTyped(tgt.cols.get(c)!));
    if (shared.length === 0) return verdicts;
    const [cs, ct] = await Promise.all([cardinalityOf(src), cardinalityOf(tgt)]);
    for (const c of shared) {
      const a = src.cols.get(c)!;
      const b = tgt.cols.get(c)!;
      const no = (reason: string): void => void verdicts.push({ column: c, scope: false, reason });
      const yes = (reason: string): void => void verdicts.push({ column: c, scope: true, reason });
      if (!comparableBases(a.base, b.base)) {
        no(`${a.type} on ${src.table}, ${b.type} on ${tgt.table}`);
        continue;
      }
      if (paired.has(c)) {
        yes('paired by the FK constraint');
        continue;
      }
      const ok = agree.get(c);
      // two rows that disagree at least: one FK set across tenants among three linked rows is what verify is for, not a
      // sign the column is no tenant (a new user's trial: it outvoted a composite key and a shared parent)
      if (ok !== undefined && linked - ok >= 2 && ok < linked * 0.9) {
        no(`already-linked rows disagree on it (${ok} of ${linked} agree)`);
        continue;
      }
      // nullable on the master: a tenant column only when named like one or referencing the documents' own parent (masters
      // without a value, shared by every tenant, are then never linked); left out, the link would cross every tenant (a
      // trial: crm.accounts.workspace NULL for global accounts, discover wrote "scope": [] and plan paired tenants' names)
      const sharedParent = parentOf(src, c) !== null && parentOf(src, c) === parentOf(tgt, c);
      if (!b.notNull && !TENANT_NAME.test(c) && !sharedParent) {
        no(`nullable on ${tgt.table}: a tenant column is always set`);
        continue;
      }
      const unique = tgt.indexes.find((i) => i.unique && i.columns.length === 1 && i.columns[0] === c);
      if (unique !== undefined) {
        no(`unique on ${tgt.table}: one value per row`);
        continue;
      }
      const tooMany = (s: { n: number; d: number } | undefined): boolean => s !== undefined && s.n >= 4 && s.d > s.n / 2;
      const st = ct.get(c);
      const ss = cs.get(c);
      // every sampled document its own value: the row's identifier (a credit note's id), never a tenant, whatever the
      // master's keys say (a tenant repeats over its documents); a column named like a tenant may still be one per row
      if (ss !== undefined && ss.n >= 20 && ss.d === ss.n && !TENANT_NAME.test(c)) {
        no(`${ss.d} distinct values in ${ss.n} sampled rows of ${src.table}: each row its own, not a partition`);
        continue;
      }
      const strong =
        tgt.indexes.some((i) => i.unique && i.columns.length > 1 && i.columns.includes(c)) ||
        (parentOf(src, c) !== null && parentOf(src, c) === parentOf(tgt, c));
      if (!strong && (tooMany(st) || tooMany(ss))) {
        const s = tooMany(st) ? st! : ss!;
        no(`${s.d} distinct values in ${s.n} sampled rows of ${tooMany(st) ? tgt.table : src.table}: not a partition`);
        continue;
      }
      const why: string[] = [];
      // the masters' names repeat, but never within one value of it: without it every such name is ambiguous
      const within = targetName === undefined ? undefined : await namesWithin(tgt, c, targetName);
      if (within !== undefined) why.push(within);
      const keyWith = tgt.indexes.find((i) => i.unique && i.columns.length > 1 && i.columns.includes(c));
      if (keyWith !== undefined) why.push(`${tgt.table} is unique on (${keyWith.columns.join(', ')})`);
      const idx = indexed(tgt, c) ?? indexed(src, c);
      if (keyWith === undefined && idx !== undefined) why.push(`indexed (${idx.columns.join(', ')})`);
      const pa = parentOf(src, c);
      if (pa !== null && pa === parentOf(tgt, c)) why.push(`both reference ${byOid.get(pa)?.table ?? 'the same table'}`);
      const total = perSchema.get(src.schema) ?? 0;
      const carry = carriers.get(`${src.schema}\u0000${c}\u0000${baseKind(a.base)}`) ?? 0;
      if (carry >= 3 && carry / total > 0.5) why.push(`on ${carry} of ${total} tables of ${src.schema}`);
      if (TENANT_NAME.test(c)) why.push('named like a tenant column');
      // every one of many rows already linked agrees, over more than one value: not chance
      const agreed = linked >= 20 && ok === linked && st !== undefined && st.d >= 2;
      if (agreed) why.push(`all ${linked} linked rows agree`);
      if (why.length === 0) {
        no(
          carry >= 3
            ? `only on ${carry} of ${total} tables of ${src.schema}, in no key or index, referencing no common table`
            : `on ${carry} table(s) of ${src.schema} only (tenant columns are on 3 or more), in no key or index, referencing no common table, not named like a tenant column`,
        );
        continue;
      }
      // nullable on the source: a tenant column only by strong evidence; named like one (or on most tables) it is
      // kept, rows without a value staying unlinked: left out, the link would pair documents with any tenant's master
      const tenantLike = TENANT_NAME.test(c) || (carry >= 3 && carry / total > 0.5);
      if (!a.notNull && keyWith === undefined && pa === null && !tenantLike) {
        no(`nullable on ${src.table} and nothing but ${why.join(', ')} says it is a tenant column`);
        continue;
      }
      if (!a.notNull) why.push(`nullable on ${src.table}: its rows without a value are never linked`);
      if (!b.notNull)
        why.push(
          `nullable on ${tgt.table}: its masters without a value (shared by every tenant) are never linked unless the link's target says "shared": "null-scope"`,
        );
      if (st !== undefined && st.n > 0) why.push(`${st.d} value(s) in ${st.n} sampled master rows`);
      if (linked >= 3 && ok !== undefined && !agreed) why.push(`${ok} of ${linked} linked rows agree`);
      yes(why.join('; '));
    }
    return verdicts;
  };

  /** Target keys an FK of `col`'s type can point at: unique alone, or with columns the source also has. */
  const keysOf = (tgt: Tbl, src: Tbl, col: Col): { key: string; with: string[] }[] => {
    const out: { key: string; with: string[] }[] = [];
    const indexes = tgt.indexes.filter((i) => i.unique && !i.partial && !i.expr).sort((a, b) => a.columns.length - b.columns.length);
    for (const i of indexes) {
      for (const k of i.columns.filter((c) => {
        const b = tgt.cols.get(c)?.base;
        return b !== undefined && comparableBases(col.base, b);
      })) {
        const others = i.columns.filter((c) => c !== k);
        if (
          others.every((c) => src.cols.has(c) && comparableBases(src.cols.get(c)!.base, tgt.cols.get(c)!.base)) &&
          !out.some((o) => o.key === k)
        )
          out.push({ key: k, with: others });
      }
    }
    return out;
  };

  /** How well a target key's name fits the FK column: `acct_no` for `account_no`, `id` for `*_id`. */
  const keyFit = (fk: string, key: string, tgt: Tbl): number => {
    const f = reference(fk);
    const k = reference(key);
    if (key.toLowerCase() === 'id' && f.suffix === 'id') return 1;
    if (
      f.suffix !== null &&
      k.suffix === f.suffix &&
      (k.stem.length === 0 ||
        namesTable(k.stem, f.stem.join('_')) !== null ||
        namesTable(f.stem, k.stem.join('_')) !== null ||
        namesTable(k.stem, tgt.table) !== null)
    )
      return 1;
    if (key === fk) return 1;
    if (k.suffix !== null && k.suffix === f.suffix) return 0.5;
    return 0;
  };

  const activeCache = new Map<number, Promise<{ active: ActiveProposal | null; evidence: string[] }>>();
  const activeOf = (t: Tbl): Promise<{ active: ActiveProposal | null; evidence: string[] }> => {
    let p = activeCache.get(t.oid);
    if (p === undefined) {
      p = (async () => {
        const a = activeFromColumns(t);
        let active = a.active;
        for (const s of a.status) {
          const col = t.cols.get(s)!;
          const sv = await statusValues(t, s);
          const st = activeFromStatus(s, col.type, sv.values, !col.notNull, sv.fromType);
          // a status with gone-or-off values joins a flag or a soft-delete timestamp (all must hold): a master the
          // status archived is as unlinkable as one deleted_at marks
          if (st.active === null) a.evidence.push(st.why);
          else if (active === null) {
            active = st.active;
            a.evidence.unshift(st.why);
          } else if (activeList(active).length < MAX_ACTIVE_PARTS) {
            active = [...activeList(active), ...activeList(st.active)];
            a.evidence.push(`${st.why}; combined with the others (all must hold)`);
          } else a.evidence.push(`${st.why}; not combined (at most ${MAX_ACTIVE_PARTS})`);
        }
        return { active, evidence: a.evidence };
      })();
      activeCache.set(t.oid, p);
    }
    return p;
  };
  /**
   * Columns both tables carry under one name that read as a tenant (named like one, or referencing the same parent): the
   * scope's candidates, never the link's names. A trial: invoices.workspace ↔ projects.workspace, equal on every row, was
   * taken for project_id's name pair at confidence 1, and plan would have set every invoice's project to its workspace's.
   */
  const tenantShared = (src: Tbl, tgt: Tbl): string[] =>
    src.order.filter(
      (c) => tgt.cols.has(c) && (TENANT_NAME.test(c) || (parentOf(src, c) !== null && parentOf(src, c) === parentOf(tgt, c))),
    );
  return { byOid, nameOverlap, keyOverlap, scopeFor, keysOf, keyFit, activeOf, tenantShared };
}
