/**
 * Input types accept readonly arrays: a config written `as const` in TypeScript (readonly tuples all the way down) is
 * a ConfigInput and every call's `config`, and so are a review filter's and a decision's lists (before: TS4104 "The
 * type 'readonly [...]' is 'readonly' and cannot be assigned to the mutable type"). The assignments below are the
 * test: the typecheck (tsconfig includes test/) fails without the fix; the runtime half checks the config validates.
 */
import { expect, it } from 'vitest';
import type { ApplyOptions, ConfigInput, DecideInput, LinkInput, PlanOptions, QueueFilter } from '../../src/index.js';
import { toConfig } from '../../src/config/load.js';

const config = {
  links: [
    {
      entity: 'order',
      table: 'orders',
      key: ['tenant_id', 'id'],
      fk: 'customer_id',
      name: 'customer_name',
      scope: ['tenant_id'],
      match: 'fuzzy',
      compare: [{ source: 'city', target: 'city' }],
      target: {
        table: 'customers',
        key: ['tenant_id', 'id'],
        name: 'customer_name',
        active: [{ column: 'deleted_at', activeWhen: 'null' }, { column: 'status', activeWhen: { notIn: ['closed', 9] } }, 'is_active'],
      },
    },
  ],
} as const;

it('a config written `as const` is a ConfigInput and a call option; readonly lists fit the review inputs', () => {
  const input: ConfigInput = config;
  const link: LinkInput = config.links[0];
  const entities = ['order'] as const;
  const planned: PlanOptions = { config, entities };
  const applied: ApplyOptions = { config, tenantId: '1', entities };
  const filter: QueueFilter = { links: entities, tenants: ['1'] as const, bands: ['review'] as const, decisions: ['none'] as const };
  const decision: DecideInput = { link: 'order', scopeKey: ['1'] as const, name: 'ACME', action: 'never', by: null };
  // a mutable config still fits (a mutable array is assignable to a readonly one)
  const mutable: ConfigInput = JSON.parse(JSON.stringify(config)) as { links: LinkInput[] };
  expect(toConfig(input).links[0]!.scope).toEqual(['tenant_id']);
  expect(toConfig(mutable)).toEqual(toConfig(input));
  expect([link.entity, planned.entities, applied.tenantId, filter.links, decision.scopeKey]).toEqual([
    'order',
    ['order'],
    '1',
    ['order'],
    ['1'],
  ]);
});
