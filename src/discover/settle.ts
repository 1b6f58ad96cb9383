/** From drafts to discover's result (see settle()). */
import { parseConfig } from '../config/load.js';
import type { ConfigDraft, LinkDraft } from '../config/schema.js';
import type { Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import { resolveLinks } from '../context/catalog.js';
import type { Catalog } from './catalog.js';
import type { DiscoverResult, Draft, Proposal, Rejected, Weak } from './types.js';
import { NAME_SUFFIXES, reference, sanitize, words } from './naming.js';

/**
 * Settles the drafts into the result: of two FK columns claiming one name column and target the clearly
 * better one, columns a confident link uses dropped from the rejected and weak ones, what plan would
 * refuse rejected, entity names made unique, everything sorted, and the config checked.
 */
export async function settle(
  db: Queryable,
  cat: Catalog,
  schemas: string[] | null,
  drafts: Draft[],
  rejected: Rejected[],
): Promise<DiscoverResult> {
  // Two FK columns of one table claiming the same name column and target: keep the clearly better one.
  const claims = new Map<string, Draft[]>();
  for (const d of drafts.filter((x) => x.confident)) {
    const k = `${d.source}\u0000${d.name}\u0000${d.target}`;
    claims.set(k, [...(claims.get(k) ?? []), d]);
  }
  for (const group of claims.values()) {
    if (group.length < 2) continue;
    // the column named like the name column (partner_id beside partner_name, not commercial_partner_id) goes first
    // when it alone is: the name column was written for it
    const nameStem = NAME_SUFFIXES.has(words(group[0]!.name).at(-1) ?? '') ? words(group[0]!.name).slice(0, -1).join('_') : null;
    const namedFor = (d: Draft): boolean => nameStem !== null && reference(d.fk).stem.join('_') === nameStem;
    const alone = group.filter(namedFor).length === 1;
    group.sort((a, b) => (alone ? Number(namedFor(b)) - Number(namedFor(a)) : 0) || b.confidence - a.confidence);
    const [first, second] = group;
    const clear =
      (alone && namedFor(first!)) ||
      (first!.evidence.constraint !== null && second!.evidence.constraint === null ? true : first!.confidence - second!.confidence >= 0.1);
    for (const d of clear ? group.slice(1) : group) {
      d.confident = false;
      d.why.push(
        `${group.map((g) => g.fk).join(' and ')} both read ${d.name} as names of ${d.target}${clear ? `; ${first!.fk} is taken (${alone && namedFor(first!) ? `named like ${d.name}` : 'stronger evidence'})` : ''}`,
      );
      d.confirm.push(`an FK constraint on the right column, or values in it that are ${d.target}.${d.targetKey} keys`);
    }
  }

  // A column a confident link uses (its name, scope, document, amount) is not itself a rejected or weak FK.
  const used = new Map<string, string>();
  for (const d of drafts) {
    if (!d.confident) continue;
    for (const c of [d.name, ...d.scope, d.document, d.amount]) if (c !== null) used.set(`${d.source}\u0000${c}`, d.fk);
  }
  const usedBy = (source: string, column: string): string | undefined => used.get(`${source}\u0000${column}`);
  for (let i = rejected.length - 1; i >= 0; i--) if (usedBy(rejected[i]!.source, rejected[i]!.column) !== undefined) rejected.splice(i, 1);
  // A NOT NULL column that scopes confident links of its schema is that schema's tenant column: say so.
  for (const r of rejected) {
    if (!r.reason.startsWith('NOT NULL')) continue;
    const schema = r.source.slice(0, r.source.indexOf('.'));
    const scoped = drafts.filter((d) => d.confident && d.source.startsWith(`${schema}.`) && d.scope.includes(r.column));
    if (scoped.length > 0) r.reason = `scope (tenant) column of ${scoped.length} link(s) here; ${r.reason}`;
  }
  for (let i = drafts.length - 1; i >= 0; i--) {
    const d = drafts[i]!;
    const by = usedBy(d.source, d.fk);
    if (by !== undefined && by !== d.fk) {
      drafts.splice(i, 1);
      if (!rejected.some((r) => r.source === d.source && r.column === d.fk))
        rejected.push({ source: d.source, column: d.fk, reason: `used by the ${by} link` });
    }
  }

  const proposals: Proposal[] = [];
  const weak: Weak[] = [];
  for (const d of drafts) {
    const { confident, ...rest } = d;
    // what plan would refuse is not written (on Citus: tables it cannot join co-located, a local source…)
    const refused = confident ? await refusal(db, d.link) : null;
    if (refused !== null) {
      rejected.push({
        source: d.source,
        column: d.fk,
        reason: `a link ${d.target}.${d.targetKey} ← ${d.name} that plan refuses: ${refused}`,
      });
      continue;
    }
    if (confident) {
      const { why: _w, confirm: _c, ...p } = rest;
      proposals.push(p);
    } else weak.push(rest);
  }

  // Entity names: the singular table name; disambiguated by column, then by schema, when they collide.
  // over weak links too: one a person adds to the config must not share a proposal's name (a new user's trial: two
  // links of one table, one weak, were both "invoice")
  const all = [...proposals, ...weak];
  const count = (key: (p: (typeof all)[number]) => string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const p of all) m.set(key(p), (m.get(key(p)) ?? 0) + 1);
    return m;
  };
  const perTable = count((p) => p.source);
  for (const p of all) if ((perTable.get(p.source) ?? 0) > 1) p.entity = sanitize(`${p.entity}_${reference(p.fk).stem.join('_') || p.fk}`);
  const perEntity = count((p) => p.entity);
  for (const p of all) if ((perEntity.get(p.entity) ?? 0) > 1) p.entity = sanitize(`${p.source.split('.')[0]}.${p.entity}`);
  for (const p of all) p.link.entity = p.entity;
  const order = (a: { source: string; fk: string }, b: { source: string; fk: string }): number =>
    a.source.localeCompare(b.source) || a.fk.localeCompare(b.fk);
  proposals.sort(order);
  weak.sort(order);
  rejected.sort((a, b) => a.source.localeCompare(b.source) || a.column.localeCompare(b.column));

  const config: ConfigDraft | null = proposals.length === 0 ? null : { links: proposals.map((p) => p.link) };
  if (config !== null) parseConfig(config, 'discovered config');
  const searched = schemas ?? [...new Set(cat.tables.map((t) => t.schema))].sort();
  return { schemas: searched, proposals, weak, rejected, config };
}

/**
 * Why plan would refuse a link discover found (the catalog checks every statement relies on, Citus's
 * included: tables not co-located on a scope column, a local source with a distributed or reference
 * master), or null. A Citus trial: four such links were written as confident and plan refused the file.
 */
async function refusal(db: Queryable, link: LinkDraft): Promise<string | null> {
  try {
    await resolveLinks(db, parseConfig({ links: [link] }, 'discovered link').links);
    return null;
  } catch (e) {
    if (e instanceof BackfillError) return e.message;
    throw e;
  }
}
