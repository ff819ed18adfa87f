/**
 * Option and result types of the database API, in wx.cloud's shapes (spec
 * §2.1, the wx typings' IQueryResult, IAddResult, …).
 */
import type { CallbackOptions } from '../core/callback';
/** A document as stored: `_id` plus any fields. */
export interface DocumentData {
    _id?: string | number;
    [field: string]: any;
}
/** Callback-style options: at least one of success, fail, complete; the call then returns nothing. */
export type WithCallback<P, T> = P & CallbackOptions<T> & ({
    success(r: T): void;
} | {
    fail(e: unknown): void;
} | {
    complete(r: unknown): void;
});
/** Promise-style options: no callbacks. */
export type NoCallback<P> = P & {
    success?: undefined;
    fail?: undefined;
    complete?: undefined;
};
/** `{data}` of add, set and update. */
export interface DataOptions {
    data: Record<string, any>;
}
/** collection.get / query.get. */
export interface GetResult {
    data: DocumentData[];
    errMsg: string;
}
/**
 * doc.get. Inside a transaction, data is null when there is no such
 * document (outside one, get() fails instead); typed as a document so that
 * code outside transactions need not check.
 */
export interface GetOneResult {
    data: DocumentData;
    errMsg: string;
}
/** count. */
export interface CountResult {
    total: number;
    errMsg: string;
}
/** collection.add. */
export interface AddResult {
    _id: string;
    errMsg: string;
}
/** collection.add with an array (wx-server-sdk only). */
export interface AddManyResult {
    _ids: string[];
    errMsg: string;
}
/** where().update and doc.update. */
export interface UpdateResult {
    stats: {
        updated: number;
    };
    errMsg: string;
}
/** doc.set: created is 1 when the document did not exist. */
export interface SetResult {
    _id: string;
    stats: {
        updated: number;
        created: number;
    };
    errMsg: string;
}
/** where().remove and doc.remove. */
export interface RemoveResult {
    stats: {
        removed: number;
    };
    errMsg: string;
}
