import type { WatchOptions, Watcher } from '../realtime/watch';
import type { DataOptions, GetOneResult, NoCallback, RemoveResult, SetResult, UpdateResult, WithCallback } from './types';
/** One document of a collection. */
export declare class DocumentReference {
    /** The document's _id, as given to doc(). */
    readonly id: string | number;
    /** Which fields get() returns, as Query.field. */
    field(projection: Record<string, unknown>): DocumentReference;
    /**
     * The document: `{data, errMsg: 'document.get:ok'}`. A missing document
     * fails with errCode -1 and errMsg
     * `document.get:fail document with _id <id> does not exist`.
     */
    get(options: WithCallback<object, GetOneResult>): void;
    get(options?: NoCallback<object>): Promise<GetOneResult>;
    /**
     * Replaces the document with data, or creates it:
     * `{_id, stats: {updated, created}, errMsg: 'document.set:ok'}`. data may
     * not hold `_id` or update commands (set replaces; use update to modify).
     */
    set(options: WithCallback<DataOptions, SetResult>): void;
    set(options: NoCallback<DataOptions>): Promise<SetResult>;
    /**
     * Updates the document with data (nested objects merge by dot path;
     * update commands apply): `{stats: {updated: 0|1}, errMsg}`; updated is 0
     * when the document does not exist.
     */
    update(options: WithCallback<DataOptions, UpdateResult>): void;
    update(options: NoCallback<DataOptions>): Promise<UpdateResult>;
    /** Removes the document: `{stats: {removed: 0|1}, errMsg: 'document.remove:ok'}`. */
    remove(options: WithCallback<object, RemoveResult>): void;
    remove(options?: NoCallback<object>): Promise<RemoveResult>;
    /**
     * Watches this document, as where({_id}).watch() does: a first snapshot
     * of type 'init' (the document, or none), then one per change of it.
     */
    watch(options: WatchOptions): Watcher;
    private _id;
}
