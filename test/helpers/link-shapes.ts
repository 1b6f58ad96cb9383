/** Link shapes the whole-text SQL tests share (test/unit/sql). */
import type { TypedLinkShape } from '../../src/sql/link.js';

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
