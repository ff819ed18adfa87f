/**
 * DocumentReference (spec §1.2): one document by _id, through the
 * operations getDoc, setDoc, updateDoc and removeDoc (ops.ts), and query
 * for a get() with field().
 */
import { promiseOrCallback, type CallbackOptions } from '../core/callback';
import { CloudError, ErrCode, cloudError } from '../core/errors';
import { decode } from './decode';
import { encodeProjection, encodeUpdate, encodeValue, hasUpdateCommand, isPlain, type Obj } from './encode';
import { startWatch } from './query';
import { checkData, encodeFor, invalid, type Target } from './request';
import type { WatchOptions, Watcher } from '../realtime/watch';
import type { DataOptions, DocumentData, GetOneResult, NoCallback, RemoveResult, SetResult, UpdateResult, WithCallback } from './types';

const NOT_EXIST = 'DATABASE_DOCUMENT_NOT_EXIST';

/** One document of a collection. */
export class DocumentReference {
  /** The document's _id, as given to doc(). */
  readonly id: string | number;
  /** @internal */
  private readonly _t: Target;
  /** @internal */
  private readonly _projection?: Obj;

  /** @internal */
  constructor(t: Target, id: string | number, projection?: Obj) {
    this._t = t;
    this.id = id;
    this._projection = projection;
  }

  /** Which fields get() returns, as Query.field. */
  field(projection: Record<string, unknown>): DocumentReference {
    if (!isPlain(projection)) throw new TypeError('field() takes an object such as { name: true }');
    return new DocumentReference(this._t, this.id, encodeProjection(projection));
  }

  /**
   * The document: `{data, errMsg: 'document.get:ok'}`. A missing document
   * fails with errCode -1 and errMsg
   * `document.get:fail document with _id <id> does not exist`.
   */
  get(options: WithCallback<object, GetOneResult>): void;
  get(options?: NoCallback<object>): Promise<GetOneResult>;
  get(options?: CallbackOptions<GetOneResult>): Promise<GetOneResult> | void {
    return promiseOrCallback(options, async () => {
      const api = 'document.get';
      const id = this._id(api);
      const { ops, coll } = this._t;
      let doc: DocumentData | undefined;
      try {
        if (this._projection) {
          doc = (await ops.query(api, coll, { filter: { _id: id }, projection: this._projection, limit: 1 })).data[0];
        } else {
          doc = (await ops.getDoc(api, coll, id)).data;
        }
      } catch (e) {
        if (!(e instanceof CloudError) || e.code !== NOT_EXIST) throw e;
      }
      if (!doc) {
        // In a transaction, no document is data null (wx-server-sdk: "in transaction, it is object instead").
        if (this._t.ops.inTransaction) return { data: null as unknown as DocumentData, errMsg: 'document.get:ok' };
        throw cloudError(api, ErrCode.UNKNOWN, `document with _id ${id} does not exist`, NOT_EXIST);
      }
      return { data: this._t.flavor.decode ? decode(doc) : doc, errMsg: 'document.get:ok' };
    }, this._t.flavor.alwaysPromise);
  }

  /**
   * Replaces the document with data, or creates it:
   * `{_id, stats: {updated, created}, errMsg: 'document.set:ok'}`. data may
   * not hold `_id` or update commands (set replaces; use update to modify).
   */
  set(options: WithCallback<DataOptions, SetResult>): void;
  set(options: NoCallback<DataOptions>): Promise<SetResult>;
  set(options: DataOptions & CallbackOptions<SetResult>): Promise<SetResult> | void {
    return promiseOrCallback(options, async () => {
      const api = 'document.set';
      const id = this._id(api);
      const data = checkData(api, options && options.data, 'set');
      if (hasUpdateCommand(data)) {
        throw cloudError(api, ErrCode.DATABASE_REQUEST_FAILED, 'update operator complicit', 'DATABASE_REQUEST_FAILED');
      }
      const body = { data: encodeFor(api, () => encodeValue(data)) };
      const r = await this._t.ops.setDoc(api, this._t.coll, id, body);
      return { _id: r._id, stats: { updated: r.stats.updated, created: r.stats.created }, errMsg: 'document.set:ok' };
    }, this._t.flavor.alwaysPromise);
  }

  /**
   * Updates the document with data (nested objects merge by dot path;
   * update commands apply): `{stats: {updated: 0|1}, errMsg}`; updated is 0
   * when the document does not exist.
   */
  update(options: WithCallback<DataOptions, UpdateResult>): void;
  update(options: NoCallback<DataOptions>): Promise<UpdateResult>;
  update(options: DataOptions & CallbackOptions<UpdateResult>): Promise<UpdateResult> | void {
    return promiseOrCallback(options, async () => {
      const api = 'document.update';
      const id = this._id(api);
      const data = checkData(api, options && options.data, 'update');
      const r = await this._t.ops.updateDoc(api, this._t.coll, id, { update: encodeFor(api, () => encodeUpdate(data)) });
      return { stats: { updated: r.stats.updated }, errMsg: 'document.update:ok' };
    }, this._t.flavor.alwaysPromise);
  }

  /** Removes the document: `{stats: {removed: 0|1}, errMsg: 'document.remove:ok'}`. */
  remove(options: WithCallback<object, RemoveResult>): void;
  remove(options?: NoCallback<object>): Promise<RemoveResult>;
  remove(options?: CallbackOptions<RemoveResult>): Promise<RemoveResult> | void {
    return promiseOrCallback(options, async () => {
      const api = 'document.remove';
      const r = await this._t.ops.removeDoc(api, this._t.coll, this._id(api));
      return { stats: { removed: r.stats.removed }, errMsg: 'document.remove:ok' };
    }, this._t.flavor.alwaysPromise);
  }

  // The id as the server knows it (a string); an empty id fails as in the original SDK.
  /**
   * Watches this document, as where({_id}).watch() does: a first snapshot
   * of type 'init' (the document, or none), then one per change of it.
   */
  watch(options: WatchOptions): Watcher {
    return startWatch(this._t, 'document.watch', options, { filter: { _id: this._id('document.watch') } });
  }

  private _id(api: string): string {
    const id = String(this.id);
    if (!id) throw invalid(api, 'docId不能为空');
    return id;
  }
}
