/**
 * One watch's state: the watched list as the server's events build it,
 * and the snapshots onChange receives (spec §2.5). Connection-independent:
 * watch.ts hands it the server's messages and sends what it asks.
 */
import { serverError } from '../core/errors';
import { decode } from '../database/decode';
import type { ChangeEvent, DataType, QueueType, Snapshot, WatchOptions } from './watch';

/** The query a watch sends: where, orderBy and limit. */
export interface WatchBody {
  filter?: object;
  sort?: ReadonlyArray<[string, 1 | -1]>;
  limit?: number;
}

/** A message from the server (db/watch_conn.go). */
export interface WireMessage {
  type: string;
  watchId?: string;
  queryId?: string;
  eventId?: number;
  docs?: Doc[];
  events?: WireChange[];
  code?: string;
  errCode?: number;
  message?: string;
}

/** A docChange as the server sends it: index places enqueued and updated documents. */
interface WireChange {
  id: number;
  dataType: DataType;
  queueType: QueueType;
  docId: string;
  doc?: Doc;
  updatedFields?: Record<string, unknown>;
  removedFields?: string[];
  index?: number;
}

type Doc = Record<string, unknown>;

/** What receive tells the connection: go on, the watch ended, or the stream has a gap. */
export type Outcome = 'ok' | 'ended' | 'gap';

/** A watch of a connection. */
export class Watch {
  private queryId?: string;
  private eventId = -1;
  private docs: Doc[] = [];
  private stopped = false;

  constructor(
    readonly api: string,
    readonly id: string,
    private readonly body: WatchBody,
    private readonly opts: WatchOptions,
    private readonly send: (msg: object) => void,
  ) {}

  /** Asks the server for the watch: afresh, or resuming after the last event applied. */
  start(): void {
    const msg: Record<string, unknown> = { type: 'watch', watchId: this.id, query: this.body };
    if (this.queryId !== undefined) msg.resume = { queryId: this.queryId, eventId: this.eventId };
    this.send(msg);
  }

  /** Stops the watch; false when it had ended already. */
  stop(): boolean {
    if (this.stopped) return false;
    this.stopped = true;
    return true;
  }

  /** Ends the watch with err (onError). */
  fail(err: Error): void {
    if (this.stop()) this.call(() => this.opts.onError(err));
  }

  /** Applies a message of this watch. */
  receive(m: WireMessage): Outcome {
    if (this.stopped) return 'ended';
    switch (m.type) {
      case 'init':
        this.init(m);
        return 'ok';
      case 'resume':
      case 'events':
        if (m.queryId !== this.queryId) return 'ok'; // of a query this watch left
        return this.events(m.events ?? []);
      case 'error':
        this.fail(serverError(this.api, 0, m));
        return 'ended';
    }
    return 'ok';
  }

  // init: the query's documents, afresh: the first snapshot, or a new
  // start (the rules changed, or the server could not replay a gap).
  private init(m: WireMessage): void {
    this.queryId = m.queryId;
    this.eventId = m.eventId ?? 0;
    this.docs = decode(m.docs ?? []);
    const id = this.eventId;
    const docChanges: ChangeEvent[] = this.docs.map((doc) => ({
      id,
      queueType: 'init',
      dataType: 'init',
      docId: String(doc._id),
      doc,
    }));
    this.deliver({ id, docChanges, docs: this.docs.slice(), type: 'init' });
  }

  // events applies the events after the last one applied, one snapshot
  // per event id.
  private events(changes: WireChange[]): Outcome {
    for (let i = 0; i < changes.length; ) {
      const id = changes[i].id;
      let j = i;
      while (j < changes.length && changes[j].id === id) j++;
      if (id > this.eventId + 1) return 'gap';
      if (id === this.eventId + 1) this.apply(id, changes.slice(i, j));
      i = j;
      if (this.stopped) return 'ended';
    }
    return 'ok';
  }

  // apply applies one event: the documents it dequeues leave the list;
  // those it enqueues or updates are put at their index, in order of index.
  private apply(id: number, changes: WireChange[]): void {
    const docChanges: ChangeEvent[] = [];
    const put: { doc: Doc; index: number }[] = [];
    for (const c of changes) {
      const i = this.docs.findIndex((d) => d._id === c.docId);
      const old = i >= 0 ? this.docs[i] : undefined;
      if (i >= 0) this.docs.splice(i, 1);
      let doc = c.doc !== undefined ? decode(c.doc) : undefined;
      const updatedFields = c.dataType === 'update' ? decode(c.updatedFields ?? {}) : undefined;
      if (doc === undefined && updatedFields && old) doc = patch(old, updatedFields, c.removedFields ?? []);
      doc ??= old ?? { _id: c.docId };
      const e: ChangeEvent = { id, queueType: c.queueType, dataType: c.dataType, docId: c.docId, doc };
      if (updatedFields) {
        e.updatedFields = updatedFields;
        e.removedFields = c.removedFields ?? [];
      }
      docChanges.push(e);
      if (c.queueType !== 'dequeue') put.push({ doc, index: c.index ?? this.docs.length });
    }
    put.sort((a, b) => a.index - b.index);
    for (const p of put) this.docs.splice(Math.min(p.index, this.docs.length), 0, p.doc);
    this.eventId = id;
    this.deliver({ id, docChanges, docs: this.docs.slice() });
  }

  private deliver(s: Snapshot): void {
    this.call(() => this.opts.onChange(s));
  }

  // call runs a user callback: what it throws must not break the watch.
  private call(f: () => void): void {
    try {
      f();
    } catch (e) {
      console.error('[minibase] a watch callback threw:', e);
    }
  }
}

/**
 * patch returns doc with updatedFields set and removedFields removed (dot
 * paths through objects), copying what it changes: earlier snapshots keep
 * the document they had.
 */
export function patch(doc: Doc, updatedFields: Record<string, unknown>, removedFields: string[]): Doc {
  const out: Doc = { ...doc };
  // parentOf returns the object holding path's last segment, copying the
  // objects on the way (made when create, else undefined when missing).
  const parentOf = (segs: string[], create: boolean): Doc | undefined => {
    let d = out;
    for (const s of segs.slice(0, -1)) {
      const next = d[s];
      const isObject = next !== null && typeof next === 'object' && !Array.isArray(next) && !(next instanceof Date);
      if (!isObject && !create) return undefined;
      const copy: Doc = isObject ? { ...(next as Doc) } : {};
      d[s] = copy;
      d = copy;
    }
    return d;
  };
  for (const path of Object.keys(updatedFields)) {
    const segs = path.split('.');
    parentOf(segs, true)![segs[segs.length - 1]] = updatedFields[path];
  }
  for (const path of removedFields) {
    const segs = path.split('.');
    const d = parentOf(segs, false);
    if (d) delete d[segs[segs.length - 1]];
  }
  return out;
}
