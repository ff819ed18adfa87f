// Types of what minibase's cloud functions can use, for editors: copy this
// file next to your functions (or reference it with
// /// <reference path="types.d.ts" />). It lists exactly what the runtime
// binds (functions/types_test.go checks): ECMAScript itself, the globals
// below, and the modules wx-server-sdk, crypto, buffer and url.
// Nothing else of Node exists: no fs, no child_process, no http.

// ---- module scope (CommonJS) ----

declare var module: { exports: any };
declare var exports: any;
declare var __filename: string;
declare var __dirname: string;
/** Loads the function's own files ('./lib'), JSON, node_modules packages, and the modules declared below. */
declare function require(id: string): any;

// ---- globals ----

declare var global: typeof globalThis;

interface Console {
  log(...data: any[]): void;
  info(...data: any[]): void;
  warn(...data: any[]): void;
  error(...data: any[]): void;
  debug(...data: any[]): void;
}
/** Output goes to the invocation's log (printf-style %s %d %i %f %j %o %O). */
declare var console: Console;

/** Node's Timeout: keeps the invocation waiting unless unref()'d. Coerces to its id. */
interface Timeout {
  ref(): this;
  unref(): this;
  hasRef(): boolean;
  [Symbol.toPrimitive](): number;
}
declare function setTimeout(callback: (...args: any[]) => void, ms?: number, ...args: any[]): Timeout;
declare function setInterval(callback: (...args: any[]) => void, ms?: number, ...args: any[]): Timeout;
declare function setImmediate(callback: (...args: any[]) => void, ...args: any[]): Timeout;
declare function clearTimeout(timeout: Timeout | number | undefined): void;
declare function clearInterval(timeout: Timeout | number | undefined): void;
declare function clearImmediate(timeout: Timeout | number | undefined): void;
declare function queueMicrotask(callback: () => void): void;

interface Process {
  /** The function's own envVariables (config.json), nothing of the server's. */
  env: Record<string, string | undefined>;
  nextTick(callback: (...args: any[]) => void, ...args: any[]): void;
}
declare var process: Process;

/** The Web Crypto subset: randomUUID and getRandomValues. */
declare var crypto: {
  randomUUID(): string;
  getRandomValues<T extends ArrayBufferView>(array: T): T;
};

interface FetchInit {
  method?: string;
  headers?: Headers | Record<string, string> | [string, string][];
  body?: string | ArrayBuffer | ArrayBufferView | URLSearchParams;
  redirect?: 'follow' | 'manual';
  /** minibase: ms before the request fails (never past the server's fetch limit or the invocation's timeout). */
  timeout?: number;
}
/**
 * fetch within the server's limits: http(s) only, public hosts unless the
 * fetch settings allow more, a response-size cap and a timeout. Failures
 * reject with TypeError('fetch failed: …').
 */
declare function fetch(input: string | URL | { url: string }, init?: FetchInit): Promise<Response>;
declare class Headers {
  constructor(init?: Headers | Record<string, string> | [string, string][]);
  append(name: string, value: string): void;
  set(name: string, value: string): void;
  get(name: string): string | null;
  has(name: string): boolean;
  delete(name: string): void;
  forEach(fn: (value: string, name: string, headers: Headers) => void, thisArg?: any): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
declare class Response {
  constructor(body?: string | ArrayBuffer | null, init?: { status?: number; statusText?: string; headers?: any });
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected: boolean;
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
  json(): Promise<any>;
  clone(): Response;
}

type BufferEncoding = 'utf8' | 'utf-8' | 'hex' | 'base64' | 'base64url' | 'latin1' | 'binary' | 'ascii';
/** Node's Buffer, the common subset (goja_nodejs' Buffer plus minibase's additions). */
declare class Buffer extends Uint8Array {
  static from(data: string, encoding?: BufferEncoding): Buffer;
  static from(data: ArrayBuffer | ArrayLike<number>, byteOffset?: number, length?: number): Buffer;
  /** A Buffer's JSON, as wx.cloud sends Buffers in a function's data. */
  static from(data: { type: 'Buffer'; data: number[] }): Buffer;
  static alloc(size: number, fill?: string | number, encoding?: BufferEncoding): Buffer;
  static allocUnsafe(size: number): Buffer;
  static allocUnsafeSlow(size: number): Buffer;
  static concat(list: Uint8Array[], totalLength?: number): Buffer;
  static isBuffer(v: any): v is Buffer;
  static isEncoding(encoding: string): boolean;
  static byteLength(v: string | ArrayBuffer | ArrayBufferView, encoding?: BufferEncoding): number;
  static compare(a: Uint8Array, b: Uint8Array): number;
  toString(encoding?: BufferEncoding, start?: number, end?: number): string;
  toJSON(): { type: 'Buffer'; data: number[] };
  equals(other: Uint8Array): boolean;
  compare(other: Uint8Array): number;
  copy(target: Uint8Array, targetStart?: number, sourceStart?: number, sourceEnd?: number): number;
  slice(start?: number, end?: number): Buffer;
  subarray(start?: number, end?: number): Buffer;
  write(s: string, offset?: number, length?: number, encoding?: BufferEncoding): number;
  readUInt8(offset?: number): number;
  readUInt16BE(offset?: number): number;
  readUInt16LE(offset?: number): number;
  readUInt32BE(offset?: number): number;
  readUInt32LE(offset?: number): number;
  readInt32BE(offset?: number): number;
  readInt32LE(offset?: number): number;
  readDoubleBE(offset?: number): number;
  readDoubleLE(offset?: number): number;
  writeUInt8(value: number, offset?: number): number;
  writeUInt16BE(value: number, offset?: number): number;
  writeUInt32BE(value: number, offset?: number): number;
  writeInt32BE(value: number, offset?: number): number;
  writeDoubleBE(value: number, offset?: number): number;
}

/** The WHATWG URL (goja_nodejs). */
declare class URL {
  constructor(url: string, base?: string | URL);
  href: string;
  readonly origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  readonly searchParams: URLSearchParams;
  hash: string;
  toString(): string;
  toJSON(): string;
}
declare class URLSearchParams {
  constructor(init?: string | Record<string, string> | [string, string][] | URLSearchParams);
  append(name: string, value: string): void;
  delete(name: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  toString(): string;
  forEach(fn: (value: string, name: string, params: URLSearchParams) => void): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

/** UTF-8 only, as the Encoding standard. */
declare class TextEncoder {
  readonly encoding: 'utf-8';
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: 'utf-8' | 'utf8', options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: 'utf-8';
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: ArrayBuffer | ArrayBufferView): string;
}

// ---- modules ----

/** wx-server-sdk (dialect B of wx.cloud): the database and storage as an admin, callFunction, getWXContext, logger, openapi. */
declare module 'wx-server-sdk' {
  /** "The environment this function runs in": pass to init({ env }). */
  export const DYNAMIC_CURRENT_ENV: unique symbol;
  /** 'minibase'. */
  export const version: string;
  /** Required before database() and callFunction(); minibase has one environment. */
  export function init(config?: { env?: string | symbol | { database?: string | symbol } }): void;
  export function updateConfig(config: { env?: string | symbol }): void;
  /**
   * The database builder of wx.cloud with wx-server-sdk's defaults: get()
   * returns 100 documents unless limit() says otherwise (at most 1000),
   * add({data: [...]}) inserts many (→ _ids), rules do not apply.
   * Results: {data, errMsg: 'collection.get:ok'}, {_id}, {stats: {updated}}…
   * Failures reject with {errCode, errMsg: 'collection.get:fail …'}. Every
   * call returns its Promise, also when success, fail or complete are given
   * (they are called too), as every call of this module does.
   */
  export function database(options?: { env?: string | symbol; throwOnNotFound?: boolean }): any;
  /**
   * Calls another function: {result, requestID, errMsg: 'callFunction:ok'}.
   * The callee sees the same caller (OPENID) and SOURCE + ',scf'.
   */
  export function callFunction(options: { name: string; data?: Record<string, any> }): Promise<{ result: any; requestID: string; errMsg: string }>;
  /**
   * Stores fileContent (a Buffer, typed array or ArrayBuffer, or a string
   * as UTF-8) at cloudPath in the default bucket, replacing a file there:
   * {fileID: 'cloud://<env>.default/<cloudPath>', statusCode: 200, errMsg:
   * 'uploadFile:ok'}. As an admin (the bucket's rule does not apply); at
   * most the bucket's max size and the function's memorySize.
   */
  export function uploadFile(options: { cloudPath: string; fileContent: string | ArrayBuffer | ArrayBufferView }): Promise<{ fileID: string; statusCode: number; errMsg: string }>;
  /** A file's bytes (at most the function's memorySize): {fileContent, statusCode: 200, errMsg: 'downloadFile:ok'}. */
  export function downloadFile(options: { fileID: string }): Promise<{ fileContent: Buffer; statusCode: number; errMsg: string }>;
  /**
   * URLs for up to 50 files (maxAge in seconds, default and at most a day;
   * public buckets' URLs do not expire). An item that failed has status ≠ 0
   * and its reason in errMsg. URLs start with MINIBASE_PUBLIC_URL, else the
   * address the invoking request was sent to; for timers and triggers
   * without MINIBASE_PUBLIC_URL they are relative (/f/…).
   */
  export function getTempFileURL(options: { fileList: (string | { fileID: string; maxAge?: number })[] }): Promise<{
    fileList: { fileID: string; tempFileURL: string; maxAge: number; status: number; errMsg: string }[];
    errMsg: string;
  }>;
  /** Deletes up to 50 files; an item that failed has status ≠ 0 and its reason in errMsg. */
  export function deleteFile(options: { fileList: string[] }): Promise<{
    fileList: { fileID: string; status: number; errMsg: string }[];
    errMsg: string;
  }>;
  /** The invocation's caller: OPENID and UNIONID (end users), APPID, ENV, SOURCE, CLIENTIP or CLIENTIPV6. */
  export function getWXContext(): {
    OPENID?: string;
    UNIONID?: string;
    APPID: string;
    ENV: string;
    SOURCE: string;
    CLIENTIP?: string;
    CLIENTIPV6?: string;
  };
  /** Structured logs: each call writes one line (the object as JSON) to the invocation's log. */
  export function logger(): {
    log(obj: object): void;
    info(obj: object): void;
    warn(obj: object): void;
    error(obj: object): void;
  };
  /** An answer of cloud.openapi: WeChat's, keys in camelCase, or an image. */
  interface OpenAPIResult {
    errCode: 0;
    /** 'openapi.<module>.<method>:ok' */
    errMsg: string;
    /** Image answers (wxacode.*): its type and bytes. */
    contentType?: string;
    buffer?: Buffer;
    [key: string]: any;
  }
  interface OpenAPI {
    /** cloud.openapi({convertCase: false}): parameters and answers keep their keys as they are. */
    (options: { convertCase?: boolean }): OpenAPI;
    [module: string]: { [method: string]: (params?: Record<string, any>) => Promise<OpenAPIResult> };
  }
  /**
   * WeChat's server APIs (云调用), with the mini-program's access_token
   * (MINIBASE_WECHAT_APPID and MINIBASE_WECHAT_SECRET):
   * cloud.openapi.wxacode.getUnlimited({scene, page}),
   * cloud.openapi.subscribeMessage.send({touser, templateId, page, data}),
   * security.msgSecCheck, security.imgSecCheck({media: {contentType, value:
   * Buffer}}), urlscheme.generate, phonenumber.getPhoneNumber({code})…
   * Parameters in camelCase become WeChat's snake_case, answers come back in
   * camelCase. WeChat's errcode ≠ 0 rejects with errCode = errcode and
   * errMsg 'openapi.<module>.<method>:fail <errcode> <errmsg>'.
   */
  export const openapi: OpenAPI;
  /**
   * Decrypts open data (wx.getWeRunData, wx.getShareInfo…) sent as
   * {encryptedData, iv} with the calling user's session key (from their
   * WeChat sign-in). cloudIDs cannot be resolved off CloudBase: they are
   * refused (-601005) with the reason.
   */
  export function getOpenData(options: { list: { encryptedData: string; iv: string }[] }): Promise<{
    list: { data: any }[];
    errCode: 0;
    errMsg: string;
  }>;
}

/**
 * An app of @cloudbase/node-sdk or tcb-admin-node (dialect C): the same
 * database, storage and functions as wx-server-sdk, as an admin, with
 * node-sdk's shapes. Failures are Errors with a string code, message and
 * requestId (thrown; resolved as {code, message, requestId} after
 * setThrowOnCode(false), and always in tcb-admin-node).
 */
interface TcbApp {
  /**
   * node-sdk's database: bare payloads (add(doc), update(doc), set(doc)).
   * get() → {data, requestId} (100 documents unless limit() says otherwise,
   * at most 1000); count() → {total, requestId}; add → {id, requestId} or,
   * with an array, {ids, requestId}; update → {updated, requestId}; remove →
   * {deleted, requestId}; doc().get() → {data: [doc] or [], requestId};
   * doc().set() → {updated, upsertedId (when it created the document),
   * requestId}; collection.aggregate() (or aggregate([stages])) … end() →
   * {data, requestId} (20 documents without a limit stage). db.command,
   * db.serverDate(), db.Geo, db.RegExp as in wx-server-sdk; no transactions
   * yet.
   */
  database(config?: { env?: string | symbol }): any;
  /** {result, requestId}; the callee sees the same caller and SOURCE + ',scf'. */
  callFunction(options: { name: string; data?: Record<string, any> }): Promise<{ result: any; requestId: string }>;
  /** {fileID, requestId}. */
  uploadFile(options: { cloudPath: string; fileContent: string | ArrayBuffer | ArrayBufferView }): Promise<{ fileID: string; requestId: string }>;
  /** {fileContent, message: '文件下载完成'}. */
  downloadFile(options: { fileID: string }): Promise<{ fileContent: Buffer; message: string }>;
  /** Up to 50 files: {fileList: [{code: 'SUCCESS' (else the failure's code), fileID, tempFileURL, maxAge}], requestId}. */
  getTempFileURL(options: { fileList: (string | { fileID: string; maxAge: number })[] }): Promise<{
    fileList: { code: string; fileID: string; tempFileURL: string; maxAge?: number; message?: string }[];
    requestId: string;
  }>;
  /** Up to 50 files: {fileList: [{code: 'SUCCESS' (else the failure's code), fileID}], requestId}. */
  deleteFile(options: { fileList: string[] }): Promise<{ fileList: { code: string; fileID: string; message?: string }[]; requestId: string }>;
  /** The invocation's caller. */
  auth(): {
    getUserInfo(): { openId: string; appId: string; uid: string; customUserId: string; isAnonymous: boolean };
    getEndUserInfo(): Promise<{ userInfo: { openId: string; appId: string; uid: string; customUserId: string; isAnonymous: boolean } }>;
    getClientIP(): string;
  };
  logger(): { log(obj: object): void; info(obj: object): void; warn(obj: object): void; error(obj: object): void };
}

/** @cloudbase/node-sdk: CloudBase's server SDK (dialect C), answered by the runtime (its npm copy is left out at deploy). */
declare module '@cloudbase/node-sdk' {
  /** "The environment this function runs in": pass to init({ env }). */
  export const SYMBOL_CURRENT_ENV: unique symbol;
  export const SYMBOL_DEFAULT_ENV: unique symbol;
  /** 'minibase'. */
  export const version: string;
  /** An app; minibase has one environment, and secretId/secretKey are not needed (ignored). */
  export function init(config?: { env?: string | symbol; [option: string]: any }): TcbApp;
  /** false: failures resolve as {code, message, requestId} instead of throwing. */
  export function setThrowOnCode(value: boolean): void;
}

/** tcb-admin-node: node-sdk's predecessor; the module is an app itself, and failures resolve as {code, message, requestId}. */
declare module 'tcb-admin-node' {
  export const SYMBOL_CURRENT_ENV: unique symbol;
  /** Returns a new app and makes it the module's. */
  export function init(config?: { env?: string | symbol; [option: string]: any }): TcbApp;
  export function getCurrentEnv(): string;
  export function database(config?: { env?: string | symbol }): any;
  export function callFunction(options: { name: string; data?: Record<string, any> }): Promise<{ result: any; requestId: string }>;
  export function uploadFile(options: { cloudPath: string; fileContent: string | ArrayBuffer | ArrayBufferView }): Promise<{ fileID: string; requestId: string }>;
  export function downloadFile(options: { fileID: string }): Promise<{ fileContent: Buffer; message: string }>;
  export function getTempFileURL(options: { fileList: (string | { fileID: string; maxAge: number })[] }): ReturnType<TcbApp['getTempFileURL']>;
  export function deleteFile(options: { fileList: string[] }): ReturnType<TcbApp['deleteFile']>;
  export function auth(): ReturnType<TcbApp['auth']>;
  export function logger(): ReturnType<TcbApp['logger']>;
}

/** Node's crypto, the subset minibase binds (also as 'node:crypto'). */
declare module 'crypto' {
  interface Hash {
    update(data: string | ArrayBuffer | ArrayBufferView, inputEncoding?: BufferEncoding): Hash;
    digest(): Buffer;
    digest(encoding: 'hex' | 'base64' | 'base64url' | 'latin1' | 'binary'): string;
  }
  /** md5, sha1, sha256, sha384 or sha512. */
  export function createHash(algorithm: string): Hash;
  export function createHmac(algorithm: string, key: string | ArrayBuffer | ArrayBufferView): Hash;
  export function randomBytes(size: number): Buffer;
  export function randomBytes(size: number, callback: (err: null, buf: Buffer) => void): void;
  export function randomUUID(): string;
  export function getRandomValues<T extends ArrayBufferView>(array: T): T;
  export function timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean;
}

/** Node's buffer module: { Buffer }. */
declare module 'buffer' {
  export { Buffer };
}

/** Node's url module: { URL, URLSearchParams, domainToASCII, domainToUnicode }. */
declare module 'url' {
  export { URL, URLSearchParams };
  export function domainToASCII(domain: string): string;
  export function domainToUnicode(domain: string): string;
}

