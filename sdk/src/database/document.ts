/**
 * DocumentReference (spec §1.2): one document by _id, over minibase's
 * `/v1/db/{coll}/docs/{id}` (GET get, PUT set, DELETE remove) and
 * `POST /v1/db/{coll}/update` with `{filter: {_id}}` for update: the
 * mini-program request APIs have no PATCH.
 */
import { promiseOrCallback, type CallbackOptions } from '../core/callback';
import { CloudError, ErrCode, cloudError } from '../core/errors';
import { decode } from './decode';
import { encodeProjection, encodeUpdate, encodeValue, hasUpdateCommand, isPlain, type Obj } from './encode';
import { checkData, collPath, encodeFor, invalid, type Target } from './request';
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
      const client = this._t.client;
      let doc: DocumentData | undefined;
      try {
        if (this._projection) {
          const body = { filter: { _id: id }, projection: this._projection, limit: 1 };
          doc = (await client.request<{ data: DocumentData[] }>(api, 'POST', collPath(this._t) + '/query', body)).data[0];
        } else {
          doc = (await client.request<{ data: DocumentData }>(api, 'GET', this._path())).data;
        }
      } catch (e) {
        if (!(e instanceof CloudError) || e.code !== NOT_EXIST) throw e;
      }
      if (!doc) throw cloudError(api, ErrCode.UNKNOWN, `document with _id ${id} does not exist`, NOT_EXIST);
      return { data: decode(doc), errMsg: 'document.get:ok' };
    });
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
      this._id(api);
      const data = checkData(api, options && options.data, 'set');
      if (hasUpdateCommand(data)) {
        throw cloudError(api, ErrCode.DATABASE_REQUEST_FAILED, 'update operator complicit', 'DATABASE_REQUEST_FAILED');
      }
      const body = { data: encodeFor(api, () => encodeValue(data)) };
      const r = await this._t.client.request<SetResult>(api, 'PUT', this._path(), body);
      return { _id: r._id, stats: { updated: r.stats.updated, created: r.stats.created }, errMsg: 'document.set:ok' };
    });
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
      // POST …/update rather than PATCH …/docs/{id}: wx.request and my.request have no PATCH.
      const body = { filter: { _id: id }, update: encodeFor(api, () => encodeUpdate(data)), multi: false };
      const r = await this._t.client.request<{ stats: { updated: number } }>(api, 'POST', collPath(this._t) + '/update', body);
      return { stats: { updated: r.stats.updated }, errMsg: 'document.update:ok' };
    });
  }

  /** Removes the document: `{stats: {removed: 0|1}, errMsg: 'document.remove:ok'}`. */
  remove(options: WithCallback<object, RemoveResult>): void;
  remove(options?: NoCallback<object>): Promise<RemoveResult>;
  remove(options?: CallbackOptions<RemoveResult>): Promise<RemoveResult> | void {
    return promiseOrCallback(options, async () => {
      const api = 'document.remove';
      this._id(api);
      const r = await this._t.client.request<{ stats: { removed: number } }>(api, 'DELETE', this._path());
      return { stats: { removed: r.stats.removed }, errMsg: 'document.remove:ok' };
    });
  }

  // The id as the server knows it (a string); an empty id fails as in the original SDK.
  private _id(api: string): string {
    const id = String(this.id);
    if (!id) throw invalid(api, 'docId不能为空');
    return id;
  }

  private _path(): string {
    return collPath(this._t) + '/docs/' + encodeURIComponent(String(this.id));
  }
}
