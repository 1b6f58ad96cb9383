/**
 * The live lock: a session-level advisory lock a process holds on a run for as long as it applies, resumes or undoes
 * it. Batches lock the run only inside their own transactions, so between two batches a live run looked exactly
 * like one a kill -9 left 'running': an `undo` of a run still being applied reverted the rows logged so far while
 * the apply went on linking, and a second `undo` or `--resume` walked beside the first. The lock is held on a
 * connection of its own (a pool's; the only one of a single client or PGlite), which the server releases when the
 * process dies, so a crashed run can still be resumed or undone at once.
 *
 * A lost connection (a restart, a failover, pg_terminate_backend) loses the lock with it. The run takes it again
 * before it walks on (`regain`, called by the reconnect loop): on a new connection when the holder's died, and
 * refused with RUN_BUSY when another process took the run meanwhile, which stops this one without writing more.
 */
import type { Database, Queryable } from '../db/port.js';
import { BackfillError } from '../errors.js';
import {
  linkHolderStatement,
  linkLockStatement,
  linkWritersStatement,
  linkUnlockStatement,
  liveHolderStatement,
  liveLockStatement,
  liveUnlockStatement,
  nameSessionStatement,
} from '../sql/batch.js';
import { backendPidStatement, idleSessionTimeoutStatement, pingStatement } from '../sql/session.js';

/** What a live run may ask of its lock. */
export interface LiveLock {
  /**
   * After a lost connection: makes sure the lock is still this process's, taking it again on a new connection when
   * the one that held it died; RUN_BUSY when another process holds it now.
   */
  regain(): Promise<void>;
  /**
   * Where it is held, which each batch checks: the run (an undo's: the run it reverts) and the backend of the
   * connection of its own. Undefined: it is held on the connection every statement shares, lost only with it.
   */
  readonly holder: { runId: string; pid: number } | undefined;
}

/**
 * A link a live run writes: `key` its source table's oid and FK column, `tenant` the one tenant the run writes (null:
 * every row of the link), `what` how a refusal names it (table.fk, and the tenant).
 */
export interface WrittenLink {
  key: string;
  tenant: string | null;
  what: string;
}

/** The links of a resolved context as the live lock takes them. */
export function writtenLinks(ctx: {
  links: readonly { sourceOid: number; config: { table: string; fk: string; scope: readonly string[] } }[];
  filter: { tenant: string | null };
}): WrittenLink[] {
  return ctx.links.map((l) => {
    const tenant = l.config.scope.length > 0 ? ctx.filter.tenant : null;
    const what = `${l.config.table}.${l.config.fk}${tenant === null ? '' : ` (tenant ${tenant})`}`;
    return { key: `${l.sourceOid}.${l.config.fk}`, tenant, what };
  });
}

/**
 * The runs writing some of these links right now (an apply or undo in another session): for each such link, how a
 * message names it and its writers. A reader (a plan) sees such a link part way. Over every tenant, any writer of
 * the link; for one tenant, a writer over every tenant or that tenant's own. Sessions of this process's one-session
 * handle (PGlite) are not seen: they cannot run beside the reader.
 */
export async function writersNow(db: Queryable, links: readonly WrittenLink[]): Promise<{ what: string; who: string[] }[]> {
  const out: { what: string; who: string[] }[] = [];
  for (const l of links) {
    const asks =
      l.tenant === null
        ? [linkWritersStatement(l.key, false)]
        : [linkWritersStatement(l.key, true), linkWritersStatement(`${l.key}#${l.tenant}`, false)];
    const who = new Set<string>();
    for (const q of asks) for (const h of (await db.query(q)).rows) who.add(holderName(h));
    if (who.size > 0) out.push({ what: l.what, who: [...who] });
  }
  return out;
}

/** The locks one written link takes: the link's (shared for one tenant's run) and the tenant's own. */
const lockKeys = (l: WrittenLink): { key: string; shared: boolean }[] =>
  l.tenant === null
    ? [{ key: l.key, shared: false }]
    : [
        { key: l.key, shared: true },
        { key: `${l.key}#${l.tenant}`, shared: false },
      ];

/**
 * Runs `body` holding run `runId`'s live lock (an undo: the run it reverts; an apply: its own) and a lock on each
 * link it writes; refuses with RUN_BUSY, before `body` starts, when another session holds either (another process
 * working on the run, or another apply or undo writing one of the links). `label` names the holder in
 * pg_stat_activity meanwhile (`fk-backfill apply run 12`), which is how the refusal names it.
 */
export async function whileLive<T>(
  db: Database,
  runId: string,
  label: string,
  body: (live: LiveLock) => Promise<T>,
  links: readonly WrittenLink[] = [],
): Promise<T> {
  // one connection (PGlite, a single client): every statement already runs in the session that takes the lock
  const holder = db.connections === 1 ? new SharedHolder(db, runId, label, links) : new OwnHolder(db, runId, label, links);
  await holder.take();
  try {
    return await body(holder);
  } finally {
    await holder.release();
  }
}

/**
 * Names the session and takes the lock on `conn`, or gives the name back and throws RUN_BUSY naming the holder;
 * returns the name it replaced and the session's backend.
 */
async function lockOn(
  conn: Queryable,
  runId: string,
  label: string,
  again: boolean,
  links: readonly WrittenLink[],
): Promise<{ named: string; pid: number }> {
  // named before the lock is taken, so that a process refused the moment after reads this name, not the one the pool's
  // connection had before (a refusal once named the apply that had just used the connection)
  const named = (await conn.query(nameSessionStatement(label))).rows[0]?.previous ?? '';
  const lock = (await conn.query(liveLockStatement(runId))).rows[0];
  if (lock?.got !== true) {
    await conn.query(nameSessionStatement(named));
    const h = (await conn.query(liveHolderStatement(runId))).rows[0];
    const who = holderName(h);
    throw new BackfillError(
      'RUN_BUSY',
      again
        ? `run ${runId} was taken over by ${who} while this process reconnected after losing its connection; this process stopped and writes nothing more (the other one goes on with the run)`
        : `run ${runId} is being worked on right now by ${who}; nothing was written. Let it finish or stop it (Ctrl-C where it runs), then try again`,
      { details: { run: runId, ...(h !== undefined ? { pid: h.pid } : {}), ...(again ? { written: true } : {}) } },
    );
  }
  const taken: { key: string; shared: boolean }[] = [];
  for (const l of links)
    for (const k of lockKeys(l)) {
      if ((await conn.query(linkLockStatement(k.key, k.shared))).rows[0]?.got === true) {
        taken.push(k);
        continue;
      }
      const h = (await conn.query(linkHolderStatement(k.key))).rows[0];
      await unlockOn(conn, runId, named, taken);
      const who = holderName(h);
      throw new BackfillError(
        'RUN_BUSY',
        `${l.what} is being written right now by ${who}; ${again ? 'this process stopped and writes nothing more' : 'nothing was written'}. Two runs on the same rows would split them between two change logs and leave updated_at unrestorable: let it finish, then try again`,
        { details: { run: runId, link: l.what, ...(h !== undefined ? { pid: h.pid } : {}), ...(again ? { written: true } : {}) } },
      );
    }
  return { named, pid: lock.pid };
}

/**
 * Two connections of this process were given one server backend: a pooler in transaction or statement mode (PgBouncer's
 * pool_mode = transaction, Odyssey, RDS Proxy…), under which session-level locks and settings do not hold.
 */
export function sharedBackendError(pid: number): BackfillError {
  return new BackfillError(
    'DB_UNSUPPORTED',
    `two of this process's connections were given the same server backend (pid ${pid}): the database URL goes through a pooler in transaction or statement mode (PgBouncer pool_mode = transaction), where the session-level locks that keep two runs off the same rows (and a run off an undo of it) are left on a pooled backend and do not hold; nothing was written. Connect to PostgreSQL directly, or through a pool in session mode`,
    { details: { pid } },
  );
}

/** How a refusal names the backend holding a lock (its application_name names its run). */
const holderName = (h: { pid: number; application_name: string | null } | undefined): string =>
  h === undefined ? 'another session' : `${h.application_name || 'another session'} (backend pid ${h.pid})`;

/** Gives the locks and the session's name back; the connection may be gone (a restart): they went with it. */
async function unlockOn(conn: Queryable, runId: string, named: string, keys: readonly { key: string; shared: boolean }[]): Promise<void> {
  await conn.query(nameSessionStatement(named)).catch(() => undefined);
  for (const k of keys) await conn.query(linkUnlockStatement(k.key, k.shared)).catch(() => undefined);
  await conn.query(liveUnlockStatement(runId)).catch(() => undefined);
}

/** The lock on the handle's only connection, which every statement of the run shares. */
class SharedHolder implements LiveLock {
  readonly holder = undefined;
  private named: string | undefined;
  constructor(
    private readonly db: Database,
    private readonly runId: string,
    private readonly label: string,
    private readonly links: readonly WrittenLink[],
  ) {}

  async take(): Promise<void> {
    // advisory locks never conflict within one session: another run of this process on the same handle is refused here
    takeInProcess(this.db, this.keys(), this.label);
    try {
      this.named = (await lockOn(this.db, this.runId, this.label, false, this.links)).named;
    } catch (e) {
      releaseInProcess(this.db, this.keys());
      throw e;
    }
  }

  // the handle does not outlive its one connection (a single client does not reconnect; PGlite has none to lose)
  regain = (): Promise<void> => Promise.resolve();

  async release(): Promise<void> {
    if (this.named === undefined) return;
    await unlockOn(this.db, this.runId, this.named, this.links.flatMap(lockKeys));
    releaseInProcess(this.db, this.keys());
  }

  private keys(): InProcessKey[] {
    return [
      { key: `run ${this.runId}`, shared: false, busy: `run ${this.runId} is being worked on right now` },
      ...this.links.flatMap((l) => lockKeys(l).map((k) => ({ ...k, busy: `${l.what} is being written right now` }))),
    ];
  }
}

/** A lock a run of this process holds on a one-session handle (PGlite, a single client), and how a refusal says it. */
interface InProcessKey {
  key: string;
  shared: boolean;
  busy: string;
}

/** What runs of this process hold on each one-session handle (its driver object): the database cannot tell them apart. */
const HELD = new WeakMap<object, Map<string, { label: string; shared: boolean; n: number }>>();

function takeInProcess(db: Database, keys: readonly InProcessKey[], label: string): void {
  const held = HELD.get(db.driver ?? db) ?? new Map<string, { label: string; shared: boolean; n: number }>();
  HELD.set(db.driver ?? db, held);
  for (const k of keys) {
    const h = held.get(k.key);
    if (h !== undefined && (!k.shared || !h.shared))
      throw new BackfillError(
        'RUN_BUSY',
        `${k.busy} by ${h.label} in this process (the same database handle); nothing was written. Let it finish, then try again`,
      );
  }
  for (const k of keys) {
    const h = held.get(k.key);
    held.set(k.key, h === undefined ? { label, shared: k.shared, n: 1 } : { ...h, n: h.n + 1 });
  }
}

function releaseInProcess(db: Database, keys: readonly InProcessKey[]): void {
  const held = HELD.get(db.driver ?? db);
  for (const k of keys) {
    const h = held?.get(k.key);
    if (h === undefined) continue;
    if (h.n <= 1) held!.delete(k.key);
    else held!.set(k.key, { ...h, n: h.n - 1 });
  }
}

/**
 * Until `until` settles, a statement on `conn` every third of the server's idle_session_timeout, which would otherwise
 * end the idle holder's session (and the lock with it) in the middle of the run. Returns early if the connection is lost.
 */
async function keepBusy(conn: Queryable, idleMs: number, until: Promise<void>): Promise<void> {
  for (let done = false; !done;) {
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), Math.max(100, Math.floor(idleMs / 3)))));
    done = !(await Promise.race([tick, until.then(() => false)]));
    clearTimeout(timer);
    if (!done)
      done = await conn.query(pingStatement()).then(
        () => false,
        () => true,
      );
  }
}

/** The lock on a connection of its own, kept out of the pool until the run ends (a new one if it is lost). */
class OwnHolder implements LiveLock {
  holder: { runId: string; pid: number } | undefined;
  private letGo: (() => void) | undefined;
  private ended: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly runId: string,
    private readonly label: string,
    private readonly links: readonly WrittenLink[],
  ) {}

  /** Opens a session that takes the lock and keeps it until release(); rejects when it cannot (RUN_BUSY, no connection). */
  async take(again = false): Promise<void> {
    let locked!: () => void;
    let failed!: (e: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => ((locked = resolve), (failed = reject)));
    const letGo = new Promise<void>((resolve) => (this.letGo = resolve));
    this.ended = this.db
      .session(async (conn) => {
        const { named, pid } = await lockOn(conn, this.runId, this.label, again, this.links);
        // a pooler in transaction (or statement) mode gives this idle session's backend to the pool's other
        // connections: the lock would stay on that backend after the run (refusing every later run of the links) and
        // would not keep a second process off (it would take it again on the same backend)
        const other = (await this.db.query(backendPidStatement())).rows[0]?.pid;
        if (other === pid) {
          await unlockOn(conn, this.runId, named, this.links.flatMap(lockKeys));
          await unlockOn(this.db, this.runId, named, this.links.flatMap(lockKeys));
          throw sharedBackendError(pid);
        }
        const idleMs = (await conn.query(idleSessionTimeoutStatement())).rows[0]?.ms ?? 0;
        this.holder = { runId: this.runId, pid };
        locked();
        await (idleMs > 0 ? keepBusy(conn, idleMs, letGo) : letGo);
        await unlockOn(conn, this.runId, named, this.links.flatMap(lockKeys));
        // a dead connection goes back to the pool as broken (the session's error), not to be reused
        await conn.query(pingStatement());
      })
      .catch((e: unknown) => failed(e));
    await ready;
  }

  // asked of pg_locks on another connection: the holder's own may be busy keeping itself alive (keepBusy)
  regain = async (): Promise<void> => {
    const now = (await this.db.query(liveHolderStatement(this.runId))).rows[0];
    if (now !== undefined && now.pid === this.holder?.pid) return;
    await this.release();
    await this.take(true);
  };

  async release(): Promise<void> {
    this.letGo?.();
    await this.ended;
  }
}
