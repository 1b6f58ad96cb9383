/**
 * What a link's tables say about its scope: a link without one whose documents and masters both carry a column named
 * like a tenant column (`tenant_id`, `org`, `company_code`…) of one type pairs documents with any tenant's master. Pure:
 * reads the catalog's columns only.
 */

/** Column names tenants go by (tenant_id, org, company_code, workspace_id…): evidence for a scope (discover), or its absence (a notice). */
export const TENANT_NAME =
  /^(tenant|org|organi[sz]ation|company|firm|workspace|account|client|realm|entity|mandant)(_?(id|code|no|key|ref|uuid))?$/i;

/** The notice for a link without a scope when both tables have a tenant-like column of one type; null otherwise. */
export function unscopedNotice(
  link: { entity: string; scope: readonly string[] },
  [source, sourceColumns]: readonly [string, ReadonlyMap<string, { baseType: string }>],
  [target, targetColumns]: readonly [string, ReadonlyMap<string, { baseType: string }>],
): string | null {
  if (link.scope.length > 0) return null;
  const shared = [...sourceColumns.keys()].filter(
    (c) => TENANT_NAME.test(c) && targetColumns.get(c)?.baseType === sourceColumns.get(c)!.baseType,
  );
  if (shared.length === 0) return null;
  return `${link.entity}: the link has no "scope", but ${source} and ${target} both have ${shared.join(', ')}: a document may be linked to any tenant's master of its name. If ${shared[0]} is the tenant, set "scope": ["${shared[0]}"]`;
}
