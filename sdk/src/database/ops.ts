/**
 * The database's operations, as the builder (query.ts, document.ts) sends
 * them: one method per operation, with structured arguments, and a
 * transport behind them. Over HTTP (httpOps) each goes to its route of
 * minibase's API; inside cloud functions, wx-server-sdk's transport is the
 * Go native of the same name, which calls the matching db.Service method
 * in-process (functions/bind_db.go). Either way the answers are the
 * server's (db/answers.go), and a failure is a CloudError of api.
 */
import type { Client } from '../core/client';
import type { WatchBody, WatchOptions, Watcher } from '../realtime/watch';
import type { Obj } from './encode';
import { httpTxn, type TxnOps } from './transaction';
import type { DocumentData } from './types';

/** A query's body: POST …/query. */
export interface QueryBody {
  filter?: Obj;
  sort?: ReadonlyArray<[string, 1 | -1]>;
  skip?: number;
  limit: number;
  projection?: Obj;
}

/** An aggregation's body: POST …/aggregate (stages as MongoDB writes them). */
export interface AggregateBody {
  pipeline: Obj[];
}

/** A where-update's body: POST …/update. */
export interface UpdateBody {
  filter: Obj;
  update: Obj;
  multi: boolean;
}

/** A where-remove's body: POST …/remove. */
export interface RemoveBody {
  filter: Obj;
  multi: boolean;
}

/** An update's stats: `updated`, and `matched` for a where-update. */
export interface UpdateStats {
  stats: { updated: number; matched?: number };
}

/**
 * The operations. api names the wx.cloud call for errors
 * (`collection.get:fail …`); coll is the collection, id a document's _id;
 * bodies hold encoded values (encode.ts).
 */
export interface DbOps {
  /** The environment the operations reach (Database.config.env when none is given). */
  readonly env?: string;
  /** Matching documents: `{data: [docs]}`. */
  query(api: string, coll: string, body: QueryBody): Promise<{ data: DocumentData[] }>;
  /** The documents the pipeline outputs: `{data: [docs]}`. */
  aggregate(api: string, coll: string, body: AggregateBody): Promise<{ data: DocumentData[] }>;
  /** `{total}` of the documents filter matches (all without one). */
  count(api: string, coll: string, body: { filter?: Obj }): Promise<{ total: number }>;
  /** Inserts data, one document (`{_id}`) or an array of them (`{_ids}`). */
  insert(api: string, coll: string, body: { data: unknown }): Promise<{ _id?: string; _ids?: string[] }>;
  /** Updates the documents filter matches (one unless multi). */
  update(api: string, coll: string, body: UpdateBody): Promise<UpdateStats>;
  /** Removes the documents filter matches (one unless multi): `{stats: {removed}}`. */
  remove(api: string, coll: string, body: RemoveBody): Promise<{ stats: { removed: number } }>;
  /** The document id: `{data: doc}`; DATABASE_DOCUMENT_NOT_EXIST when there is none. */
  getDoc(api: string, coll: string, id: string): Promise<{ data: DocumentData }>;
  /** Replaces the document id with data, or creates it: `{_id, stats: {updated, created}}`. */
  setDoc(
    api: string,
    coll: string,
    id: string,
    body: { data: unknown },
  ): Promise<{ _id: string; stats: { updated: number; created: number } }>;
  /** Applies update (operators) to the document id: `{stats: {updated: 0|1}}`. */
  updateDoc(api: string, coll: string, id: string, body: { update: Obj }): Promise<UpdateStats>;
  /** Removes the document id: `{stats: {removed: 0|1}}`. */
  removeDoc(api: string, coll: string, id: string): Promise<{ stats: { removed: number } }>;
  /** Creates a collection (admins): `{name}`. */
  createCollection(api: string, body: { name: string }): Promise<{ name: string }>;
  /** A new transaction (transaction.ts). */
  transaction(): TxnOps;
  /** Set on a transaction's operations: a document's get() answers `{data: null}` when there is none. */
  readonly inTransaction?: boolean;
  /**
   * Watches a query (realtime): over the client's WebSocket (Client.watch);
   * wx-server-sdk has no watch (a function is short-lived), as CloudBase's
   * has none.
   */
  watch?(api: string, coll: string, body: WatchBody, opts: WatchOptions): Watcher;
}

/**
 * The operations over minibase's HTTP API (README "HTTP API"), through
 * client.request: `/v1/db/{coll}/…` with the collection and the id
 * percent-encoded.
 */
export function httpOps(client: Client): DbOps {
  const coll = (name: string) => '/v1/db/' + encodeURIComponent(name);
  const doc = (name: string, id: string) => coll(name) + '/docs/' + encodeURIComponent(id);
  return {
    env: client.env,
    query: (api, c, body) => client.request(api, 'POST', coll(c) + '/query', body),
    aggregate: (api, c, body) => client.request(api, 'POST', coll(c) + '/aggregate', body),
    count: (api, c, body) => client.request(api, 'POST', coll(c) + '/count', body),
    insert: (api, c, body) => client.request(api, 'POST', coll(c) + '/insert', body),
    update: (api, c, body) => client.request(api, 'POST', coll(c) + '/update', body),
    remove: (api, c, body) => client.request(api, 'POST', coll(c) + '/remove', body),
    getDoc: (api, c, id) => client.request(api, 'GET', doc(c, id)),
    setDoc: (api, c, id, body) => client.request(api, 'PUT', doc(c, id), body),
    // Not PATCH …/docs/{id}: wx.request and my.request have no PATCH. The
    // server checks a where-update on {_id} alone as it checks PATCH,
    // against the stored document.
    updateDoc: (api, c, id, body) =>
      client.request(api, 'POST', coll(c) + '/update', { filter: { _id: id }, update: body.update, multi: false }),
    removeDoc: (api, c, id) => client.request(api, 'DELETE', doc(c, id)),
    createCollection: (api, body) => client.request(api, 'POST', '/v1/admin/collections', body),
    transaction: () => httpTxn(client),
    watch: (api, c, body, opts) => client.watch(api, c, body, opts),
  };
}
