/**
 * The review server: a local page where people settle what the matcher is unsure of. Thin front end
 * over the library (reviewQueue, decide, revoke, bulkAccept, apply).
 *
 * Security: listens on 127.0.0.1 only; every request needs the random token (query `token` or header
 * `X-FKB-Token`); Host must be 127.0.0.1:PORT or localhost:PORT (DNS rebinding); state-changing
 * requests are POST with JSON, the token, a per-session CSRF header and an Origin (or Referer) of this
 * server; responses carry a strict CSP with a per-response nonce and X-Frame-Options DENY.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackfillError } from '../errors.js';
import { apply } from '../apply/apply.js';
import { prepare, type CommonOptions, type Context } from '../context/context.js';
import { planIn } from '../planning/plan.js';
import { createMasterForNameIn } from '../masters/masters.js';
import { applyPreviewIn, decisionsOnlyPlanIn } from './page-apply.js';
import { BANDS, DECISION_VALUES, type Band, type QueueFilter } from './types.js';
import { bulkAcceptIn, bulkPreviewIn } from './bulk.js';
import { acceptTopIn, decideIn, revokeIn, revokeManyIn, undoDecisionIn } from './decide.js';
import { decisionHistoryIn, searchMastersIn, liveDecisionIn, masterRefIn } from './card.js';
import { QUEUE_SORTS, reviewQueueIn, type DecisionAction, type QueueSort } from './queue.js';
import { renderPage } from './page.js';
import { namesInPlan } from '../store/plans.js';

export interface ReviewServerOptions extends CommonOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Recorded as decided_by / executed_by. */
  by: string | null;
  /** Names per page unless the page asks for another size (default 100). */
  limit?: number;
}

export interface ReviewServer {
  /** Open this: http://127.0.0.1:PORT/?token=… */
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function securityHeaders(res: ServerResponse, nonce: string | null): void {
  const scripts = nonce === null ? "'none'" : `'nonce-${nonce}'`;
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; script-src ${scripts}; style-src ${scripts}; connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

function sendJson(res: ServerResponse, status: number, doc: unknown): void {
  securityHeaders(res, null);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(doc));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'POST bodies must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'body too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'body is not a JSON object');
  }
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new HttpError(400, `${what} must be a string`);
  return v;
}

function optNum(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new HttpError(400, `${what} must be a number`);
  return n;
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x !== '');
  if (typeof v !== 'string' || v === '') return [];
  return v.split(',').filter((x) => x !== '');
}

/** Queue filter from query parameters or a JSON object (same names; facet values comma-separated). */
export function filterFrom(get: (k: string) => unknown): QueueFilter {
  const f: QueueFilter = {};
  const links = list(get('link'));
  if (links.length > 0) f.links = links;
  const tenants = list(get('tenant'));
  if (tenants.length > 0) f.tenants = tenants;
  const bands = list(get('band'));
  for (const b of bands) if (!BANDS.includes(b as Band)) throw new HttpError(400, `band must be one of ${BANDS.join(', ')}`);
  if (bands.length > 0) f.bands = bands as Band[];
  const decisions = list(get('decision'));
  for (const d of decisions)
    if (!(DECISION_VALUES as readonly string[]).includes(d))
      throw new HttpError(400, `decision must be one of ${DECISION_VALUES.join(', ')}`);
  if (decisions.length > 0) f.decisions = decisions as (typeof DECISION_VALUES)[number][];
  const min = optNum(get('min'), 'min');
  if (min !== undefined) f.minScore = min;
  const max = optNum(get('max'), 'max');
  if (max !== undefined) f.maxScore = max;
  const q = get('q');
  if (typeof q === 'string' && q.trim() !== '') f.search = q;
  const state = get('state');
  if (state === 'open' || state === 'decided' || state === 'all') f.state = state;
  return f;
}

function scopeOf(v: string | null): (string | null)[] {
  try {
    const x: unknown = JSON.parse(v ?? '');
    if (Array.isArray(x) && x.every((e) => e === null || typeof e === 'string')) return x as (string | null)[];
  } catch {
    // fall through
  }
  throw new HttpError(400, 'scope must be a JSON array of strings');
}

/** Paging and sort from query parameters. */
function pageFrom(u: URLSearchParams, defaultSize: number): { offset: number; limit: number; sort?: QueueSort; desc?: boolean } {
  const offset = optNum(u.get('offset'), 'offset') ?? 0;
  const size = optNum(u.get('size'), 'size') ?? defaultSize;
  if (offset < 0 || !Number.isInteger(offset)) throw new HttpError(400, 'offset must be a whole number ≥ 0');
  if (size < 0 || size > 2000 || !Number.isInteger(size)) throw new HttpError(400, 'size must be a whole number from 0 to 2000');
  const out: { offset: number; limit: number; sort?: QueueSort; desc?: boolean } = { offset, limit: size };
  const sort = u.get('sort');
  if (sort !== null && sort !== '') {
    if (!(QUEUE_SORTS as readonly string[]).includes(sort)) throw new HttpError(400, `sort must be one of ${QUEUE_SORTS.join(', ')}`);
    out.sort = sort as QueueSort;
  }
  const dir = u.get('dir');
  if (dir === 'asc' || dir === 'desc') out.desc = dir === 'desc';
  return out;
}

export async function startReviewServer(db: unknown, opts: ReviewServerOptions): Promise<ReviewServer> {
  const ctx: Context = await prepare(db, opts, { tenant: 'required' });
  const token = randomBytes(24).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const limit = opts.limit ?? 100;
  let port = 0;
  let busy: Promise<unknown> = Promise.resolve();
  /** One request at a time against the database (PGlite has one connection; apply must not interleave). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = busy.then(fn, fn);
    busy = next.catch(() => undefined);
    return next;
  };
  /**
   * A read of what is recorded (a plan's queue, masters, a history) on a pool: not queued behind a re-plan or an
   * apply, which take minutes on a large scope (a new user's trial: every reviewer waited 73 s for a page of the
   * queue while someone re-planned). On one connection (PGlite) it waits its turn.
   */
  const read = <T>(fn: () => Promise<T>): Promise<T> => ((ctx.db.connections ?? 1) > 1 ? fn() : serial(fn));

  /** Plans this server showed (a page may keep reading the plan it was loaded from). */
  const plans = new Set<string>();
  const planOf = (v: unknown): string | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' || !plans.has(v)) throw new HttpError(400, 'unknown plan for this page: reload it');
    return v;
  };

  /**
   * A decision (or a new master) only for a name of the queue this page was shown (a plan it served): before, any
   * (link, scope, name) posted was recorded, an alias of a name no document has included. The CSV import checks the same.
   */
  const assertQueued = async (item: { link: string; scopeKey: (string | null)[]; name: string }): Promise<void> => {
    for (const plan of [...plans].reverse()) if ((await namesInPlan(ctx.db, plan, [item])).size > 0) return;
    throw new HttpError(
      400,
      `name ${JSON.stringify(item.name)} is not in this page's queue (${item.link}, scope ${JSON.stringify(item.scopeKey)}): reload it`,
    );
  };

  const origins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      throw new HttpError(403, 'Host not allowed (use 127.0.0.1 or localhost)');
    const url = new URL(req.url ?? '/', `http://${host}`);
    const given = url.searchParams.get('token') ?? (typeof req.headers['x-fkb-token'] === 'string' ? req.headers['x-fkb-token'] : '');
    if (given === '' || !same(given, token)) throw new HttpError(401, 'missing or wrong token: open the URL the review command printed');

    if (req.method === 'GET' || req.method === 'HEAD') {
      if (url.pathname === '/') {
        const nonce = randomBytes(16).toString('base64');
        securityHeaders(res, nonce);
        res.statusCode = 200;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(req.method === 'HEAD' ? undefined : renderPage({ nonce, token, csrf, tenant: ctx.filter.tenant }));
        return;
      }
      if (url.pathname === '/api/queue') {
        const filter = filterFrom((k) => url.searchParams.get(k) ?? undefined);
        const page = pageFrom(url.searchParams, limit);
        const planRunId = planOf(url.searchParams.get('plan'));
        // the page's own plan is read as recorded; without one, the queue may have to plan first: its turn
        const q = await (planRunId !== undefined ? read : serial)(() =>
          reviewQueueIn(ctx, { filter, ...page, executedBy: opts.by, ...(planRunId !== undefined ? { planRunId } : {}) }),
        );
        plans.add(q.planRunId);
        sendJson(res, 200, q);
        return;
      }
      if (url.pathname === '/api/masters' || url.pathname === '/api/history') {
        const link = url.searchParams.get('link') ?? '';
        const scopeKey = scopeOf(url.searchParams.get('scope'));
        if (url.pathname === '/api/masters') {
          const q = url.searchParams.get('q') ?? '';
          sendJson(res, 200, { masters: await read(() => searchMastersIn(ctx, { link, scopeKey, q })) });
        } else {
          const name = url.searchParams.get('name') ?? '';
          sendJson(res, 200, { history: await read(() => decisionHistoryIn(ctx, { link, scopeKey, name })) });
        }
        return;
      }
      throw new HttpError(404, 'not found');
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'GET, POST');
      throw new HttpError(405, 'method not allowed');
    }
    // CSRF: our own origin (Origin, else Referer) and the per-session header.
    const origin = req.headers.origin;
    const referer = req.headers.referer;
    const expected = `http://${host}`;
    const originOk =
      typeof origin === 'string'
        ? origin === expected && origins().includes(origin)
        : typeof referer === 'string' && origins().some((o) => o === expected && referer.startsWith(`${o}/`));
    if (!originOk) throw new HttpError(403, 'cross-site request refused (Origin/Referer is not this server)');
    const h = req.headers['x-fkb-csrf'];
    if (typeof h !== 'string' || !same(h, csrf)) throw new HttpError(403, 'missing or wrong CSRF header');
    const body = await readJson(req);

    switch (url.pathname) {
      case '/api/decide': {
        // accept = candidate 1, resolved by the server (refused for an ambiguous name); alias names the key chosen
        const action = str(body['action'], 'action');
        const scopeKey = body['scopeKey'];
        if (!Array.isArray(scopeKey) || !scopeKey.every((v) => v === null || typeof v === 'string'))
          throw new HttpError(400, 'scopeKey must be an array of strings');
        const targetKey = body['targetKey'];
        const item = { link: str(body['link'], 'link'), scopeKey: scopeKey as (string | null)[], name: str(body['name'], 'name') };
        if (action === 'accept' && targetKey !== undefined && targetKey !== null)
          throw new HttpError(400, 'accept takes no target key (it takes candidate 1): send alias with the key you chose');
        const r = await serial(async () => {
          await assertQueued(item);
          if (action === 'accept') return acceptTopIn(ctx, [...plans], { ...item, by: opts.by });
          const key = typeof targetKey === 'string' ? targetKey : null;
          return decideIn(ctx, { ...item, action: action as DecisionAction, targetKey: key, by: opts.by });
        });
        const target =
          r.decision.targetKey === null
            ? null
            : await serial(() => masterRefIn(ctx, str(body['link'], 'link'), r.decision.targetKey!, scopeKey as (string | null)[]));
        sendJson(res, 200, { ...r, decision: { ...r.decision, target } });
        return;
      }
      case '/api/revoke': {
        if (Array.isArray(body['ids'])) {
          // a bulk's undo: with inForceOnly, names decided again since keep that later decision
          const ids = (body['ids'] as unknown[]).map((x) => str(x, 'ids[]'));
          const r = await serial(() => revokeManyIn(ctx.db, ids, ctx.filter.tenant, { inForceOnly: body['inForceOnly'] === true }));
          sendJson(res, 200, r);
          return;
        }
        const id = str(body['id'], 'id');
        if (Array.isArray(body['restore'])) {
          // undo: the decisions this one replaced come back in force (undo of a re-decision)
          const restore = (body['restore'] as unknown[]).map((x) => str(x, 'restore[]'));
          const r = await serial(async () => {
            const u = await undoDecisionIn(ctx.db, id, restore, ctx.filter.tenant);
            const live = u.restored === null ? null : await liveDecisionIn(ctx, u.revoked.link, u.revoked.scopeKey, u.revoked.name);
            return { ...u.revoked, restored: live };
          });
          sendJson(res, 200, r);
          return;
        }
        const r = await serial(() => revokeIn(ctx.db, id, ctx.filter.tenant));
        sendJson(res, 200, r);
        return;
      }
      case '/api/bulk/preview':
      case '/api/bulk': {
        const minScore = optNum(body['minScore'], 'minScore');
        if (minScore === undefined) throw new HttpError(400, 'minScore is required');
        const f = body['filter'];
        const filter = filterFrom((k) => (f !== null && typeof f === 'object' ? (f as Record<string, unknown>)[k] : undefined));
        const planRunId = planOf(body['plan']);
        const onPlan = planRunId !== undefined ? { planRunId } : {};
        if (url.pathname === '/api/bulk/preview') {
          sendJson(res, 200, await serial(() => bulkPreviewIn(ctx, { filter, minScore, ...onPlan })));
          return;
        }
        // Only what was previewed: the preview's fingerprint is required and must still hold.
        const digest = str(body['digest'], 'digest');
        const r = await serial(() => bulkAcceptIn(ctx, { filter, minScore, by: opts.by, digest, ...onPlan }));
        sendJson(res, 200, {
          accepted: r.accepted,
          skipped: r.skipped,
          ids: r.decisions.filter((d) => d.changed).map((d) => d.decision.id),
        });
        return;
      }
      case '/api/create': {
        const scopeKey = body['scopeKey'];
        if (!Array.isArray(scopeKey) || !scopeKey.every((v) => v === null || typeof v === 'string'))
          throw new HttpError(400, 'scopeKey must be an array of strings');
        const link = str(body['link'], 'link');
        const name = str(body['name'], 'name');
        const r = await serial(async () => {
          await assertQueued({ link, scopeKey: scopeKey as (string | null)[], name });
          return createMasterForNameIn(ctx, { link, scopeKey: scopeKey as (string | null)[], name, by: opts.by });
        });
        const c = r.created[0]!;
        const d = await serial(() => liveDecisionIn(ctx, link, scopeKey as (string | null)[], name));
        plans.add(r.plan.runId);
        sendJson(res, 200, {
          created: { key: c.key, name: c.name, number: c.number, table: c.targetTable },
          planRunId: r.plan.runId,
          decision: d,
        });
        return;
      }
      case '/api/plan': {
        const p = await serial(() => planIn(ctx, { executedBy: opts.by, maxUnmatchedRecords: 0 }));
        sendJson(res, 200, { runId: p.runId });
        return;
      }
      case '/api/apply/preview': {
        // Plan now (decisions first) and count what applying it would link, by who decided.
        const r = await serial(() => applyPreviewIn(ctx, { by: opts.by }));
        plans.add(r.planRunId);
        sendJson(res, 200, r);
        return;
      }
      case '/api/apply': {
        // Applies exactly the previewed plan: by default only the rows people decided (a copy of the
        // plan holding only the decided links); with only = "all", the machine links too.
        const planRunId = planOf(str(body['planRunId'], 'planRunId'));
        if (planRunId === undefined) throw new HttpError(400, 'planRunId is required (preview the apply first)');
        const only = body['only'] === 'all' ? 'all' : 'decisions';
        const r = await serial(async () => {
          const id = only === 'all' ? planRunId : await decisionsOnlyPlanIn(ctx, planRunId, opts.by);
          return apply(ctx.db, {
            config: ctx.config,
            ...(ctx.filter.tenant === null ? { allTenants: true } : { tenantId: ctx.filter.tenant }),
            entities: ctx.links.map((l) => l.entity),
            executedBy: opts.by,
            planRunId: id,
          });
        });
        sendJson(res, 200, { only, runId: r.runId, planRunId: r.planRunId, totalUpdated: r.totalUpdated, results: r.results });
        return;
      }
      default:
        throw new HttpError(404, 'not found');
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) return void res.end();
      if (e instanceof HttpError) return sendJson(res, e.status, { error: { code: 'HTTP', message: e.message } });
      if (e instanceof BackfillError) return sendJson(res, e.exitCode === 2 ? 400 : 500, { error: e.toJSON() });
      sendJson(res, 500, { error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } });
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
