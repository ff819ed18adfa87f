/**
 * What the query and document references share: the operations they send
 * (ops.ts), the collection they talk to and the CloudErrors of bad input.
 */
import { CloudError } from '../core/errors';
import { type Obj } from './encode';
import type { DbOps } from './ops';
/**
 * What differs between the builder's two dialects (spec §0, §1.4): wx.cloud
 * in mini-programs (A) and wx-server-sdk inside cloud functions (B).
 */
export interface Flavor {
    /** Documents get() asks for when limit() was not called. */
    readonly defaultLimit: number;
    /** Whether add({data: [...]}) inserts many documents (→ `_ids`). */
    readonly batchAdd: boolean;
    /**
     * Whether documents read need decode() (extended-JSON dates to Date,
     * GeoJSON to db.Geo): false when the request layer already did it, as
     * the functions runtime does in Go.
     */
    readonly decode: boolean;
    /**
     * Whether a call given success, fail or complete still returns its
     * Promise (wx-server-sdk) or returns nothing (wx.cloud).
     */
    readonly alwaysPromise: boolean;
}
/** Dialect A: wx.cloud in the client (get() defaults to 20, add takes one document, callbacks or a Promise). */
export declare const CLIENT: Flavor;
/**
 * Dialect B: wx-server-sdk in cloud functions (get() defaults to 100, add
 * takes an array too, a Promise even when callbacks are given).
 */
export declare const SERVER: Flavor;
/** The operations and collection a reference works on, in a dialect. */
export interface Target {
    readonly ops: DbOps;
    readonly coll: string;
    readonly flavor: Flavor;
}
/** An INVALID_PARAM failure of api (errCode -501007). */
export declare function invalid(api: string, detail: string): CloudError;
/** Runs an encoder, turning what it throws into an INVALID_PARAM failure of api. */
export declare function encodeFor<T>(api: string, f: () => T): T;
/**
 * checkData validates the `data` of add, set and update as the original SDK
 * does: an object (and for update a non-empty one), with no `_id` to change
 * (except for add, which may choose its id).
 */
export declare function checkData(api: string, data: unknown, kind: 'add' | 'set' | 'update'): Obj;
