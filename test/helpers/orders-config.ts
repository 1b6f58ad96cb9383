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

/** The tables documentsConfig links, and two customers of tenant 1: Beta (2) and Gamma (3). */
export const DOCUMENTS_SCHEMA = `
  CREATE TABLE customers (tenant_id int NOT NULL, id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE documents (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
  INSERT INTO customers VALUES (1, 2, 'Beta'), (1, 3, 'Gamma');`;

/** The tables ordersConfig links, `n` customers of tenant 1 ("Customer 1" …) and one order naming each, its FK NULL. */
export function ordersOfNames(n: number): string {
  return `
    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, customer_name text, customer_id int);
    INSERT INTO customers SELECT g, 1, 'Customer ' || g FROM generate_series(1, ${n}) g;
    INSERT INTO orders SELECT g, 1, 'Customer ' || g, NULL FROM generate_series(1, ${n}) g;`;
}
