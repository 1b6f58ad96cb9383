import { describe, expect, it } from 'vitest';
import { documentColumn } from '../../../src/discover/naming.js';
import type { Col, Tbl } from '../../../src/discover/types.js';

const col = (name: string, base: string, notNull = false): Col => ({
  name,
  type: base,
  base,
  category: base === 'text' ? 'S' : 'N',
  notNull,
  identity: '',
  generated: '',
  readable: true,
});

function table(name: string, cols: Col[], pk: string[] | null): Tbl {
  return {
    schema: 'public',
    table: name,
    oid: 1,
    cols: new Map(cols.map((c) => [c.name, c])),
    order: cols.map((c) => c.name),
    pk,
    indexes: [],
    sql: name,
    ref: name,
  };
}

describe('the document column discover proposes', () => {
  it('a numbered column first; else the document’s own name or title; else a text primary key', () => {
    const orders = table('sales_orders', [col('id', 'int4', true), col('order_number', 'text', true), col('name', 'text')], ['id']);
    expect(documentColumn(orders, ['customer'], new Set())).toBe('order_number');
    // Odoo: account_move.name is the document's number, partner_name the link's name column
    const move = table('account_move', [col('id', 'int4', true), col('name', 'text', true), col('partner_name', 'text')], ['id']);
    expect(documentColumn(move, ['partner'], new Set(['partner_name']))).toBe('name');
    expect(documentColumn(move, ['partner'], new Set(['name', 'partner_name']))).toBeNull();
    // SAP: VBAK's primary key VBELN is the sales document number
    const vbak = table('vbak', [col('vbeln', 'text', true), col('kunnr', 'text'), col('name1', 'text')], ['vbeln']);
    expect(documentColumn(vbak, ['kunnr'], new Set(['kunnr', 'name1']))).toBe('vbeln');
    // …also beside the client in a composite key (the scope is excluded)
    const vbak2 = table('vbak', [col('mandt', 'text', true), col('vbeln', 'text', true), col('kunnr', 'text')], ['mandt', 'vbeln']);
    expect(documentColumn(vbak2, ['kunnr'], new Set(['mandt', 'kunnr']))).toBe('vbeln');
    // an integer primary key is an identifier, not a document number
    const plain = table('tickets', [col('id', 'int4', true), col('body', 'text')], ['id']);
    expect(documentColumn(plain, ['customer'], new Set())).toBeNull();
  });
});
