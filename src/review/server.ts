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
import { apply } from '../pipeline/apply.js';
import { prepare, type CommonOptions, type Context } from '../pipeline/context.js';
import { planIn } from '../pipeline/plan.js';
import { BANDS, bulkAcceptIn, decideIn, reviewQueueIn, revokeIn, type Band, type QueueFilter, type ReviewAction } from '../pipeline/review.js';
import { renderPage } from './page.js';

export interface ReviewServerOptions extends CommonOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Recorded as decided_by / executed_by. */
  by: string | null;
  /** Most names per page load (default 300). */
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

/** Queue filter from query parameters or a JSON object (same names). */
function filterFrom(get: (k: string) => unknown): QueueFilter {
  const f: QueueFilter = {};
  const link = get('link');
  if (typeof link === 'string' && link !== '') f.links = [link];
  const tenant = get('tenant');
  if (typeof tenant === 'string' && tenant !== '') f.tenant = tenant;
  const band = get('band');
  if (typeof band === 'string' && band !== '') {
    if (!BANDS.includes(band as Band)) throw new HttpError(400, `band must be one of ${BANDS.join(', ')}`);
    f.bands = [band as Band];
  }
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

export async function startReviewServer(db: unknown, opts: ReviewServerOptions): Promise<ReviewServer> {
  const ctx: Context = await prepare(db, opts, { tenant: 'required' });
  const token = randomBytes(24).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const limit = opts.limit ?? 300;
  let port = 0;
  let busy: Promise<unknown> = Promise.resolve();
  /** One request at a time against the database (PGlite has one connection; apply must not interleave). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = busy.then(fn, fn);
    busy = next.catch(() => undefined);
    return next;
  };

  const origins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) throw new HttpError(403, 'Host not allowed (use 127.0.0.1 or localhost)');
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
        const q = await serial(() => reviewQueueIn(ctx, { filter, limit, executedBy: opts.by }));
        sendJson(res, 200, q);
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
        const action = str(body['action'], 'action') as ReviewAction;
        const scopeKey = body['scopeKey'];
        if (!Array.isArray(scopeKey) || !scopeKey.every((v) => v === null || typeof v === 'string')) throw new HttpError(400, 'scopeKey must be an array of strings');
        const targetKey = body['targetKey'];
        const r = await serial(() =>
          decideIn(ctx, {
            link: str(body['link'], 'link'),
            scopeKey: scopeKey as (string | null)[],
            name: str(body['name'], 'name'),
            action,
            targetKey: typeof targetKey === 'string' ? targetKey : null,
            by: opts.by,
          }),
        );
        sendJson(res, 200, r);
        return;
      }
      case '/api/revoke': {
        const r = await serial(() => revokeIn(ctx.db, str(body['id'], 'id'), ctx.filter.tenant));
        sendJson(res, 200, r);
        return;
      }
      case '/api/bulk': {
        const minScore = optNum(body['minScore'], 'minScore');
        if (minScore === undefined) throw new HttpError(400, 'minScore is required');
        const f = body['filter'];
        const filter = filterFrom((k) => (f !== null && typeof f === 'object' ? (f as Record<string, unknown>)[k] : undefined));
        const r = await serial(() => bulkAcceptIn(ctx, { filter, minScore, by: opts.by }));
        sendJson(res, 200, { accepted: r.accepted, skipped: r.skipped });
        return;
      }
      case '/api/plan': {
        const p = await serial(() => planIn(ctx, { executedBy: opts.by, maxUnmatchedRecords: 0 }));
        sendJson(res, 200, { runId: p.runId });
        return;
      }
      case '/api/apply': {
        // The CLI's apply: plan now (decisions first), then apply with its guards, one logged run.
        const r = await serial(() =>
          apply(ctx.db, {
            config: ctx.config,
            ...(ctx.filter.tenant === null ? { allTenants: true } : { tenantId: ctx.filter.tenant }),
            entities: ctx.links.map((l) => l.entity),
            executedBy: opts.by,
            maxUnmatchedRecords: 0,
          }),
        );
        sendJson(res, 200, { runId: r.runId, planRunId: r.planRunId, totalUpdated: r.totalUpdated, results: r.results });
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
