// require('@cloudbase/node-sdk') (and its predecessor tcb-admin-node)
// inside minibase's cloud functions: dialect C of the API
// (reference/wxcloud-api.md §0, §2.2), as @cloudbase/node-sdk@3 and its
// database builder @cloudbase/database@1.4 give it. Payloads are bare
// objects (add(doc), update(doc), set(doc)); results are {data, requestId},
// {id, requestId}, {updated, requestId}, {deleted, requestId}; failures are
// Errors with a string code, message and requestId (TcbError), thrown or,
// after setThrowOnCode(false) and always in tcb-admin-node, resolved as
// {code, message, requestId}.
//
// It reuses the client SDK's database pieces (commands, value and query
// encoding: sdk/src/database) and the same natives as wx-server-sdk: the
// database, storage and callFunction run in-process, as an admin. Only the
// query classes are its own: their surface and shapes are node-sdk's, not
// wx.cloud's, and keeping them here keeps the client SDK's bundle free of
// them.
import { AGGREGATE_DEFAULT_LIMIT, Aggregate } from '../../../sdk/src/database/aggregate';
import { command } from '../../../sdk/src/database/command';
import { encodeProjection, encodeUpdate, encodeValue, encodeWhere, hasUpdateCommand } from '../../../sdk/src/database/encode';
import { Geo, callable, fromGeoJSON } from '../../../sdk/src/database/geo';
import { DbRegExp, ServerDate } from '../../../sdk/src/database/values';
import { isFileID } from './files';

/** tcb.SYMBOL_CURRENT_ENV: the environment the function runs in. */
const SYMBOL_CURRENT_ENV = Symbol.for('SYMBOL_CURRENT_ENV');
/** tcb.SYMBOL_DEFAULT_ENV: the account's default environment (minibase has one). */
const SYMBOL_DEFAULT_ENV = Symbol.for('SYMBOL_DEFAULT_ENV');

/** The most documents get() returns (node-sdk caps limit() at 1000; 100 without one). */
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

/** node-sdk's error: code (a string such as DATABASE_COLLECTION_NOT_EXIST), message, requestId. */
export class TcbError extends Error {
  constructor(code, message, requestId) {
    super(message);
    this.code = code;
    this.message = message;
    this.requestId = requestId || '';
  }
}

/**
 * createTcb returns the module for one function instance: @cloudbase/node-sdk's
 * ({init, SYMBOL_CURRENT_ENV, SYMBOL_DEFAULT_ENV, version, setThrowOnCode}),
 * or with legacy tcb-admin-node's (the module is itself an app, on which
 * init sets the environment; failures always resolve as {code, message}).
 * natives are wx-server-sdk's (see createCloud) plus userInfo() →
 * {openId, appId, uid, customUserId, isAnonymous} and clientIP().
 */
export function createTcb(natives, legacy) {
  let throwOnCode = !legacy;
  const requestId = () => natives.requestID();
  natives.toError = (api, e) => new TcbError(e.code || 'SYS_ERR', e.message || 'system error', requestId());
  natives.geo = fromGeoJSON;
  const ops = natives.db;

  const fail = (code, message) => new TcbError(code, message, requestId());
  const invalid = (message) => fail('INVALID_PARAM', message);

  // settle runs an API call: its coded failures reject (throwOnCode) or
  // resolve as {code, message, requestId}.
  const settle = (run) => {
    const p = Promise.resolve().then(run);
    if (throwOnCode) return p;
    return p.catch((e) => {
      if (e instanceof TcbError) return { code: e.code, message: e.message, requestId: e.requestId };
      throw e;
    });
  };
  // encoded runs an encoder, turning what it throws into INVALID_PARAM.
  const encoded = (f) => {
    try {
      return f();
    } catch (e) {
      throw invalid(e.message);
    }
  };
  const checkWrite = (data, what) => {
    if (!data || typeof data !== 'object') throw invalid('参数必需是非空对象');
    if (what !== 'add' && Object.prototype.hasOwnProperty.call(data, '_id')) throw invalid('不能更新_id的值');
  };

  // field()'s projection as node-sdk reads it: true or a positive number
  // keeps, false or another number drops, objects (_.project.slice) stay.
  const projectionOf = (p) => {
    const out = {};
    for (const k in p) {
      const v = p[k];
      if (typeof v === 'boolean') out[k] = v;
      else if (typeof v === 'number') out[k] = v > 0;
      else if (v !== null && typeof v === 'object') out[k] = v;
    }
    return encodeProjection(out);
  };

  /** A query on one collection (node-sdk's Query): immutable, each call returns a new one. */
  class Query {
    constructor(coll, s) {
      this._coll = coll;
      this._s = s;
    }

    _with(change) {
      return new Query(this._coll, Object.assign({}, this._s, change));
    }

    where(query) {
      if (Object.prototype.toString.call(query).slice(8, -1) !== 'Object') throw new Error('查询参数必须为对象');
      const keys = Object.keys(query);
      if (keys.length && !keys.some((k) => query[k] !== undefined)) throw new Error('查询参数对象值不能均为undefined');
      return this._with({ filter: encodeWhere(query) });
    }

    orderBy(fieldPath, direction) {
      if (typeof fieldPath !== 'string' || !/^[a-zA-Z0-9-_.]/.test(fieldPath)) throw new Error('非法排序路径');
      if (direction !== 'asc' && direction !== 'desc') throw new Error('排序字符不合法');
      const sort = (this._s.sort || []).filter(([f]) => f !== fieldPath).concat([[fieldPath, direction === 'desc' ? -1 : 1]]);
      return this._with({ sort });
    }

    limit(limit) {
      if (!Number.isInteger(limit)) throw new Error('limit must be integer');
      return this._with({ limit });
    }

    skip(offset) {
      if (!Number.isInteger(offset)) throw new Error('offset must be integer');
      return this._with({ offset });
    }

    field(projection) {
      if (projection === null || typeof projection !== 'object') throw invalid('projection must be an object');
      return this._with({ projection: projectionOf(projection) });
    }

    /** options({multiple, limit, offset, projection, timeout}): multiple: false makes update() and remove() act on one document. */
    options(apiOptions) {
      if (Object.prototype.toString.call(apiOptions).slice(8, -1) !== 'Object') throw invalid('options must be an object');
      const change = {};
      for (const key of Object.keys(apiOptions)) {
        const v = apiOptions[key];
        switch (key) {
          case 'multiple':
            if (typeof v !== 'boolean') throw new Error('multiple must be boolean');
            change.multiple = v;
            break;
          case 'limit':
          case 'offset':
          case 'timeout':
            if (!Number.isInteger(v)) throw new Error(key + ' must be integer');
            if (key !== 'timeout') change[key] = v;
            break;
          case 'projection':
            change.projection = projectionOf(v);
            break;
          default:
            throw invalid(`${key} is invalid options key`);
        }
      }
      return this._with(change);
    }

    /** The matching documents: {data, requestId}; 100 unless limit() says otherwise, at most 1000. */
    get() {
      return settle(async () => {
        const s = this._s;
        const body = { limit: s.limit ? Math.min(s.limit, MAX_LIMIT) : DEFAULT_LIMIT };
        if (s.filter) body.filter = s.filter;
        if (s.sort) body.sort = s.sort;
        if (s.offset) body.skip = s.offset;
        if (s.projection) body.projection = s.projection;
        const r = await ops.query('collection.get', this._coll, body);
        return { data: r.data, requestId: requestId() };
      });
    }

    /** {total, requestId}. */
    count() {
      return settle(async () => {
        const r = await ops.count('collection.count', this._coll, this._s.filter ? { filter: this._s.filter } : {});
        return { total: r.total, requestId: requestId() };
      });
    }

    /** Updates every matching document (one with options({multiple: false})) with data: {updated, requestId}. */
    update(data) {
      return settle(async () => {
        checkWrite(data, 'update');
        const multi = this._s.multiple === undefined ? true : this._s.multiple;
        const body = { filter: this._s.filter || {}, update: encoded(() => encodeUpdate(data)), multi };
        const r = await ops.update('collection.update', this._coll, body);
        return { updated: r.stats.updated, requestId: requestId() };
      });
    }

    /** Removes every matching document (one with options({multiple: false})): {deleted, requestId}. */
    remove() {
      return settle(async () => {
        const s = this._s;
        if (s.offset !== undefined || s.limit !== undefined || s.projection !== undefined || s.sort !== undefined) {
          console.warn('`offset`, `limit`, `projection`, `orderBy` are not supported in remove() operation');
        }
        const multi = s.multiple === undefined ? true : s.multiple;
        const r = await ops.remove('collection.remove', this._coll, { filter: s.filter || {}, multi });
        return { deleted: r.stats.removed, requestId: requestId() };
      });
    }
  }

  /** A collection: a Query on all its documents, plus doc() and add(). */
  class CollectionReference extends Query {
    constructor(coll) {
      super(coll, {});
    }

    /** The collection's name. */
    get name() {
      return this._coll;
    }

    doc(docID) {
      if (typeof docID !== 'string' && typeof docID !== 'number') throw new Error('docId必须为字符串或数字');
      return new DocumentReference(this._coll, docID);
    }

    /** Inserts a document → {id, requestId}, or an array of them → {ids, requestId}. */
    add(data) {
      return settle(async () => {
        const many = Array.isArray(data);
        const docs = many ? data : [data];
        if (docs.length === 0) throw invalid('参数必需是非空对象');
        docs.forEach((d) => checkWrite(d, 'add'));
        const body = { data: encoded(() => (many ? docs.map((d) => encodeValue(d)) : encodeValue(data))) };
        const r = await ops.insert('collection.add', this._coll, body);
        return many ? { ids: r._ids, requestId: requestId() } : { id: r._id, requestId: requestId() };
      });
    }

    /**
     * An aggregation pipeline (the client SDK's stages: match, group,
     * lookup, …); end() → {data, requestId}, at most 20 documents without a
     * limit stage. aggregate(stages) starts from an array of stage objects.
     */
    aggregate(rawPipeline) {
      const a = new NodeAggregate(this._coll);
      if (rawPipeline !== undefined) {
        if (!Array.isArray(rawPipeline)) throw invalid('aggregate() takes an array of stages');
        for (const stage of rawPipeline) a._push(encoded(() => encodeValue(stage)));
      }
      return a;
    }

    options(apiOptions) {
      const q = super.options(apiOptions);
      const c = new CollectionReference(this._coll);
      c._s = q._s;
      return c;
    }
  }

  /** node-sdk's Aggregation: the client SDK's builder, ended in dialect C. */
  class NodeAggregate extends Aggregate {
    constructor(coll) {
      super(undefined);
      this._coll = coll;
    }

    end() {
      return settle(async () => {
        const pipeline = this.done();
        if (!pipeline.some((s) => '$limit' in s)) pipeline.push({ $limit: AGGREGATE_DEFAULT_LIMIT });
        const r = await ops.aggregate('collection.aggregate', this._coll, { pipeline });
        return { data: r.data, requestId: requestId() };
      });
    }
  }

  /** One document by _id (node-sdk's DocumentReference). */
  class DocumentReference {
    constructor(coll, id, projection) {
      this._coll = coll;
      this.id = id;
      this._projection = projection;
    }

    field(projection) {
      if (projection === null || typeof projection !== 'object') throw invalid('projection must be an object');
      return new DocumentReference(this._coll, this.id, projectionOf(projection));
    }

    /** {data: [the document] (or [] when there is none), requestId}. */
    get() {
      return settle(async () => {
        const body = { filter: { _id: String(this.id) }, limit: 1 };
        if (this._projection) body.projection = this._projection;
        const r = await ops.query('document.get', this._coll, body);
        return { data: r.data, requestId: requestId() };
      });
    }

    /** Replaces the document with data, or creates it: {updated, upsertedId (when created), requestId}. */
    set(data) {
      return settle(async () => {
        const id = String(this.id);
        if (!id) throw invalid('docId不能为空');
        checkWrite(data, 'set');
        if (hasUpdateCommand(data)) throw fail('DATABASE_REQUEST_FAILED', 'update operator complicit');
        const r = await ops.setDoc('document.set', this._coll, id, { data: encoded(() => encodeValue(data)) });
        const out = { updated: r.stats.updated, requestId: requestId() };
        if (r.stats.created) out.upsertedId = r._id;
        return out;
      });
    }

    /** Creates the document with this _id and data: {id, requestId}. */
    create(data) {
      return settle(async () => {
        checkWrite(data, 'add');
        const doc = Object.assign({}, data, { _id: String(this.id) });
        const r = await ops.insert('document.create', this._coll, { data: encoded(() => encodeValue(doc)) });
        return { id: r._id, requestId: requestId() };
      });
    }

    /** Updates the document with data (nested objects merge; commands apply): {updated: 0|1, requestId}. */
    update(data) {
      return settle(async () => {
        checkWrite(data, 'update');
        const r = await ops.updateDoc('document.update', this._coll, String(this.id), { update: encoded(() => encodeUpdate(data)) });
        return { updated: r.stats.updated, requestId: requestId() };
      });
    }

    /** Removes the document: {deleted: 0|1, requestId}. */
    remove() {
      return settle(async () => {
        const r = await ops.removeDoc('document.remove', this._coll, String(this.id));
        return { deleted: r.stats.removed, requestId: requestId() };
      });
    }

    delete() {
      return this.remove();
    }
  }

  /** app.database(): node-sdk's Db. */
  class Db {
    constructor(config) {
      this.config = config;
      this.command = command;
      this.Geo = Geo;
      this.RegExp = callable(DbRegExp);
    }

    serverDate(opts) {
      return new ServerDate(opts);
    }

    collection(name) {
      if (!name) throw new Error('Collection name is required');
      return new CollectionReference(String(name));
    }

    /** Creates a collection: {requestId}; one that exists fails with DATABASE_COLLECTION_ALREADY_EXIST. */
    createCollection(name) {
      return settle(async () => {
        await ops.createCollection('createCollection', { name });
        return { requestId: requestId() };
      });
    }

    runTransaction() {
      return settle(() => {
        throw fail('DATABASE_REQUEST_FAILED', 'transactions are not available in minibase yet');
      });
    }

    startTransaction() {
      return this.runTransaction();
    }
  }

  const logger = () => {
    const write = (level) => (obj) => natives.log(level, typeof obj === 'string' ? obj : JSON.stringify(obj));
    return { log: write('log'), info: write('info'), warn: write('warn'), error: write('error') };
  };

  /** An app: what tcb.init(config) returns. */
  class App {
    constructor(config) {
      this.config = Object.assign({}, config, { envName: envOf(config && config.env) });
    }

    database(dbConfig) {
      if (dbConfig !== undefined && Object.prototype.toString.call(dbConfig).slice(8, -1) !== 'Object') {
        throw new TcbError('INVALID_PARAM', 'dbConfig must be an object', '');
      }
      const env = dbConfig && dbConfig.env !== undefined ? envOf(dbConfig.env) : this.config.envName;
      return new Db(Object.assign({}, this.config, dbConfig, { env, envName: env }));
    }

    /** {result, requestId}: the called function sees the same caller, SOURCE with ',scf' appended. */
    callFunction(opts) {
      return settle(async () => {
        const name = opts && opts.name;
        if (!name || typeof name !== 'string') throw invalid('函数名不能为空');
        let r;
        try {
          r = await natives.callFunction(name, opts.data === undefined ? {} : opts.data);
        } catch (e) {
          if (e instanceof Error) throw e; // not the callee's failure: a bad data argument
          throw new TcbError(e.code, e.message, e.requestID);
        }
        return { result: JSON.parse(r.result), requestId: r.requestID };
      });
    }

    /** {fileID, requestId}; fileContent a Buffer (any typed array, ArrayBuffer) or a string (UTF-8). */
    uploadFile(opts) {
      return settle(async () => {
        const o = opts || {};
        if (typeof o.cloudPath !== 'string' || o.cloudPath === '') throw invalid('cloudPath must be a non-empty string');
        const c = o.fileContent;
        if (typeof c !== 'string' && !(c instanceof ArrayBuffer) && !ArrayBuffer.isView(c)) {
          throw invalid('[node-sdk] fileContent should be instance of fs.ReadStream or Buffer');
        }
        const fileID = await natives.uploadFile(o.cloudPath, c);
        return { fileID, requestId: requestId() };
      });
    }

    /** {fileContent: Buffer, message: '文件下载完成'}. */
    downloadFile(opts) {
      return settle(async () => {
        const fileID = opts && opts.fileID;
        if (!isFileID(fileID)) throw invalid('fileID must be a non-empty string');
        const fileContent = await natives.downloadFile(fileID);
        return { fileContent, message: '文件下载完成' };
      });
    }

    /** {fileList: [{code: 'SUCCESS' or why not, fileID, tempFileURL, maxAge}], requestId}. */
    getTempFileURL(opts) {
      return settle(async () => {
        const list = checkList(opts);
        const items = list.map((f) => {
          if (typeof f === 'string') return { fileID: f };
          if (f !== null && typeof f === 'object') {
            if (!isFileID(f.fileID) || !Object.prototype.hasOwnProperty.call(f, 'maxAge')) {
              throw invalid('fileList 的元素如果是对象，必须是包含 fileID 和 maxAge 的对象');
            }
            if (!Number.isInteger(f.maxAge) || f.maxAge <= 0) throw invalid('maxAge must be a positive integer (seconds)');
            return { fileID: f.fileID, maxAge: f.maxAge };
          }
          throw invalid('fileList的元素如果不是对象，则必须是字符串');
        });
        const res = await natives.getTempFileURL(JSON.stringify(items));
        return {
          fileList: res.map((r) =>
            r.status === 0
              ? { code: 'SUCCESS', fileID: r.fileID, tempFileURL: r.tempFileURL, maxAge: r.maxAge }
              : { code: r.code, fileID: r.fileID, tempFileURL: '', message: r.errMsg },
          ),
          requestId: requestId(),
        };
      });
    }

    /** {fileList: [{code: 'SUCCESS' or why not, fileID}], requestId}. */
    deleteFile(opts) {
      return settle(async () => {
        const list = checkList(opts);
        if (!list.every(isFileID)) throw invalid('fileList的元素必须是非空的字符串');
        const res = await natives.deleteFile(JSON.stringify(list));
        return {
          fileList: res.map((r) => (r.status === 0 ? { code: 'SUCCESS', fileID: r.fileID } : { code: r.code, fileID: r.fileID, message: r.errMsg })),
          requestId: requestId(),
        };
      });
    }

    /** The invocation's caller: getUserInfo(), getEndUserInfo() (of the caller only), getClientIP(). */
    auth() {
      return {
        getUserInfo: () => natives.userInfo(),
        getEndUserInfo: (uid) => {
          if (uid !== undefined) {
            return settle(() => {
              throw invalid('getEndUserInfo(uid) of another user is not available in minibase; without uid it gives the caller');
            });
          }
          return Promise.resolve({ userInfo: natives.userInfo() });
        },
        getClientIP: () => natives.clientIP(),
      };
    }

    logger() {
      return logger();
    }
  }

  const checkList = (opts) => {
    const list = opts && opts.fileList;
    if (!Array.isArray(list) || list.length === 0) throw invalid('fileList必须是非空的数组');
    if (list.length > natives.maxFileList) throw invalid(`fileList has ${list.length} items; at most ${natives.maxFileList} per call`);
    return list;
  };

  const envOf = (env) => (env === undefined || env === SYMBOL_CURRENT_ENV || env === SYMBOL_DEFAULT_ENV ? natives.env : env);

  if (legacy) {
    // tcb-admin-node: the module is an app too; init(config) returns a new
    // app and makes it the module's.
    let app = new App({});
    const mod = {
      SYMBOL_CURRENT_ENV,
      init: (config) => (app = new App(config || {})),
      getCurrentEnv: () => natives.env,
    };
    for (const m of ['database', 'callFunction', 'uploadFile', 'downloadFile', 'getTempFileURL', 'deleteFile', 'auth', 'logger']) {
      mod[m] = (...args) => app[m](...args);
    }
    return mod;
  }
  return {
    version: natives.version,
    SYMBOL_CURRENT_ENV,
    SYMBOL_DEFAULT_ENV,
    init: (config) => new App(config || {}),
    setThrowOnCode: (value) => {
      throwOnCode = value !== false;
    },
  };
}
