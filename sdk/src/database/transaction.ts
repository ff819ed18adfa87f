/**
 * Transactions (spec §1.11): `db.runTransaction(callback, times)` and
 * `db.startTransaction()`, whose `collection(name)` is the usual builder
 * over the transaction: `doc(id).get/set/update/remove`, `add`, and beyond
 * CloudBase `where(…).update/remove`. Reads see the transaction's own
 * writes; nothing is written before commit, and then all or nothing.
 *
 * A transaction is optimistic: when what it read changed before it
 * committed, an operation or the commit fails with code
 * DATABASE_TRANSACTION_CONFLICT, and runTransaction runs the callback again
 * (up to `times` more times, 3 by default), as CloudBase's does.
 *
 * The transport (TxnOps) is the server's: inside cloud functions a
 * transaction in the functions runtime (functions/bind_txn.go); in a
 * client, httpTxn, which keeps the transaction's operations and sends them
 * all with each call to POST /v1/db/transaction without committing (the
 * server answers the last one and gives each answer a rev), then once more
 * to commit, each operation with the rev of its answer: the commit fails
 * with a conflict when any answer the callback saw would now be different.
 * The server holds nothing between calls.
 */
import type { Client } from '../core/client';
import type { Obj } from './encode';
import type { DbOps, QueryBody, RemoveBody, UpdateBody } from './ops';
import { CollectionReference } from './query';
import { invalid, type Flavor } from './request';
import type { DocumentData } from './types';

const CONFLICT = 'DATABASE_TRANSACTION_CONFLICT';

/** One operation of a transaction, as POST /v1/db/transaction takes it. */
export interface TxnOp {
  op: 'getDoc' | 'insert' | 'setDoc' | 'updateDoc' | 'removeDoc' | 'update' | 'remove';
  coll: string;
  id?: string;
  [field: string]: unknown;
}

/** A transaction on the server's side: what Transaction sends its operations to. */
export interface TxnOps {
  /** Runs op in the transaction: its answer, or a CloudError of api. */
  run(api: string, op: TxnOp): Promise<any>;
  /** Applies the transaction's writes (a conflict is a CloudError with code DATABASE_TRANSACTION_CONFLICT). */
  commit(api: string): Promise<{ requestId?: string }>;
  /** Drops them. */
  rollback(api: string): Promise<{ requestId?: string }>;
}

/** A transaction: the builder over it, commit and rollback. */
export class Transaction {
  /** Set once rollback() was called. */
  aborted = false;
  /** The reason given to rollback(), which runTransaction rejects with. */
  abortReason: unknown = undefined;
  /** Set once commit() succeeded. */
  committed = false;
  /** @internal */
  private readonly _ops: DbOps;
  /** @internal */
  private readonly _tx: TxnOps;
  /** @internal */
  private readonly _flavor: Flavor;

  /** @internal */
  constructor(tx: TxnOps, flavor: Flavor, env?: string) {
    this._tx = tx;
    this._flavor = flavor;
    this._ops = new TxnDbOps(tx, env);
  }

  /** The collection called name, inside the transaction; throws 'Collection name is required' when name is empty. */
  collection(name: string): CollectionReference {
    if (!name) throw new Error('Collection name is required');
    return new CollectionReference(this._ops, String(name), this._flavor);
  }

  /** Applies the transaction's writes, all or nothing. */
  async commit(): Promise<{ requestId?: string }> {
    const r = await this._tx.commit('transaction.commit');
    this.committed = true;
    return r;
  }

  /** Drops the transaction's writes; runTransaction then rejects with reason. */
  async rollback(reason?: unknown): Promise<{ requestId?: string }> {
    const r = await this._tx.rollback('transaction.rollback');
    this.aborted = true;
    this.abortReason = reason;
    return r;
  }
}

/**
 * Runs callback(transaction) and commits, running it again from the start
 * on a conflict, at most times more times; resolves with what callback
 * returned. It rejects with rollback's reason when callback rolled back,
 * else with what callback threw (rolling back), else with the commit's
 * failure (a conflict once times is spent). CloudBase's semantics.
 */
export async function runTransaction<T>(
  start: () => Transaction,
  callback: (t: Transaction) => T | Promise<T>,
  times: number = 3,
): Promise<T> {
  let left = Number(times);
  for (;;) {
    const t = start();
    try {
      const result = await callback(t);
      if (t.aborted) throw t.abortReason;
      await t.commit();
      return result;
    } catch (e) {
      if (left > 0 && isConflict(e)) {
        left--;
        continue;
      }
      if (!t.aborted && !t.committed) {
        await t.rollback().catch(() => undefined);
        throw e;
      }
      throw t.aborted ? t.abortReason : e;
    }
  }
}

function isConflict(e: unknown): boolean {
  return e !== null && typeof e === 'object' && (e as { code?: unknown }).code === CONFLICT;
}

/**
 * The builder's operations over a transaction. A transaction reads
 * documents by id (get() with or without field()); where().get(),
 * count() and aggregate() are refused, as are collections' creation. (A
 * class: its methods are shared, not made again for every transaction.)
 */
class TxnDbOps implements DbOps {
  readonly inTransaction = true;
  readonly env?: string;
  /** @internal */
  private readonly _tx: TxnOps;

  constructor(tx: TxnOps, env?: string) {
    this._tx = tx;
    this.env = env;
  }

  // doc(id).field(…).get() arrives as a query of {_id} with a projection.
  query(api: string, coll: string, body: QueryBody): Promise<{ data: DocumentData[] }> {
    const id = body.filter && Object.keys(body.filter).length === 1 ? body.filter._id : undefined;
    if (typeof id !== 'string' || body.limit !== 1 || body.sort || body.skip) return refuse(api);
    return this._tx
      .run(api, { op: 'getDoc', coll, id, projection: body.projection })
      .then((r: { data: DocumentData | null }) => ({ data: r.data ? [r.data] : [] }));
  }
  count(api: string): Promise<{ total: number }> {
    return refuse(api);
  }
  aggregate(api: string): Promise<{ data: DocumentData[] }> {
    return refuse(api);
  }
  insert(api: string, coll: string, body: { data: unknown }) {
    return this._tx.run(api, { op: 'insert', coll, ...body });
  }
  update(api: string, coll: string, body: UpdateBody) {
    return this._tx.run(api, { op: 'update', coll, ...body });
  }
  remove(api: string, coll: string, body: RemoveBody) {
    return this._tx.run(api, { op: 'remove', coll, ...body });
  }
  getDoc(api: string, coll: string, id: string) {
    return this._tx.run(api, { op: 'getDoc', coll, id });
  }
  setDoc(api: string, coll: string, id: string, body: { data: unknown }) {
    return this._tx.run(api, { op: 'setDoc', coll, id, ...body });
  }
  updateDoc(api: string, coll: string, id: string, body: { update: Obj }) {
    return this._tx.run(api, { op: 'updateDoc', coll, id, ...body });
  }
  removeDoc(api: string, coll: string, id: string) {
    return this._tx.run(api, { op: 'removeDoc', coll, id });
  }
  createCollection(api: string): Promise<{ name: string }> {
    return refuse(api);
  }
  transaction(): TxnOps {
    throw new Error('a transaction cannot start another one');
  }
}

function refuse(api: string): Promise<never> {
  return Promise.reject(invalid(api, 'not in a transaction: read documents by id in it (doc(id).get()), and query outside it'));
}

/**
 * A client's transaction over the HTTP API, holding nothing in the
 * server: it keeps the operations that succeeded, each with the rev of its
 * answer (and an insert with the _id the server gave it), and sends them
 * before every new one, without committing, then all of them to commit.
 * Operations run one at a time, in the order they were called.
 */
export function httpTxn(client: Client): TxnOps {
  const done: Obj[] = [];
  let ended = '';
  let queue: Promise<unknown> = Promise.resolve();
  const send = (api: string, body: Obj) => client.request<{ results: Obj[] }>(api, 'POST', '/v1/db/transaction', body);
  const serially = <T>(f: () => Promise<T>): Promise<T> => {
    const p = queue.then(f, f);
    queue = p.catch(() => undefined);
    return p;
  };
  const open = (api: string) => {
    if (ended) throw invalid(api, `the transaction was ${ended}: start another one`);
  };
  return {
    run: (api, op) =>
      serially(async () => {
        open(api);
        const r = await send(api, { commit: false, ops: [...done, op] });
        const { rev, ...answer } = r.results[r.results.length - 1] as Obj & { rev: string };
        done.push(pinIDs({ ...op, rev }, answer));
        return answer;
      }),
    commit: (api) =>
      serially(async () => {
        open(api);
        ended = 'committed';
        if (done.length > 0) await send(api, { ops: done });
        return {};
      }),
    rollback: (api) =>
      serially(async () => {
        open(api);
        ended = 'rolled back';
        done.length = 0;
        return {};
      }),
  };
}

// pinIDs gives an insert's documents the _ids the server generated, so
// that sent again it inserts the same documents (and answers the same).
function pinIDs(op: Obj, answer: Obj): Obj {
  if (op.op !== 'insert') return op;
  if (Array.isArray(op.data) && Array.isArray(answer._ids)) {
    const ids = answer._ids as string[];
    return { ...op, data: (op.data as Obj[]).map((d, i) => ({ ...d, _id: ids[i] })) };
  }
  if (typeof answer._id === 'string') return { ...op, data: { ...(op.data as Obj), _id: answer._id } };
  return op;
}
