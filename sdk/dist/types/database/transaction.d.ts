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
import { CollectionReference } from './query';
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
    commit(api: string): Promise<{
        requestId?: string;
    }>;
    /** Drops them. */
    rollback(api: string): Promise<{
        requestId?: string;
    }>;
}
/** A transaction: the builder over it, commit and rollback. */
export declare class Transaction {
    /** Set once rollback() was called. */
    aborted: boolean;
    /** The reason given to rollback(), which runTransaction rejects with. */
    abortReason: unknown;
    /** Set once commit() succeeded. */
    committed: boolean;
    /** The collection called name, inside the transaction; throws 'Collection name is required' when name is empty. */
    collection(name: string): CollectionReference;
    /** Applies the transaction's writes, all or nothing. */
    commit(): Promise<{
        requestId?: string;
    }>;
    /** Drops the transaction's writes; runTransaction then rejects with reason. */
    rollback(reason?: unknown): Promise<{
        requestId?: string;
    }>;
}
/**
 * Runs callback(transaction) and commits, running it again from the start
 * on a conflict, at most times more times; resolves with what callback
 * returned. It rejects with rollback's reason when callback rolled back,
 * else with what callback threw (rolling back), else with the commit's
 * failure (a conflict once times is spent). CloudBase's semantics.
 */
export declare function runTransaction<T>(start: () => Transaction, callback: (t: Transaction) => T | Promise<T>, times?: number): Promise<T>;
/**
 * A client's transaction over the HTTP API, holding nothing in the
 * server: it keeps the operations that succeeded, each with the rev of its
 * answer (and an insert with the _id the server gave it), and sends them
 * before every new one, without committing, then all of them to commit.
 * Operations run one at a time, in the order they were called.
 */
export declare function httpTxn(client: Client): TxnOps;
