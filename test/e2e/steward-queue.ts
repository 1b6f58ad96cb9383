/**
 * A generated review queue unlike the fixtures' (`addBigQueue`): several tenants, masters in several
 * naming styles (German/French/Japanese legal forms, people "Surname, Given", initialisms, ampersands,
 * diacritics), duplicate masters (the same name twice in a tenant, one sometimes inactive), and
 * document names that are typos, abbreviations, reorderings, branch suffixes or nothing like any
 * master. Deterministic for a seed. Used by the 10,000-name steward run (FKB_REVIEW_BIG=1).
 */
import { AXIS_SCHEMA_SQL } from '../../src/demo/axis.js';
import type { ConfigInput } from '../../src/config/index.js';
import { AXIS_CONFIG } from '../../src/config/index.js';

export const STEWARD_TENANTS = [
  '11111111-1111-4111-8111-000000000001',
  '11111111-1111-4111-8111-000000000002',
  '11111111-1111-4111-8111-000000000003',
  '11111111-1111-4111-8111-000000000004',
];

/** The Axis links, fuzzy, with the documents' amounts (so the page can sort by amount). */
export const STEWARD_CONFIG: ConfigInput = {
  links: AXIS_CONFIG.links.map((l) => ({ ...l, match: 'fuzzy' as const, amount: 'total_amount' })),
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROOTS = [
  'Nordwind',
  'Kaltenbach',
  'Bergmann',
  'Lumière',
  'Fontaine',
  'Yamamoto',
  'Sakura',
  'Okonkwo',
  'Brightwater',
  'Ironbridge',
  'Silverline',
  'Oakridge',
  'Bluefield',
  'Redstone',
  'Greenway',
  'Westbrook',
  'Eastgate',
  'Northstar',
  'Southpoint',
  'Highland',
  'Kowalski',
  'Novak',
  'Horvath',
  'Johansson',
  'Lindqvist',
  'Fernández',
  'García',
  'Moreau',
  'Rossi',
  'Bianchi',
  'Zephyr',
  'Quantum',
  'Vertex',
  'Pinnacle',
  'Summit',
  'Harbor',
  'Meridian',
  'Cascade',
  'Aurora',
  'Polaris',
  'Dragon',
  'Phoenix',
  'Falcon',
  'Condor',
  'Jaguar',
  'Cobalt',
  'Granite',
  'Maple',
  'Cedar',
  'Willow',
];
const TRADES = [
  'Logistik',
  'Maschinenbau',
  'Textiles',
  'Precision Tools',
  'Food Services',
  'Shipping',
  'Pharma',
  'Elektro',
  'Holdings',
  'Trading',
  'Solutions',
  'Components',
  'Bakery',
  'Optics',
  'Robotics',
  'Consulting',
];
const FORMS = ['GmbH', 'AG', 'SARL', 'S.A.', 'K.K.', 'Ltd', 'Inc.', 'LLC', 'B.V.', 'Oy', 'Sp. z o.o.', 'S.p.A.', '& Co. KG', 'Pty Ltd'];
const GIVEN = ['Hans', 'Marie', 'Kenji', 'Ada', 'Olu', 'Ingrid', 'Pedro', 'Chiara', 'Tomasz', 'Aiko', 'Lars', 'Amélie'];
const NONSENSE = [
  'Qorvax',
  'Blimtor',
  'Yxelon',
  'Trundle',
  'Wobbly',
  'Fizzcraft',
  'Glonk',
  'Mirthwell',
  'Snarp',
  'Vextra',
  'Plimsoll',
  'Dorrance',
  'Quibble',
  'Zanzibar',
  'Kettlewick',
  'Ombrage',
];
const ABBR: [RegExp, string][] = [
  [/Maschinenbau/, 'Masch.bau'],
  [/Logistik/, 'Log.'],
  [/Services/, 'Svcs'],
  [/Solutions/, 'Sol.'],
  [/Components/, 'Comp.'],
  [/Trading/, 'Trdg'],
  [/Holdings/, 'Hldgs'],
  [/Precision/, 'Prec.'],
  [/Consulting/, 'Cnsltg'],
];

function pick<T>(r: () => number, a: readonly T[]): T {
  return a[Math.floor(r() * a.length)]!;
}

function typo(r: () => number, s: string): string {
  const i = 1 + Math.floor(r() * Math.max(1, s.length - 2));
  const k = r();
  if (k < 0.33) return s.slice(0, i) + s.slice(i + 1); // drop
  if (k < 0.66) return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); // swap
  return s.slice(0, i) + s[i] + s.slice(i); // double
}

export interface StewardData {
  customers: { tenant: string; number: string; name: string; active: boolean }[];
  vendors: { tenant: string; number: string; name: string; active: boolean }[];
  docs: {
    table: 'sales_orders' | 'sales_invoices' | 'purchase_orders' | 'purchase_bills';
    tenant: string;
    number: string;
    name: string;
    amount: number;
  }[];
  /** Distinct (table's link, tenant, name) written. */
  names: number;
}

/** About `names` distinct document names over the tenants (most land in the review queue). */
export function stewardData(names: number, seed = 19): StewardData {
  const r = rng(seed);
  const data: StewardData = { customers: [], vendors: [], docs: [], names: 0 };
  const perTenant = Math.ceil(names / STEWARD_TENANTS.length);
  STEWARD_TENANTS.forEach((tenant, ti) => {
    const masters = { customers: [] as string[], vendors: [] as string[] };
    for (const kind of ['customers', 'vendors'] as const) {
      const n = kind === 'customers' ? 260 : 140;
      const seen = new Set<string>();
      for (let i = 0; seen.size < n; i++) {
        const style = r();
        let name: string;
        if (style < 0.15)
          name = `${pick(r, ROOTS)}, ${pick(r, GIVEN)}`; // a person "Surname, Given"
        else if (style < 0.25)
          name = `${pick(r, ROOTS).slice(0, 1)}${pick(r, ROOTS).slice(0, 1)}${pick(r, ROOTS).slice(0, 1)} ${pick(r, FORMS)}`; // initialism
        else if (style < 0.4) name = `${pick(r, ROOTS)} & ${pick(r, ROOTS)} ${pick(r, FORMS)}`;
        else name = `${pick(r, ROOTS)} ${pick(r, TRADES)} ${pick(r, FORMS)}`;
        if (seen.has(name)) continue;
        seen.add(name);
      }
      const list = [...seen];
      list.forEach((name, i) => {
        const prefix = kind === 'customers' ? 'K' : 'L';
        data[kind].push({ tenant, number: `${prefix}${ti + 1}-${String(i + 1).padStart(4, '0')}`, name, active: r() > 0.04 });
      });
      // duplicate masters: the same name again with its own number (one in three inactive)
      for (let d = 0; d < 12; d++) {
        const name = list[d * 7]!;
        data[kind].push({ tenant, number: `${kind === 'customers' ? 'K' : 'L'}${ti + 1}-D${d + 1}`, name, active: d % 3 !== 0 });
      }
      masters[kind] = list;
    }
    const seen = new Set<string>();
    let doc = 0;
    while (seen.size < perTenant) {
      const isCustomer = r() < 0.65;
      const list = isCustomer ? masters.customers : masters.vendors;
      const base = pick(r, list);
      const k = r();
      let name: string;
      if (k < 0.22) name = typo(r, base);
      else if (k < 0.34) name = ABBR.reduce((s, [re, to]) => s.replace(re, to), base).replace(/ (GmbH|AG|Ltd|Inc\.|LLC)$/, '');
      else if (k < 0.44) name = base.includes(', ') ? base.split(', ').reverse().join(' ') : base.toUpperCase().replace(/[.,&]/g, '');
      else if (k < 0.66)
        name = `${base.replace(/ (GmbH|AG|Ltd|Inc\.|LLC|SARL|S\.A\.|K\.K\.|B\.V\.|Oy)$/, '')} ${pick(r, ['Branch', 'Filiale', 'Niederlassung', 'Depot', 'Werk'])} ${1 + Math.floor(r() * 400)}`;
      else name = `${pick(r, NONSENSE)} ${pick(r, NONSENSE)}${r() < 0.5 ? ' ' + pick(r, FORMS) : ''} ${1 + Math.floor(r() * 900)}`; // nothing like a master
      const table = isCustomer ? (r() < 0.6 ? 'sales_orders' : 'sales_invoices') : r() < 0.6 ? 'purchase_orders' : 'purchase_bills';
      const key = `${table}|${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const copies = 1 + Math.floor(r() * r() * 6);
      for (let c = 0; c < copies; c++) {
        doc++;
        data.docs.push({
          table,
          tenant,
          number: `T${ti + 1}-${table.slice(0, 2).toUpperCase()}-${doc}`,
          name,
          amount: Math.round(r() * 500000) / 100,
        });
      }
    }
    data.names += seen.size;
  });
  return data;
}

const DOC_COLS = {
  sales_orders: ['order_number', 'customer_name'],
  sales_invoices: ['invoice_number', 'customer_name'],
  purchase_orders: ['po_number', 'vendor_name'],
  purchase_bills: ['bill_number', 'vendor_name'],
} as const;

/** Creates the Axis tables and loads the generated data (set-based). */
export async function loadSteward(db: { query(text: string, values?: unknown[]): Promise<unknown> }, data: StewardData): Promise<void> {
  for (const s of AXIS_SCHEMA_SQL) await db.query(s);
  await db.query(`INSERT INTO tenants (id, name) SELECT t::uuid, 'Steward ' || o FROM unnest($1::text[]) WITH ORDINALITY AS x(t, o)`, [
    STEWARD_TENANTS,
  ]);
  for (const [table, prefix] of [
    ['customers', 'customer'],
    ['vendors', 'vendor'],
  ] as const) {
    await db.query(
      `INSERT INTO ${table} (tenant_id, ${prefix}_number, ${prefix}_name, is_active)
       SELECT x.tenant::uuid, x.number, x.name, x.active FROM jsonb_to_recordset($1::jsonb) AS x(tenant text, number text, name text, active boolean)`,
      [JSON.stringify(data[table])],
    );
  }
  for (const [table, [num, name]] of Object.entries(DOC_COLS)) {
    await db.query(
      `INSERT INTO ${table} (tenant_id, ${num}, ${name}, total_amount)
       SELECT x.tenant::uuid, x.number, x.name, x.amount FROM jsonb_to_recordset($1::jsonb) AS x("table" text, tenant text, number text, name text, amount numeric)
        WHERE x."table" = $2`,
      [JSON.stringify(data.docs), table],
    );
  }
  for (const t of ['customers', 'vendors', 'sales_orders', 'sales_invoices', 'purchase_orders', 'purchase_bills'])
    await db.query(`ANALYZE ${t}`);
}
