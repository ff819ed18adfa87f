/**
 * Query and CollectionReference (spec §1.2): an immutable builder; every
 * call returns a new Query, so a query can be kept and reused.
 *
 * Defaults follow the dialect (request.ts Flavor): get() asks for 20
 * documents in wx.cloud, 100 in wx-server-sdk, unless limit() says otherwise
 * (the server caps at 1000); where().update() and where().remove() act on
 * every matching document (multi: true).
 */
import { promiseOrCallback, type CallbackOptions } from '../core/callback';
import { ErrCode, cloudError } from '../core/errors';
import { Aggregate } from './aggregate';
import type { LogicCommand, QueryCondition } from './command';
import { decode } from './decode';
import { DocumentReference } from './document';
import { encodeProjection, encodeUpdate, encodeValue, encodeWhere, isPlain, type Obj } from './encode';
import type { DbOps, QueryBody } from './ops';
import type { WatchBody, WatchOptions, Watcher } from '../realtime/watch';
import { CLIENT, checkData, encodeFor, invalid, type Flavor, type Target } from './request';
import type {
  AddManyResult,
  AddResult,
  CountResult,
  DataOptions,
  GetResult,
  NoCallback,
  RemoveResult,
  UpdateResult,
  WithCallback,
} from './types';

interface State {
  readonly filter?: Obj;
  readonly sort?: ReadonlyArray<[string, 1 | -1]>;
  readonly skip?: number;
  readonly limit?: number;
  readonly projection?: Obj;
}

/** A query on one collection: conditions, order, page and fields. */
export class Query {
  /** @internal */
  protected readonly _t: Target;
  /** @internal */
  protected readonly _s: State;

  /** @internal */
  constructor(t: Target, s: State) {
    this._t = t;
    this._s = s;
  }

  /**
   * Replaces the query's conditions. condition is a plain object (nested
   * objects match by dot path; undefined values are ignored) or a logic
   * command such as `_.or([…])`. Throws '查询参数必须为对象' when it is not an
   * object and '查询参数对象值不能均为undefined' when all its values are
   * undefined.
   */
  where(condition: QueryCondition): Query {
    if (Object.prototype.toString.call(condition) !== '[object Object]') throw new Error('查询参数必须为对象');
    const c = condition as Obj;
    const keys = Object.keys(c);
    if (keys.length && !keys.some((k) => c[k] !== undefined)) throw new Error('查询参数对象值不能均为undefined');
    return this._with({ filter: encodeWhere(condition as Obj | LogicCommand) });
  }

  /**
   * Adds a sort key (calls accumulate: the first is the primary key).
   * direction is 'asc' or 'desc'; anything else throws '排序字符不合法'.
   */
  orderBy(fieldPath: string, direction: 'asc' | 'desc'): Query {
    if (typeof fieldPath !== 'string' || !/^[a-zA-Z0-9-_.]/.test(fieldPath)) throw new Error('非法排序路径');
    if (direction !== 'asc' && direction !== 'desc') throw new Error('排序字符不合法');
    const sort = (this._s.sort || []).concat([[fieldPath, direction === 'desc' ? -1 : 1]]);
    return this._with({ sort });
  }

  /** At most max documents; throws 'limit must be integer' for a non-integer. */
  limit(max: number): Query {
    if (!Number.isInteger(max)) throw new Error('limit must be integer');
    return this._with({ limit: max });
  }

  /** Skips offset documents; throws 'offset must be integer' for a non-integer. */
  skip(offset: number): Query {
    if (!Number.isInteger(offset)) throw new Error('offset must be integer');
    return this._with({ skip: offset });
  }

  /**
   * Which fields to return: `{name: true}` keeps, `{name: false}` drops,
   * `{tags: _.project.slice(2)}` slices an array.
   */
  field(projection: Record<string, unknown>): Query {
    if (!isPlain(projection)) throw new TypeError('field() takes an object such as { name: true }');
    return this._with({ projection: encodeProjection(projection) });
  }

  /** Fetches the matching documents: `{data, errMsg: 'collection.get:ok'}`. */
  get(options: WithCallback<object, GetResult>): void;
  get(options?: NoCallback<object>): Promise<GetResult>;
  get(options?: CallbackOptions<GetResult>): Promise<GetResult> | void {
    return promiseOrCallback(options, async () => {
      const s = this._s;
      const body: QueryBody = { limit: s.limit || this._t.flavor.defaultLimit };
      if (s.filter) body.filter = s.filter;
      if (s.sort) body.sort = s.sort;
      if (s.skip) body.skip = s.skip;
      if (s.projection) body.projection = s.projection;
      const r = await this._t.ops.query('collection.get', this._t.coll, body);
      return { data: this._t.flavor.decode ? decode(r.data) : r.data, errMsg: 'collection.get:ok' };
    }, this._t.flavor.alwaysPromise);
  }

  /** Counts the matching documents: `{total, errMsg: 'collection.count:ok'}`. */
  count(options: WithCallback<object, CountResult>): void;
  count(options?: NoCallback<object>): Promise<CountResult>;
  count(options?: CallbackOptions<CountResult>): Promise<CountResult> | void {
    return promiseOrCallback(options, async () => {
      const body = this._s.filter ? { filter: this._s.filter } : {};
      const r = await this._t.ops.count('collection.count', this._t.coll, body);
      return { total: r.total, errMsg: 'collection.count:ok' };
    }, this._t.flavor.alwaysPromise);
  }

  /**
   * Updates every matching document with data (nested objects merge by dot
   * path; update commands apply): `{stats: {updated}, errMsg}`.
   */
  update(options: WithCallback<DataOptions, UpdateResult>): void;
  update(options: NoCallback<DataOptions>): Promise<UpdateResult>;
  update(options: DataOptions & CallbackOptions<UpdateResult>): Promise<UpdateResult> | void {
    return promiseOrCallback(options, async () => {
      const api = 'collection.update';
      const data = checkData(api, options && options.data, 'update');
      const body = { filter: this._s.filter || {}, update: encodeFor(api, () => encodeUpdate(data)), multi: true };
      const r = await this._t.ops.update(api, this._t.coll, body);
      return { stats: { updated: r.stats.updated }, errMsg: 'collection.update:ok' };
    }, this._t.flavor.alwaysPromise);
  }

  /**
   * Removes every matching document: `{stats: {removed}, errMsg}`. skip,
   * limit, orderBy and field do not apply to a remove (a warning says so).
   */
  remove(options: WithCallback<object, RemoveResult>): void;
  remove(options?: NoCallback<object>): Promise<RemoveResult>;
  remove(options?: CallbackOptions<RemoveResult>): Promise<RemoveResult> | void {
    return promiseOrCallback(options, async () => {
      const s = this._s;
      if (s.skip !== undefined || s.limit !== undefined || s.projection || s.sort) {
        console.warn('`offset`, `limit`, `projection`, `orderBy` are not supported in remove() operation');
      }
      const body = { filter: s.filter || {}, multi: true };
      const r = await this._t.ops.remove('collection.remove', this._t.coll, body);
      return { stats: { removed: r.stats.removed }, errMsg: 'collection.remove:ok' };
    }, this._t.flavor.alwaysPromise);
  }

  /**
   * Watches the query (spec §2.5): onChange receives a first snapshot of
   * type 'init' (every matching document: where() and orderBy() apply, and
   * limit() when given; a watch may match at most 5000 documents by
   * default) and then one snapshot `{id, docChanges, docs}` per change of
   * that list. Without orderBy() the list is in _id descending order.
   * field() and skip() do not apply to a watch. The connection is made
   * again by itself when it drops, and the watch resumes without losing or
   * repeating a change. onError receives what ends the watch (the rules
   * refuse it, the query matches too many documents). Throws when onChange
   * or onError is not a function.
   */
  watch(options: WatchOptions): Watcher {
    return startWatch(this._t, 'collection.watch', options, this._s);
  }

  /** @internal */
  protected _with(change: State): Query {
    return new Query(this._t, { ...this._s, ...change });
  }
}

/** A collection: a Query on all its documents, plus doc() and add(). */
export class CollectionReference extends Query {
  /** The collection's name. */
  readonly collectionName: string;

  /** @internal */
  constructor(ops: DbOps, name: string, flavor: Flavor = CLIENT) {
    super({ ops, coll: name, flavor }, {});
    this.collectionName = name;
  }

  /**
   * The document with this _id. Numeric ids are sent as strings: minibase's
   * ids are strings (an inserted numeric _id is stored as its decimal
   * string). Throws 'docId必须为字符串或数字' for any other type.
   */
  doc(id: string | number): DocumentReference {
    if (typeof id !== 'string' && typeof id !== 'number') throw new Error('docId必须为字符串或数字');
    return new DocumentReference(this._t, id);
  }

  /**
   * A pipeline over the collection's documents (spec §1.10): stage methods,
   * then end() → `{list, errMsg: 'collection.aggregate:ok'}`.
   */
  aggregate(): Aggregate {
    return new Aggregate(this._t);
  }

  /**
   * Inserts data as a new document (the server generates _id unless data
   * has one): `{_id, errMsg: 'collection.add:ok'}`. A collection that does
   * not exist is created (admin). In wx-server-sdk, data may also be an
   * array of documents: `{_ids, errMsg}`.
   */
  add(options: WithCallback<DataOptions, AddResult>): void;
  add(options: NoCallback<DataOptions>): Promise<AddResult>;
  add(options: NoCallback<{ data: Record<string, any>[] }>): Promise<AddManyResult>;
  add(options: (DataOptions | { data: Record<string, any>[] }) & CallbackOptions<any>): Promise<any> | void {
    return promiseOrCallback(options, async () => {
      const api = 'collection.add';
      const raw = options && options.data;
      if (Array.isArray(raw) && this._t.flavor.batchAdd) {
        if (raw.length === 0) throw invalid(api, '参数必需是非空对象');
        const docs = raw.map((d) => checkData(api, d, 'add'));
        const body = { data: encodeFor(api, () => docs.map((d) => encodeValue(d))) };
        const r = await this._t.ops.insert(api, this._t.coll, body);
        return { _ids: r._ids as string[], errMsg: 'collection.add:ok' };
      }
      const data = checkData(api, raw, 'add');
      const body = { data: encodeFor(api, () => encodeValue(data)) };
      const r = await this._t.ops.insert(api, this._t.coll, body);
      return { _id: r._id as string, errMsg: 'collection.add:ok' };
    }, this._t.flavor.alwaysPromise);
  }
}

/**
 * startWatch starts a watch of t's collection with state's filter, order
 * and limit (query.watch and doc.watch).
 * @internal
 */
export function startWatch(t: Target, api: string, options: WatchOptions, state: State): Watcher {
  if (!options || typeof options.onChange !== 'function' || typeof options.onError !== 'function') {
    throw new Error('watch() needs options with the functions onChange and onError');
  }
  if (!t.ops.watch) throw cloudError(api, ErrCode.INVALID_PARAM, 'watch is not available here (wx-server-sdk has no watch: a function is short-lived)');
  if (state.projection || state.skip) console.warn('`field` and `skip` do not apply to watch()');
  const body: WatchBody = {};
  if (state.filter) body.filter = state.filter;
  if (state.sort) body.sort = state.sort;
  if (state.limit) body.limit = state.limit;
  return t.ops.watch(api, t.coll, body, options);
}
