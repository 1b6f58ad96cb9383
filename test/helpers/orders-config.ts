/** The one-link configs many database tests use: orders (or documents).customer_id → customers by name, per tenant_id. */
import type { ConfigInput, LinkInput } from '../../src/config/schema.js';

type TargetInput = LinkInput['target'];

/**
 * `orders` (key `id`, name `customer_name`, FK `customer_id`, scope `tenant_id`) → `customers` (key `id`, name
 * `customer_name`), with `link` and `target` fields added or replaced.
 */
export function ordersConfig(link: Partial<Omit<LinkInput, 'target'>> = {}, target: Partial<TargetInput> = {}): ConfigInput {
  return {
    links: [
      {
        entity: 'order',
        table: 'orders',
        key: 'id',
        fk: 'customer_id',
        name: 'customer_name',
        scope: ['tenant_id'],
        ...link,
        target: { table: 'customers', key: 'id', name: 'customer_name', ...target },
      },
    ],
  };
}

/**
 * `documents` (key `id`, name `customer_name`, FK `customer_id`, scope `tenant_id`) → `customers` (key `id`, name
 * `name`), with `link` and `target` fields added or replaced.
 */
export function documentsConfig(link: Partial<Omit<LinkInput, 'target'>> = {}, target: Partial<TargetInput> = {}): ConfigInput {
  return ordersConfig({ entity: 'document', table: 'documents', ...link }, { name: 'name', ...target });
}
