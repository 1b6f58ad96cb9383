/** Link shapes the whole-text SQL tests share (test/unit/sql). */
import type { LinkShape, TypedLinkShape } from '../../src/sql/link.js';

/** sales_orders → customers, scoped by a uuid tenant and a numeric region (a type whose text form is not its equality). */
export const SALES_ORDERS: TypedLinkShape = {
  sourceSql: 'public.sales_orders',
  targetSql: 'public.customers',
  key: 'id',
  keyType: 'uuid',
  fk: 'customer_id',
  fkType: 'uuid',
  name: 'customer_name',
  targetKey: 'id',
  targetName: 'customer_name',
  scope: ['tenant_id', 'region'],
  scopeTypes: ['uuid', 'numeric'],
  touch: null,
};

/** A scoped link (the second scope column loose), rows keyed by (tenant_id, id), identifiers that need quoting. */
export const QUOTED_SCOPED: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"crm"."Customers"',
  key: 'id',
  keys: ['tenant_id', 'id'],
  keyTypes: ['uuid', 'int8'],
  fk: 'customer_id',
  name: 'customer name',
  targetKey: 'id',
  targetName: 'Legal Name',
  active: { column: 'is_active', activeWhen: true },
  scope: ['tenant_id', 'Branch'],
  scopeLoose: [false, true],
  fkType: 'uuid',
  keyType: 'int8',
  touch: null,
};

/** A scoped link with a touched column, a name column and a table that need quoting (apply's and skip reasons' statements). */
export const SALES_ORDERS_TOUCHED: LinkShape = {
  sourceSql: '"erp"."Sales Orders"',
  targetSql: '"customers"',
  key: 'id',
  fk: 'customer_id',
  name: 'customer name',
  document: 'order_number',
  targetKey: 'id',
  targetName: 'customer_name',
  active: { column: 'is_active', activeWhen: true },
  scope: ['tenant_id', 'branch'],
  fkType: 'uuid',
  keyType: 'uuid',
  touch: { column: 'updated_at', type: 'timestamp with time zone' },
};
