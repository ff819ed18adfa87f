/**
 * Realtime: query.watch() (spec §2.5) over minibase's watch WebSocket,
 * GET /v1/db/{coll}/watch (the protocol is in the server's
 * db/watch_conn.go). One connection per client and collection carries
 * every watch of that collection; it is made with the adapter's
 * connectSocket (wx.connectSocket and its twins in mini-programs,
 * WebSocket elsewhere), pings every 20 s, and when it drops it is made
 * again with backoff, each watch resuming from the last event it applied:
 * the server replays what it missed, or sends its documents afresh (a
 * snapshot of type 'init') when it cannot.
 */
import type { Client } from '../core/client';
import { CloudError, ErrCode, cloudError, serverError } from '../core/errors';
import type { SocketLike } from '../adapters/types';
import { Watch, type WatchBody, type WireMessage } from './session';

export type { WatchBody } from './session';

/** What happened to a document (spec §2.5). */
export type DataType = 'init' | 'update' | 'replace' | 'add' | 'remove' | 'limit';

/** How the change affects the watched list. */
export type QueueType = 'init' | 'update' | 'enqueue' | 'dequeue';

/** One change in a snapshot. */
export interface ChangeEvent {
  id: number;
  queueType: QueueType;
  dataType: DataType;
  docId: string;
  doc: Record<string, unknown>;
  updatedFields?: Record<string, unknown>;
  removedFields?: string[];
}

/** What onChange receives; type is 'init' on the first call only (and when the documents are sent afresh). */
export interface Snapshot {
  id: number;
  docChanges: ChangeEvent[];
  docs: Record<string, unknown>[];
  type?: 'init';
}

/** watch()'s options: both callbacks are required, as in wx.cloud. */
export interface WatchOptions {
  onChange(snapshot: Snapshot): void;
  onError(err: Error): void;
}

/** What watch() returns. */
export interface Watcher {
  /** Stops the watch: no callback is called after it. */
  close(): Promise<void>;
}

/** How often a connection pings; the server closes one silent for 60 s (MINIBASE_WATCH_IDLE_TIMEOUT). */
export const PING_MS = 20_000;
/** A connection that received nothing for this long is taken for dead and made again. */
const DEAD_MS = 45_000;
/** Reconnection delays: doubling from the first, at most the last, with jitter. */
const BACKOFF_MIN = 500;
const BACKOFF_MAX = 30_000;
/** The codes of a refused token, after which the connection is made again once the token was refreshed. */
const RENEWABLE = new Set(['ACCESS_TOKEN_EXPIRED', 'ACCESS_TOKEN_REVOKED']);

const connections = new WeakMap<Client, Map<string, Connection>>();

/**
 * Starts a watch of body's query on collection coll of client. api names
 * the call in errors ('collection.watch', 'document.watch').
 */
export function watch(client: Client, api: string, coll: string, body: WatchBody, opts: WatchOptions): Watcher {
  let byColl = connections.get(client);
  if (!byColl) {
    byColl = new Map();
    connections.set(client, byColl);
  }
  let conn = byColl.get(coll);
  if (!conn) {
    const all = byColl;
    conn = new Connection(client, coll, () => all.get(coll) === conn && all.delete(coll));
    byColl.set(coll, conn);
  }
  return conn.add(api, body, opts);
}

/** One collection's connection and its watches. */
class Connection {
  private socket?: SocketLike;
  private open = false;
  private readonly watches = new Map<string, Watch>();
  private seq = 0;
  private attempt = 0;
  private retry?: ReturnType<typeof setTimeout>;
  private ping?: ReturnType<typeof setInterval>;
  private lastSeen = 0;
  private renewing = false;

  constructor(
    private readonly client: Client,
    private readonly coll: string,
    private readonly gone: () => void,
  ) {}

  add(api: string, body: WatchBody, opts: WatchOptions): Watcher {
    const w = new Watch(api, 'w' + ++this.seq, body, opts, (msg) => this.send(msg));
    this.watches.set(w.id, w);
    if (this.open) w.start();
    else this.connect(0);
    return {
      close: async () => {
        if (!w.stop()) return;
        this.watches.delete(w.id);
        if (this.open) this.send({ type: 'close', watchId: w.id });
        if (this.watches.size === 0) this.shut();
      },
    };
  }

  private send(msg: object): void {
    if (!this.open || !this.socket) return; // sent again when the connection is back
    try {
      this.socket.send(JSON.stringify(msg));
    } catch {
      this.dropped(this.socket);
    }
  }

  // connect makes the connection after delay ms (none when one is being
  // made or waited for).
  private connect(delay: number): void {
    if (this.socket || this.retry || this.watches.size === 0) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.dial();
    }, delay);
  }

  private async dial(): Promise<void> {
    let headers: Record<string, string>;
    try {
      headers = await this.client.authHeaders();
    } catch (e) {
      return this.backoff(); // signing in failed (offline): try again later
    }
    if (this.socket || this.watches.size === 0) return;
    const url = this.client.endpoint.replace(/^http/i, 'ws') + '/v1/db/' + encodeURIComponent(this.coll) + '/watch';
    let s: SocketLike;
    try {
      const connect = this.client.adapter.connectSocket;
      if (!connect) throw new Error(`the '${this.client.adapter.name}' adapter cannot open a WebSocket`);
      s = connect.call(this.client.adapter, url, headers);
    } catch (e) {
      return this.failAll(cloudError('collection.watch', ErrCode.UNKNOWN, (e as Error).message));
    }
    this.socket = s;
    s.onOpen(() => {
      if (this.socket !== s) return;
      this.open = true;
      this.lastSeen = Date.now();
      this.ping = setInterval(() => this.keepAlive(s), PING_MS);
      for (const w of this.watches.values()) w.start();
    });
    s.onMessage((data) => {
      if (this.socket !== s) return;
      this.lastSeen = Date.now();
      this.receive(data);
    });
    s.onClose(() => this.dropped(s));
    s.onError(() => this.dropped(s));
  }

  private keepAlive(s: SocketLike): void {
    if (Date.now() - this.lastSeen > DEAD_MS) {
      try {
        s.close(1000, 'no answer to pings');
      } catch {
        // closing a dead socket may throw: it is dropped either way
      }
      this.dropped(s);
      return;
    }
    this.send({ type: 'ping' });
  }

  private receive(data: string): void {
    let m: WireMessage;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    if (m.type === 'pong') return;
    if (m.watchId === undefined) {
      if (m.type === 'error') this.refused(m);
      return;
    }
    const w = this.watches.get(m.watchId);
    if (!w) return; // a watch closed meanwhile
    if (m.type === 'init' || m.type === 'resume') this.attempt = 0;
    const r = w.receive(m);
    if (r === 'ended') {
      this.watches.delete(w.id);
      if (this.watches.size === 0) this.shut();
    } else if (r === 'gap') {
      this.restart(); // the server's event ids are consecutive: a gap is a broken stream
    }
  }

  // refused: the server ended the connection with an error: a token it
  // refused (refreshed, then the connection is made again) or anything
  // else, which ends every watch.
  private refused(m: WireMessage): void {
    const code = typeof m.code === 'string' ? m.code : '';
    if (RENEWABLE.has(code) && !this.renewing) {
      this.renewing = true;
      void this.client.renew(code).then((ok) => {
        this.renewing = false;
        if (ok) {
          this.attempt = 0;
          this.restart();
        } else {
          this.failAll(serverError('collection.watch', 401, m));
        }
      });
      return;
    }
    this.failAll(serverError('collection.watch', 0, m));
  }

  private restart(): void {
    const s = this.socket;
    if (s) {
      try {
        s.close(1000, '');
      } catch {
        // dropped below either way
      }
      this.dropped(s, 0);
    }
  }

  // dropped: the socket s closed or failed; the watches resume on a new
  // one, after delay (backoff when absent).
  private dropped(s: SocketLike | undefined, delay?: number): void {
    if (!s || this.socket !== s) return;
    this.socket = undefined;
    this.open = false;
    clearInterval(this.ping);
    if (this.renewing) return; // connect after the refresh
    if (delay === undefined) this.backoff();
    else this.connect(delay);
  }

  private backoff(): void {
    const d = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt++);
    this.connect(d / 2 + Math.random() * (d / 2));
  }

  private failAll(err: CloudError): void {
    const ws = [...this.watches.values()];
    this.watches.clear();
    this.shut();
    for (const w of ws) w.fail(err);
  }

  // shut closes the connection: no watch is left.
  private shut(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    const s = this.socket;
    this.socket = undefined;
    this.open = false;
    clearInterval(this.ping);
    if (s) {
      try {
        s.close(1000, '');
      } catch {
        // already closed
      }
    }
    this.gone();
  }
}
