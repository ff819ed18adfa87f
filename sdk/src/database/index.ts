/**
 * The database module: `cloud.database()` of wx.cloud (dialect A, spec
 * §1–§2) over minibase's HTTP API, aggregation included, and `watch()` over
 * its WebSocket (realtime/).
 * Transactions: startTransaction() and runTransaction() (transaction.ts).
 */
import type { Client } from '../core/client';
import { command, type Command } from './command';
import { Geo, callable } from './geo';
import { httpOps, type DbOps } from './ops';
import { CollectionReference } from './query';
import { CLIENT, type Flavor } from './request';
import { Transaction, runTransaction } from './transaction';
import { DbRegExp, ServerDate } from './values';

/** `cloud.database(options)`: the entry point of the database API. */
export class Database {
  /** The options the database was made with (wx.cloud's `config`). */
  readonly config: { env?: string };
  /** db.command, conventionally `const _ = db.command`. */
  readonly command: Command = command;
  /** db.Geo: Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon. */
  readonly Geo = Geo;
  /** db.RegExp({regexp, options}), with or without `new`. */
  readonly RegExp = callable(DbRegExp);
  /** @internal */
  private readonly _ops: DbOps;
  /** @internal */
  private readonly _flavor: Flavor;

  /**
   * Made by cloud.database(), over the client's HTTP API; inside cloud
   * functions, wx-server-sdk makes it over its own operations (DbOps).
   * opts.env names the environment (wx.cloud's option). flavor is the
   * dialect: wx.cloud's (the default) or, inside cloud functions,
   * wx-server-sdk's.
   */
  constructor(via: Client | DbOps, opts?: { env?: string }, flavor: Flavor = CLIENT) {
    this._ops = 'query' in via ? via : httpOps(via);
    this._flavor = flavor;
    this.config = { env: (opts && opts.env) || this._ops.env };
  }

  /** db.serverDate({offset}): the server's time when the write happens, plus offset ms. */
  serverDate(opts?: { offset?: number }): ServerDate {
    return new ServerDate(opts);
  }

  /** The collection called name; throws 'Collection name is required' when name is empty. */
  collection(name: string): CollectionReference {
    if (!name) throw new Error('Collection name is required');
    return new CollectionReference(this._ops, String(name), this._flavor);
  }

  /**
   * db.startTransaction(): a transaction, whose collection(name) reads and
   * writes inside it until commit() or rollback() (transaction.ts).
   */
  async startTransaction(): Promise<Transaction> {
    return this._transaction();
  }

  /**
   * db.runTransaction(callback, times = 3): runs callback(transaction) and
   * commits, running it again on a conflict at most times more times;
   * resolves with callback's result, rejects with rollback(reason)'s reason
   * or with the failure (transaction.ts).
   */
  runTransaction<T>(callback: (transaction: Transaction) => T | Promise<T>, times?: number): Promise<T> {
    return runTransaction(() => this._transaction(), callback, times);
  }

  /** @internal */
  private _transaction(): Transaction {
    return new Transaction(this._ops.transaction(), this._flavor, this.config.env);
  }
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
