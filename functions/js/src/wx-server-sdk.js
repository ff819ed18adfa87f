// require('wx-server-sdk') inside minibase's cloud functions: dialect B of
// wx.cloud, as in the npm package wx-server-sdk. The database is the client
// SDK's own builder (sdk/src/database) in its server flavor, whose
// operations (DbOps, sdk/src/database/ops.ts) are natives.db: Go functions
// that call the database in-process, as an admin (functions/bind_db.go);
// errors and results keep wx-server-sdk's shapes. The storage calls go to
// object storage the same way, also as an admin.
//
// Bundled by `go generate ./functions` (scripts.go) into ../wx-server-sdk.js,
// which the runtime embeds; a test keeps that file equal to a fresh build.
// The bundle also holds @cloudbase/node-sdk's module (node-sdk.js), which
// shares the database builder's pieces and the natives.
import { Database, SERVER, fromGeoJSON } from '../../../sdk/src/database/index';
import { CloudError, ErrCode, ERR_TEXT, serverError } from '../../../sdk/src/core/errors';
import { parseResult } from '../../../sdk/src/functions/index';
import { promiseOrCallback } from '../../../sdk/src/core/callback';
import { checkFileList as checkList, checkUpload, isFileID, isTempURLItem } from './files';
import { makeOpenAPI, makeGetOpenData } from './openapi';

export { createTcb } from './node-sdk';

/** wx-server-sdk's message for an API used before init. */
const NOT_INITIALIZED = "Cloud API isn't enabled, please call init first\n请先调用 init 完成初始化后再调用其他云 API。";

/** cloud.DYNAMIC_CURRENT_ENV: "the environment this function runs in". */
const DYNAMIC_CURRENT_ENV = Symbol.for('DYNAMIC_CURRENT_ENV');

/**
 * createCloud returns the module for one function instance. natives holds
 * the runtime's side: env, version, requestID(), db (the builder's
 * operations, DbOps: each → Promise of the answer, rejected with
 * toError(api, failure), set here; bodies are turned into JSON there, as
 * JSON.stringify would), callFunction(name, data) → Promise of {result (JSON text),
 * requestID} (rejected with {code, errCode, message, requestID}),
 * wxContext(), log(level, text), and the storage calls
 * uploadFile(cloudPath, content) → Promise of the fileID,
 * downloadFile(fileID) → Promise of a Buffer, getTempFileURL(items JSON)
 * and deleteFile(fileIDs JSON) → Promise of the fileList (rejected as
 * db's are), with maxFileList, the most fileIDs of one call;
 * openapi(api, params, files) → Promise of {json} or {contentType,
 * buffer} and getOpenData(items JSON) → Promise of JSON texts (rejected
 * with {errCode, message}): see openapi.js.
 */
export function createCloud(natives) {
  let initialized = false;
  let config = {};
  let openapi;

  const need = () => {
    if (!initialized) throw new CloudError(ErrCode.RESOURCE_NOT_INITIAL, NOT_INITIALIZED);
  };

  // The builder's operations, in-process instead of over HTTP. Each
  // promise resolves with the answer (dates already Date objects) or
  // rejects with toError's error.
  natives.toError = (api, e) => serverError(api, e.status || 500, e);
  // Documents arrive with dates as Date objects; GeoJSON becomes db.Geo here.
  natives.geo = fromGeoJSON;
  const ops = natives.db;

  class ServerDatabase extends Database {
    /** db.createCollection(name) → {errMsg: 'createCollection:ok', requestId}. */
    createCollection(name) {
      return ops
        .createCollection('createCollection', { name })
        .then(() => ({ errMsg: 'createCollection:ok', requestId: natives.requestID() }));
    }
  }

  const envOf = (env) => (env === undefined || env === DYNAMIC_CURRENT_ENV ? natives.env : env);

  const invalid = (api, detail) =>
    Promise.reject(new CloudError(ErrCode.INVALID_PARAM, `${api}:fail -501007 invalid parameters. ${detail}`, 'INVALID_PARAM'));

  const checkFileList = (opts, ok) => checkList(opts, natives.maxFileList, ok);

  // wx-server-sdk never switches to callback style: every call returns
  // its Promise, and success, fail and complete are called as well.
  const settle = (opts, run) => promiseOrCallback(opts, run, true);

  const logger = () => {
    const write = (level) => (obj) => natives.log(level, typeof obj === 'string' ? obj : JSON.stringify(obj));
    return { log: write('log'), info: write('info'), warn: write('warn'), error: write('error') };
  };

  return {
    DYNAMIC_CURRENT_ENV,
    version: natives.version,

    /** cloud.init({env}): required before database() and callFunction(). minibase has one environment. */
    init(cfg) {
      initialized = true;
      config = Object.assign({}, cfg);
    },

    /** cloud.updateConfig({env}). */
    updateConfig(cfg) {
      need();
      config = Object.assign({}, config, cfg);
    },

    /** cloud.database({env?, throwOnNotFound?}): the database in wx-server-sdk's dialect, as an admin. */
    database(opts) {
      need();
      const env = opts && opts.env !== undefined ? opts.env : config.env;
      const e = typeof env === 'object' && env !== null && env !== DYNAMIC_CURRENT_ENV ? env.database : env;
      return new ServerDatabase(ops, { env: envOf(e) }, SERVER);
    },

    /**
     * cloud.callFunction({name, data}) → {result, requestID, errMsg:
     * 'callFunction:ok'}. The called function sees the original caller
     * (OPENID) and SOURCE with ',scf' appended.
     */
    callFunction(opts) {
      need();
      return settle(opts, () => {
        const api = 'callFunction';
        const name = opts && opts.name;
        if (typeof name !== 'string' || name === '') {
          return Promise.reject(new CloudError(ErrCode.INVALID_PARAM, `${api}:fail -501007 invalid parameters. name is required`, 'INVALID_PARAM'));
        }
        const data = opts.data === undefined ? {} : opts.data;
        return natives.callFunction(name, data).then(
          (r) => ({ result: parseResult(JSON.parse(r.result)), requestID: r.requestID, errMsg: `${api}:ok` }),
          (e) => {
            const text = ERR_TEXT[e.errCode] || e.code;
            throw new CloudError(e.errCode, `${api}:fail ${e.errCode} ${text}. ${e.message}`, e.code, e.requestID);
          },
        );
      });
    },

    /**
     * cloud.uploadFile({cloudPath, fileContent}) → {fileID, statusCode,
     * errMsg: 'uploadFile:ok'}. fileContent is a Buffer (or any typed
     * array, ArrayBuffer) or a string (stored as UTF-8); the same cloudPath
     * overwrites. As an admin: the bucket's rule does not apply.
     */
    uploadFile(opts) {
      need();
      return settle(opts, () => {
        const api = 'uploadFile';
        const why = checkUpload(opts);
        if (why) return invalid(api, why);
        return natives.uploadFile(opts.cloudPath, opts.fileContent).then((fileID) => ({ fileID, statusCode: 200, errMsg: `${api}:ok` }));
      });
    },

    /** cloud.downloadFile({fileID}) → {fileContent: Buffer, statusCode, errMsg: 'downloadFile:ok'}. */
    downloadFile(opts) {
      need();
      return settle(opts, () => {
        const api = 'downloadFile';
        const fileID = opts !== null && typeof opts === 'object' ? opts.fileID : undefined;
        if (!isFileID(fileID)) return invalid(api, 'fileID must be a non-empty string');
        return natives.downloadFile(fileID).then((fileContent) => ({ fileContent, statusCode: 200, errMsg: `${api}:ok` }));
      });
    },

    /**
     * cloud.getTempFileURL({fileList}) with fileIDs or {fileID, maxAge}
     * (seconds) → {fileList: [{fileID, tempFileURL, maxAge, status,
     * errMsg}], errMsg: 'getTempFileURL:ok'}; an item that failed has
     * status ≠ 0 and its reason in errMsg.
     */
    getTempFileURL(opts) {
      need();
      return settle(opts, () => {
        const api = 'getTempFileURL';
        const why = checkFileList(opts, isTempURLItem);
        if (why) return invalid(api, why);
        const items = opts.fileList.map((it) => (typeof it === 'string' ? { fileID: it } : { fileID: it.fileID, maxAge: it.maxAge }));
        return natives.getTempFileURL(JSON.stringify(items)).then((list) => ({
          fileList: list.map((r) => ({ fileID: r.fileID, tempFileURL: r.tempFileURL, maxAge: r.maxAge, status: r.status, errMsg: r.errMsg })),
          errMsg: `${api}:ok`,
        }));
      });
    },

    /** cloud.deleteFile({fileList}) → {fileList: [{fileID, status, errMsg}], errMsg: 'deleteFile:ok'}. */
    deleteFile(opts) {
      need();
      return settle(opts, () => {
        const api = 'deleteFile';
        const why = checkFileList(opts, isFileID);
        if (why) return invalid(api, why);
        return natives.deleteFile(JSON.stringify(opts.fileList)).then((list) => ({
          fileList: list.map((r) => ({ fileID: r.fileID, status: r.status, errMsg: r.errMsg })),
          errMsg: `${api}:ok`,
        }));
      });
    },

    /** cloud.getWXContext(): OPENID, APPID, UNIONID, ENV, SOURCE, CLIENTIP of the invocation's caller. */
    getWXContext() {
      return natives.wxContext();
    },

    /** cloud.logger(): log/info/warn/error(obj) write structured lines to the invocation's log. */
    logger,

    /**
     * cloud.openapi.<module>.<method>(params): WeChat's server APIs (云调用)
     * → {...answer, errCode: 0, errMsg: 'openapi.<module>.<method>:ok'}, an
     * image as {contentType, buffer}; WeChat's errcode rejects with it.
     */
    get openapi() {
      openapi = openapi || makeOpenAPI(natives, need); // made on first use: most functions never touch it
      return openapi;
    },

    /** cloud.getOpenData({list}): [{encryptedData, iv}] decrypted with the caller's session key; not cloudIDs. */
    getOpenData: makeGetOpenData(natives, need),
  };
}
