/**
 * The database module: `cloud.database()` of wx.cloud (dialect A, spec
 * §1–§2) over minibase's HTTP API, aggregation included, and `watch()` over
 * its WebSocket (realtime/).
 * Transactions: startTransaction() and runTransaction() (transaction.ts).
 */
import type { Client } from '../core/client';
import { type Command } from './command';
import { type DbOps } from './ops';
import { CollectionReference } from './query';
import { type Flavor } from './request';
import { Transaction } from './transaction';
import { DbRegExp, ServerDate } from './values';
/** `cloud.database(options)`: the entry point of the database API. */
export declare class Database {
    /** The options the database was made with (wx.cloud's `config`). */
    readonly config: {
        env?: string;
    };
    /** db.command, conventionally `const _ = db.command`. */
    readonly command: Command;
    /** db.Geo: Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon. */
    readonly Geo: {
        Point: import("./geo").Callable<[longitude: number | {
            type: "Point";
            coordinates: [number, number];
        }, latitude?: number | undefined], import("./geo").GeoPoint>;
        LineString: import("./geo").Callable<[pts: import("./geo").GeoPoint[] | {
            type: "LineString";
            coordinates: [number, number][];
        }], import("./geo").GeoLineString>;
        Polygon: import("./geo").Callable<[ls: import("./geo").GeoLineString[] | {
            type: "Polygon";
            coordinates: [number, number][][];
        }], import("./geo").GeoPolygon>;
        MultiPoint: import("./geo").Callable<[pts: import("./geo").GeoPoint[] | {
            type: "MultiPoint";
            coordinates: [number, number][];
        }], import("./geo").GeoMultiPoint>;
        MultiLineString: import("./geo").Callable<[ls: import("./geo").GeoLineString[] | {
            type: "MultiLineString";
            coordinates: [number, number][][];
        }], import("./geo").GeoMultiLineString>;
        MultiPolygon: import("./geo").Callable<[ps: import("./geo").GeoPolygon[] | {
            type: "MultiPolygon";
            coordinates: [number, number][][][];
        }], import("./geo").GeoMultiPolygon>;
    };
    /** db.RegExp({regexp, options}), with or without `new`. */
    readonly RegExp: import("./geo").Callable<[opts: {
        regexp: string;
        options?: string;
    }], DbRegExp>;
    /**
     * Made by cloud.database(), over the client's HTTP API; inside cloud
     * functions, wx-server-sdk makes it over its own operations (DbOps).
     * opts.env names the environment (wx.cloud's option). flavor is the
     * dialect: wx.cloud's (the default) or, inside cloud functions,
     * wx-server-sdk's.
     */
    constructor(via: Client | DbOps, opts?: {
        env?: string;
    }, flavor?: Flavor);
    /** db.serverDate({offset}): the server's time when the write happens, plus offset ms. */
    serverDate(opts?: {
        offset?: number;
    }): ServerDate;
    /** The collection called name; throws 'Collection name is required' when name is empty. */
    collection(name: string): CollectionReference;
    /**
     * db.startTransaction(): a transaction, whose collection(name) reads and
     * writes inside it until commit() or rollback() (transaction.ts).
     */
    startTransaction(): Promise<Transaction>;
    /**
     * db.runTransaction(callback, times = 3): runs callback(transaction) and
     * commits, running it again on a conflict at most times more times;
     * resolves with callback's result, rejects with rollback(reason)'s reason
     * or with the failure (transaction.ts).
     */
    runTransaction<T>(callback: (transaction: Transaction) => T | Promise<T>, times?: number): Promise<T>;
}
export { CollectionReference, Query } from './query';
export { Aggregate, AGGREGATE_DEFAULT_LIMIT } from './aggregate';
export type { AggregateResult } from './aggregate';
export { DocumentReference } from './document';
export { Transaction } from './transaction';
export type { TxnOp, TxnOps } from './transaction';
export { fromGeoJSON } from './geo';
export { CLIENT, SERVER } from './request';
export type { DbOps, AggregateBody } from './ops';
export type { Flavor } from './request';
export { LogicCommand, QueryCommand, UpdateCommand } from './command';
export type { Command, AggregateCommand, QueryCondition } from './command';
export { GeoPoint, GeoLineString, GeoPolygon, GeoMultiPoint, GeoMultiLineString, GeoMultiPolygon } from './geo';
export { ServerDate, DbRegExp } from './values';
export type * from './types';
