import{j as y,a as p,E as i,b as g,l,h as f,i as d,c as x,d as m,s as b,e as I,k as h,f as E,g as S,m as v,n as _,o as R}from"./editor-Dazf4eG5.js";const N=`// Types of what minibase's cloud functions can use, for editors: copy this
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
/** Base64 of a string's Latin-1 characters, and back (forgiving base64), as in Node. */
declare function btoa(data: string): string;
declare function atob(data: string): string;
/** performance.now(): milliseconds since the function's instance began. */
declare var performance: { now(): number; readonly timeOrigin: number; toJSON(): { timeOrigin: number } };

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

/** Node's AbortController and the Web platform classes it needs (made when first used). */
declare class DOMException extends Error {
  constructor(message?: string, name?: string);
  readonly code: number;
}
declare class Event {
  constructor(type: string, init?: { bubbles?: boolean; cancelable?: boolean; composed?: boolean });
  readonly type: string;
  readonly defaultPrevented: boolean;
  readonly timeStamp: number;
  preventDefault(): void;
  stopPropagation(): void;
  stopImmediatePropagation(): void;
}
declare class EventTarget {
  addEventListener(type: string, listener: ((event: Event) => void) | { handleEvent(event: Event): void }, options?: boolean | { once?: boolean; signal?: AbortSignal }): void;
  removeEventListener(type: string, listener: ((event: Event) => void) | { handleEvent(event: Event): void }): void;
  dispatchEvent(event: Event): boolean;
}
declare class AbortSignal extends EventTarget {
  readonly aborted: boolean;
  readonly reason: any;
  onabort: ((event: Event) => void) | null;
  throwIfAborted(): void;
  static abort(reason?: any): AbortSignal;
  static timeout(ms: number): AbortSignal;
  static any(signals: AbortSignal[]): AbortSignal;
}
declare class AbortController {
  readonly signal: AbortSignal;
  abort(reason?: any): void;
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

// ---- Node's built-in modules (functions/js/node/): their names as bound; signatures as in @types/node ----

/** Node's assert: ok, equal, strictEqual, deepStrictEqual, throws, rejects, match… (AssertionError with Node's messages). */
declare module 'assert' {
  export class AssertionError { constructor(...args: any[]); [key: string]: any }
  export function deepEqual(...args: any[]): any;
  export function deepStrictEqual(...args: any[]): any;
  export function doesNotMatch(...args: any[]): any;
  export function doesNotReject(...args: any[]): any;
  export function doesNotThrow(...args: any[]): any;
  export function equal(...args: any[]): any;
  export function fail(...args: any[]): any;
  export function ifError(...args: any[]): any;
  export function match(...args: any[]): any;
  export function notDeepEqual(...args: any[]): any;
  export function notDeepStrictEqual(...args: any[]): any;
  export function notEqual(...args: any[]): any;
  export function notStrictEqual(...args: any[]): any;
  export function ok(...args: any[]): any;
  export function rejects(...args: any[]): any;
  export function strict(...args: any[]): any;
  export function strictEqual(...args: any[]): any;
  export function throws(...args: any[]): any;
}

/** Node's assert in strict mode. */
declare module 'assert/strict' {
  export class AssertionError { constructor(...args: any[]); [key: string]: any }
  export function deepEqual(...args: any[]): any;
  export function deepStrictEqual(...args: any[]): any;
  export function doesNotMatch(...args: any[]): any;
  export function doesNotReject(...args: any[]): any;
  export function doesNotThrow(...args: any[]): any;
  export function equal(...args: any[]): any;
  export function fail(...args: any[]): any;
  export function ifError(...args: any[]): any;
  export function match(...args: any[]): any;
  export function notDeepEqual(...args: any[]): any;
  export function notDeepStrictEqual(...args: any[]): any;
  export function notEqual(...args: any[]): any;
  export function notStrictEqual(...args: any[]): any;
  export function ok(...args: any[]): any;
  export function rejects(...args: any[]): any;
  export function strict(...args: any[]): any;
  export function strictEqual(...args: any[]): any;
  export function throws(...args: any[]): any;
}

/** Node's legacy constants: errno, signals and fs flags (Linux's values). */
declare module 'constants' {
  export const COPYFILE_EXCL: number;
  export const COPYFILE_FICLONE: number;
  export const COPYFILE_FICLONE_FORCE: number;
  export const E2BIG: number;
  export const EACCES: number;
  export const EADDRINUSE: number;
  export const EADDRNOTAVAIL: number;
  export const EAGAIN: number;
  export const EALREADY: number;
  export const EBADF: number;
  export const EBUSY: number;
  export const ECANCELED: number;
  export const ECONNABORTED: number;
  export const ECONNREFUSED: number;
  export const ECONNRESET: number;
  export const EEXIST: number;
  export const EHOSTUNREACH: number;
  export const EINTR: number;
  export const EINVAL: number;
  export const EIO: number;
  export const EISCONN: number;
  export const EISDIR: number;
  export const ELOOP: number;
  export const EMFILE: number;
  export const ENAMETOOLONG: number;
  export const ENETDOWN: number;
  export const ENETUNREACH: number;
  export const ENFILE: number;
  export const ENOENT: number;
  export const ENOMEM: number;
  export const ENOSPC: number;
  export const ENOSYS: number;
  export const ENOTCONN: number;
  export const ENOTDIR: number;
  export const ENOTEMPTY: number;
  export const ENOTSOCK: number;
  export const ENOTSUP: number;
  export const EPERM: number;
  export const EPIPE: number;
  export const EROFS: number;
  export const ESPIPE: number;
  export const ETIMEDOUT: number;
  export const EXDEV: number;
  export const F_OK: number;
  export const O_APPEND: number;
  export const O_CREAT: number;
  export const O_DIRECT: number;
  export const O_DIRECTORY: number;
  export const O_DSYNC: number;
  export const O_EXCL: number;
  export const O_NOATIME: number;
  export const O_NOCTTY: number;
  export const O_NOFOLLOW: number;
  export const O_NONBLOCK: number;
  export const O_RDONLY: number;
  export const O_RDWR: number;
  export const O_SYNC: number;
  export const O_TRUNC: number;
  export const O_WRONLY: number;
  export const PRIORITY_ABOVE_NORMAL: number;
  export const PRIORITY_BELOW_NORMAL: number;
  export const PRIORITY_HIGH: number;
  export const PRIORITY_HIGHEST: number;
  export const PRIORITY_LOW: number;
  export const PRIORITY_NORMAL: number;
  export const R_OK: number;
  export const SIGABRT: number;
  export const SIGALRM: number;
  export const SIGBUS: number;
  export const SIGCHLD: number;
  export const SIGCONT: number;
  export const SIGFPE: number;
  export const SIGHUP: number;
  export const SIGILL: number;
  export const SIGINT: number;
  export const SIGIO: number;
  export const SIGIOT: number;
  export const SIGKILL: number;
  export const SIGPIPE: number;
  export const SIGPOLL: number;
  export const SIGPROF: number;
  export const SIGPWR: number;
  export const SIGQUIT: number;
  export const SIGSEGV: number;
  export const SIGSTKFLT: number;
  export const SIGSTOP: number;
  export const SIGSYS: number;
  export const SIGTERM: number;
  export const SIGTRAP: number;
  export const SIGTSTP: number;
  export const SIGTTIN: number;
  export const SIGTTOU: number;
  export const SIGURG: number;
  export const SIGUSR1: number;
  export const SIGUSR2: number;
  export const SIGVTALRM: number;
  export const SIGWINCH: number;
  export const SIGXCPU: number;
  export const SIGXFSZ: number;
  export const S_IFBLK: number;
  export const S_IFCHR: number;
  export const S_IFDIR: number;
  export const S_IFIFO: number;
  export const S_IFLNK: number;
  export const S_IFMT: number;
  export const S_IFREG: number;
  export const S_IFSOCK: number;
  export const S_IRGRP: number;
  export const S_IROTH: number;
  export const S_IRUSR: number;
  export const S_IRWXG: number;
  export const S_IRWXO: number;
  export const S_IRWXU: number;
  export const S_IWGRP: number;
  export const S_IWOTH: number;
  export const S_IWUSR: number;
  export const S_IXGRP: number;
  export const S_IXOTH: number;
  export const S_IXUSR: number;
  export const UV_DIRENT_BLOCK: number;
  export const UV_DIRENT_CHAR: number;
  export const UV_DIRENT_DIR: number;
  export const UV_DIRENT_FIFO: number;
  export const UV_DIRENT_FILE: number;
  export const UV_DIRENT_LINK: number;
  export const UV_DIRENT_SOCKET: number;
  export const UV_DIRENT_UNKNOWN: number;
  export const UV_FS_COPYFILE_EXCL: number;
  export const UV_FS_COPYFILE_FICLONE: number;
  export const UV_FS_COPYFILE_FICLONE_FORCE: number;
  export const UV_FS_O_FILEMAP: number;
  export const UV_FS_SYMLINK_DIR: number;
  export const UV_FS_SYMLINK_JUNCTION: number;
  export const W_OK: number;
  export const X_OK: number;
}

/** Node's dns: lookup and resolve* answer from the server's resolver (a name's addresses only: connections stay fetch's). */
declare module 'dns' {
  export const ADDRCONFIG: number;
  export const ALL: number;
  export const NODATA: string;
  export const NOTFOUND: string;
  export class Resolver { constructor(...args: any[]); [key: string]: any }
  export const TIMEOUT: string;
  export const V4MAPPED: number;
  export function getDefaultResultOrder(...args: any[]): any;
  export function getServers(...args: any[]): any;
  export function lookup(...args: any[]): any;
  export const promises: any;
  export function resolve(...args: any[]): any;
  export function resolve4(...args: any[]): any;
  export function resolve6(...args: any[]): any;
  export function setDefaultResultOrder(...args: any[]): any;
  export function setServers(...args: any[]): any;
}

/** Node's dns promises API. */
declare module 'dns/promises' {
  export class Resolver { constructor(...args: any[]); [key: string]: any }
  export function getServers(...args: any[]): any;
  export function lookup(...args: any[]): any;
  export function resolve(...args: any[]): any;
  export function resolve4(...args: any[]): any;
  export function resolve6(...args: any[]): any;
  export function setDefaultResultOrder(...args: any[]): any;
  export function setServers(...args: any[]): any;
}

/** Node's events (the npm package events, with what Node added since): EventEmitter, once and on (with an AbortSignal), errorMonitor. */
declare module 'events' {
  export class EventEmitter { constructor(...args: any[]); [key: string]: any }
  export function addAbortListener(...args: any[]): any;
  export const defaultMaxListeners: number;
  export const errorMonitor: unique symbol;
  export function getEventListeners(...args: any[]): any;
  export function init(...args: any[]): any;
  export function listenerCount(...args: any[]): any;
  export function on(...args: any[]): any;
  export function once(...args: any[]): any;
  export function setMaxListeners(...args: any[]): any;
}

/** Node's fs, read-only over the function's own files: its folder is "/" (and its cwd); ".." above it fails with EACCES, writes with EROFS. */
declare module 'fs' {
  export class Dirent { constructor(...args: any[]); [key: string]: any }
  export const F_OK: number;
  export const R_OK: number;
  export class ReadStream { constructor(...args: any[]); [key: string]: any }
  export class Stats { constructor(...args: any[]); [key: string]: any }
  export const W_OK: number;
  export class WriteStream { constructor(...args: any[]); [key: string]: any }
  export const X_OK: number;
  export function access(...args: any[]): any;
  export function accessSync(...args: any[]): any;
  export function appendFile(...args: any[]): any;
  export function appendFileSync(...args: any[]): any;
  export function chmod(...args: any[]): any;
  export function chmodSync(...args: any[]): any;
  export function chown(...args: any[]): any;
  export function chownSync(...args: any[]): any;
  export function close(...args: any[]): any;
  export function closeSync(...args: any[]): any;
  export const constants: any;
  export function copyFile(...args: any[]): any;
  export function copyFileSync(...args: any[]): any;
  export function cp(...args: any[]): any;
  export function cpSync(...args: any[]): any;
  export function createReadStream(...args: any[]): any;
  export function createWriteStream(...args: any[]): any;
  export function exists(...args: any[]): any;
  export function existsSync(...args: any[]): any;
  export function fstat(...args: any[]): any;
  export function fstatSync(...args: any[]): any;
  export function lchmod(...args: any[]): any;
  export function lchmodSync(...args: any[]): any;
  export function lchown(...args: any[]): any;
  export function lchownSync(...args: any[]): any;
  export function link(...args: any[]): any;
  export function linkSync(...args: any[]): any;
  export function lstat(...args: any[]): any;
  export function lstatSync(...args: any[]): any;
  export function lutimes(...args: any[]): any;
  export function lutimesSync(...args: any[]): any;
  export function mkdir(...args: any[]): any;
  export function mkdirSync(...args: any[]): any;
  export function mkdtemp(...args: any[]): any;
  export function mkdtempSync(...args: any[]): any;
  export function open(...args: any[]): any;
  export function openSync(...args: any[]): any;
  export function opendirSync(...args: any[]): any;
  export const promises: any;
  export function read(...args: any[]): any;
  export function readFile(...args: any[]): any;
  export function readFileSync(...args: any[]): any;
  export function readSync(...args: any[]): any;
  export function readdir(...args: any[]): any;
  export function readdirSync(...args: any[]): any;
  export function realpath(...args: any[]): any;
  export function realpathSync(...args: any[]): any;
  export function rename(...args: any[]): any;
  export function renameSync(...args: any[]): any;
  export function rm(...args: any[]): any;
  export function rmSync(...args: any[]): any;
  export function rmdir(...args: any[]): any;
  export function rmdirSync(...args: any[]): any;
  export function stat(...args: any[]): any;
  export function statSync(...args: any[]): any;
  export function symlink(...args: any[]): any;
  export function symlinkSync(...args: any[]): any;
  export function truncate(...args: any[]): any;
  export function truncateSync(...args: any[]): any;
  export function unlink(...args: any[]): any;
  export function unlinkSync(...args: any[]): any;
  export function unwatchFile(...args: any[]): any;
  export function utimes(...args: any[]): any;
  export function utimesSync(...args: any[]): any;
  export function watch(...args: any[]): any;
  export function watchFile(...args: any[]): any;
  export function write(...args: any[]): any;
  export function writeFile(...args: any[]): any;
  export function writeFileSync(...args: any[]): any;
  export function writeSync(...args: any[]): any;
}

/** Node's fs promises API, read-only as fs. */
declare module 'fs/promises' {
  export function access(...args: any[]): any;
  export function appendFile(...args: any[]): any;
  export function chmod(...args: any[]): any;
  export function chown(...args: any[]): any;
  export const constants: any;
  export function copyFile(...args: any[]): any;
  export function cp(...args: any[]): any;
  export function lchmod(...args: any[]): any;
  export function lchown(...args: any[]): any;
  export function link(...args: any[]): any;
  export function lstat(...args: any[]): any;
  export function lutimes(...args: any[]): any;
  export function mkdir(...args: any[]): any;
  export function mkdtemp(...args: any[]): any;
  export function open(...args: any[]): any;
  export function opendir(...args: any[]): any;
  export function readFile(...args: any[]): any;
  export function readdir(...args: any[]): any;
  export function realpath(...args: any[]): any;
  export function rename(...args: any[]): any;
  export function rm(...args: any[]): any;
  export function rmdir(...args: any[]): any;
  export function stat(...args: any[]): any;
  export function symlink(...args: any[]): any;
  export function truncate(...args: any[]): any;
  export function unlink(...args: any[]): any;
  export function utimes(...args: any[]): any;
  export function writeFile(...args: any[]): any;
}

/** Node's http client (no servers) over Go's net/http with fetch's limits. */
declare module 'http' {
  export class Agent { constructor(...args: any[]); [key: string]: any }
  export class ClientRequest { constructor(...args: any[]); [key: string]: any }
  export class IncomingMessage { constructor(...args: any[]); [key: string]: any }
  export const METHODS: any;
  export class OutgoingMessage { constructor(...args: any[]); [key: string]: any }
  export const STATUS_CODES: any;
  export function Server(...args: any[]): any;
  export class ServerResponse { constructor(...args: any[]); [key: string]: any }
  export function createServer(...args: any[]): any;
  export function get(...args: any[]): any;
  export const globalAgent: any;
  export const maxHeaderSize: number;
  export function request(...args: any[]): any;
  export function setMaxIdleHTTPParsers(...args: any[]): any;
  export function validateHeaderName(...args: any[]): any;
  export function validateHeaderValue(...args: any[]): any;
}

/** Node's http2 names, for packages that only check for them: connecting fails (use http or https). */
declare module 'http2' {
  export function connect(...args: any[]): any;
  export const constants: any;
  export function createSecureServer(...args: any[]): any;
  export function createServer(...args: any[]): any;
  export function getDefaultSettings(...args: any[]): any;
  export function getPackedSettings(...args: any[]): any;
  export function getUnpackedSettings(...args: any[]): any;
  export const sensitiveHeaders: unique symbol;
}

/** Node's https client (no servers) over Go's net/http with fetch's limits. */
declare module 'https' {
  export function Agent(...args: any[]): any;
  export function Server(...args: any[]): any;
  export function createServer(...args: any[]): any;
  export function get(...args: any[]): any;
  export const globalAgent: any;
  export function request(...args: any[]): any;
}

/** Node's net names (isIP, isIPv4…); no sockets: connecting fails. */
declare module 'net' {
  export function Server(...args: any[]): any;
  export class Socket { constructor(...args: any[]); [key: string]: any }
  export class Stream { constructor(...args: any[]); [key: string]: any }
  export function connect(...args: any[]): any;
  export function createConnection(...args: any[]): any;
  export function createServer(...args: any[]): any;
  export function getDefaultAutoSelectFamily(...args: any[]): any;
  export function isIP(...args: any[]): any;
  export function isIPv4(...args: any[]): any;
  export function isIPv6(...args: any[]): any;
  export function setDefaultAutoSelectFamily(...args: any[]): any;
}

/** Node's os with harmless values: nothing of the host. */
declare module 'os' {
  export const EOL: string;
  export function arch(...args: any[]): any;
  export function availableParallelism(...args: any[]): any;
  export const constants: any;
  export function cpus(...args: any[]): any;
  export const devNull: string;
  export function endianness(...args: any[]): any;
  export function freemem(...args: any[]): any;
  export function getPriority(...args: any[]): any;
  export function homedir(...args: any[]): any;
  export function hostname(...args: any[]): any;
  export function loadavg(...args: any[]): any;
  export function machine(...args: any[]): any;
  export function networkInterfaces(...args: any[]): any;
  export function platform(...args: any[]): any;
  export function release(...args: any[]): any;
  export function setPriority(...args: any[]): any;
  export function tmpdir(...args: any[]): any;
  export function totalmem(...args: any[]): any;
  export function type(...args: any[]): any;
  export function uptime(...args: any[]): any;
  export function userInfo(...args: any[]): any;
  export function version(...args: any[]): any;
}

/** Node's path (POSIX). */
declare module 'path' {
  export function basename(...args: any[]): any;
  export const delimiter: string;
  export function dirname(...args: any[]): any;
  export function extname(...args: any[]): any;
  export function format(...args: any[]): any;
  export function isAbsolute(...args: any[]): any;
  export function join(...args: any[]): any;
  export function normalize(...args: any[]): any;
  export function parse(...args: any[]): any;
  export const posix: any;
  export function relative(...args: any[]): any;
  export function resolve(...args: any[]): any;
  export const sep: string;
  export function toNamespacedPath(...args: any[]): any;
}

/** Node's path (POSIX). */
declare module 'path/posix' {
  export function basename(...args: any[]): any;
  export const delimiter: string;
  export function dirname(...args: any[]): any;
  export function extname(...args: any[]): any;
  export function format(...args: any[]): any;
  export function isAbsolute(...args: any[]): any;
  export function join(...args: any[]): any;
  export function normalize(...args: any[]): any;
  export function parse(...args: any[]): any;
  export const posix: any;
  export function relative(...args: any[]): any;
  export function resolve(...args: any[]): any;
  export const sep: string;
  export function toNamespacedPath(...args: any[]): any;
}

/** Node's process module: the global process. */
declare module 'process' {
  export const env: any;
}

/** Node's punycode (the npm package punycode). */
declare module 'punycode' {
  export function decode(...args: any[]): any;
  export function encode(...args: any[]): any;
  export function toASCII(...args: any[]): any;
  export function toUnicode(...args: any[]): any;
  export const ucs2: any;
  export const version: string;
}

/** Node's querystring. */
declare module 'querystring' {
  export function decode(...args: any[]): any;
  export function encode(...args: any[]): any;
  export function escape(...args: any[]): any;
  export function parse(...args: any[]): any;
  export function stringify(...args: any[]): any;
  export function unescape(...args: any[]): any;
  export function unescapeBuffer(...args: any[]): any;
}

/** Node's stream (the npm package readable-stream): Readable, Writable, Transform, PassThrough, pipeline, finished. */
declare module 'stream' {
  export class Duplex { constructor(...args: any[]); [key: string]: any }
  export class PassThrough { constructor(...args: any[]); [key: string]: any }
  export class Readable { constructor(...args: any[]); [key: string]: any }
  export class Stream { constructor(...args: any[]); [key: string]: any }
  export class Transform { constructor(...args: any[]); [key: string]: any }
  export class Writable { constructor(...args: any[]); [key: string]: any }
  export function _isUint8Array(...args: any[]): any;
  export function _uint8ArrayToBuffer(...args: any[]): any;
  export function addAbortSignal(...args: any[]): any;
  export function compose(...args: any[]): any;
  export function destroy(...args: any[]): any;
  export function finished(...args: any[]): any;
  export function getDefaultHighWaterMark(...args: any[]): any;
  export function isDestroyed(...args: any[]): any;
  export function isDisturbed(...args: any[]): any;
  export function isErrored(...args: any[]): any;
  export function isReadable(...args: any[]): any;
  export function isWritable(...args: any[]): any;
  export function pipeline(...args: any[]): any;
  export const promises: any;
  export function setDefaultHighWaterMark(...args: any[]): any;
}

/** Node's stream promises API: pipeline, finished. */
declare module 'stream/promises' {
  export function finished(...args: any[]): any;
  export function pipeline(...args: any[]): any;
}

/** Node's string_decoder (the npm package string_decoder). */
declare module 'string_decoder' {
  export class StringDecoder { constructor(...args: any[]); [key: string]: any }
}

/** Node's timers: the global timer functions. */
declare module 'timers' {
  export function clearImmediate(...args: any[]): any;
  export function clearInterval(...args: any[]): any;
  export function clearTimeout(...args: any[]): any;
  export const promises: any;
  export function setImmediate(...args: any[]): any;
  export function setInterval(...args: any[]): any;
  export function setTimeout(...args: any[]): any;
}

/** Node's timers promises API: setTimeout, setImmediate, setInterval. */
declare module 'timers/promises' {
  export const scheduler: any;
  export function setImmediate(...args: any[]): any;
  export function setInterval(...args: any[]): any;
  export function setTimeout(...args: any[]): any;
}

/** Node's tls names, for packages that only check for them: connecting fails (use https). */
declare module 'tls' {
  export const CLIENT_RENEG_LIMIT: number;
  export const CLIENT_RENEG_WINDOW: number;
  export const DEFAULT_CIPHERS: string;
  export const DEFAULT_ECDH_CURVE: string;
  export const DEFAULT_MAX_VERSION: string;
  export const DEFAULT_MIN_VERSION: string;
  export function SecureContext(...args: any[]): any;
  export function Server(...args: any[]): any;
  export class TLSSocket { constructor(...args: any[]); [key: string]: any }
  export function checkServerIdentity(...args: any[]): any;
  export function connect(...args: any[]): any;
  export function createSecureContext(...args: any[]): any;
  export function createServer(...args: any[]): any;
  export function getCiphers(...args: any[]): any;
  export const rootCertificates: any;
}

/** Node's tty: isatty is false. */
declare module 'tty' {
  export class ReadStream { constructor(...args: any[]); [key: string]: any }
  export class WriteStream { constructor(...args: any[]); [key: string]: any }
  export function isatty(...args: any[]): any;
}

/** Node's url: the WHATWG URL (goja_nodejs's) and the legacy parse, format, resolve. */
declare module 'url' {
  export { URL, URLSearchParams };
  export class Url { constructor(...args: any[]); [key: string]: any }
  export function domainToASCII(...args: any[]): any;
  export function domainToUnicode(...args: any[]): any;
  export function fileURLToPath(...args: any[]): any;
  export function format(...args: any[]): any;
  export function parse(...args: any[]): any;
  export function pathToFileURL(...args: any[]): any;
  export function resolve(...args: any[]): any;
  export function resolveObject(...args: any[]): any;
  export function urlToHttpOptions(...args: any[]): any;
}

/** Node's util: format, inspect, promisify, callbackify, inherits, types, isDeepStrictEqual… */
declare module 'util' {
  export function TextDecoder(...args: any[]): any;
  export function TextEncoder(...args: any[]): any;
  export function callbackify(...args: any[]): any;
  export function debug(...args: any[]): any;
  export function debuglog(...args: any[]): any;
  export function deprecate(...args: any[]): any;
  export function format(...args: any[]): any;
  export function formatWithOptions(...args: any[]): any;
  export function inherits(...args: any[]): any;
  export function inspect(...args: any[]): any;
  export function isArray(...args: any[]): any;
  export function isBoolean(...args: any[]): any;
  export function isBuffer(...args: any[]): any;
  export function isDate(...args: any[]): any;
  export function isDeepStrictEqual(...args: any[]): any;
  export function isError(...args: any[]): any;
  export function isFunction(...args: any[]): any;
  export function isNull(...args: any[]): any;
  export function isNullOrUndefined(...args: any[]): any;
  export function isNumber(...args: any[]): any;
  export function isObject(...args: any[]): any;
  export function isPrimitive(...args: any[]): any;
  export function isRegExp(...args: any[]): any;
  export function isString(...args: any[]): any;
  export function isSymbol(...args: any[]): any;
  export function isUndefined(...args: any[]): any;
  export function promisify(...args: any[]): any;
  export function stripVTControlCharacters(...args: any[]): any;
  export function toUSVString(...args: any[]): any;
  export const types: any;
}

/** Node's util.types. */
declare module 'util/types' {
  export function isAnyArrayBuffer(...args: any[]): any;
  export function isArgumentsObject(...args: any[]): any;
  export function isArrayBuffer(...args: any[]): any;
  export function isArrayBufferView(...args: any[]): any;
  export function isAsyncFunction(...args: any[]): any;
  export function isBigInt64Array(...args: any[]): any;
  export function isBigIntObject(...args: any[]): any;
  export function isBigUint64Array(...args: any[]): any;
  export function isBooleanObject(...args: any[]): any;
  export function isBoxedPrimitive(...args: any[]): any;
  export function isCryptoKey(...args: any[]): any;
  export function isDataView(...args: any[]): any;
  export function isDate(...args: any[]): any;
  export function isExternal(...args: any[]): any;
  export function isFloat32Array(...args: any[]): any;
  export function isFloat64Array(...args: any[]): any;
  export function isGeneratorFunction(...args: any[]): any;
  export function isGeneratorObject(...args: any[]): any;
  export function isInt16Array(...args: any[]): any;
  export function isInt32Array(...args: any[]): any;
  export function isInt8Array(...args: any[]): any;
  export function isKeyObject(...args: any[]): any;
  export function isMap(...args: any[]): any;
  export function isMapIterator(...args: any[]): any;
  export function isModuleNamespaceObject(...args: any[]): any;
  export function isNativeError(...args: any[]): any;
  export function isNumberObject(...args: any[]): any;
  export function isPromise(...args: any[]): any;
  export function isProxy(...args: any[]): any;
  export function isRegExp(...args: any[]): any;
  export function isSet(...args: any[]): any;
  export function isSetIterator(...args: any[]): any;
  export function isSharedArrayBuffer(...args: any[]): any;
  export function isStringObject(...args: any[]): any;
  export function isSymbolObject(...args: any[]): any;
  export function isTypedArray(...args: any[]): any;
  export function isUint16Array(...args: any[]): any;
  export function isUint32Array(...args: any[]): any;
  export function isUint8Array(...args: any[]): any;
  export function isUint8ClampedArray(...args: any[]): any;
  export function isWeakMap(...args: any[]): any;
  export function isWeakRef(...args: any[]): any;
  export function isWeakSet(...args: any[]): any;
}

/** Node's zlib over Go's compress/* and brotli: gzip, deflate, raw deflate, unzip and brotli, sync, callback and stream forms; output at most the function's memory. */
declare module 'zlib' {
  export class BrotliCompress { constructor(...args: any[]); [key: string]: any }
  export class BrotliDecompress { constructor(...args: any[]); [key: string]: any }
  export class Deflate { constructor(...args: any[]); [key: string]: any }
  export class DeflateRaw { constructor(...args: any[]); [key: string]: any }
  export class Gunzip { constructor(...args: any[]); [key: string]: any }
  export class Gzip { constructor(...args: any[]); [key: string]: any }
  export class Inflate { constructor(...args: any[]); [key: string]: any }
  export class InflateRaw { constructor(...args: any[]); [key: string]: any }
  export class Unzip { constructor(...args: any[]); [key: string]: any }
  export const Z_BEST_COMPRESSION: number;
  export const Z_BEST_SPEED: number;
  export const Z_BLOCK: number;
  export const Z_BUF_ERROR: number;
  export const Z_DATA_ERROR: number;
  export const Z_DEFAULT_CHUNK: number;
  export const Z_DEFAULT_COMPRESSION: number;
  export const Z_DEFAULT_LEVEL: number;
  export const Z_DEFAULT_MEMLEVEL: number;
  export const Z_DEFAULT_STRATEGY: number;
  export const Z_DEFAULT_WINDOWBITS: number;
  export const Z_ERRNO: number;
  export const Z_FILTERED: number;
  export const Z_FINISH: number;
  export const Z_FIXED: number;
  export const Z_FULL_FLUSH: number;
  export const Z_HUFFMAN_ONLY: number;
  export const Z_MAX_CHUNK: number;
  export const Z_MAX_LEVEL: number;
  export const Z_MAX_MEMLEVEL: number;
  export const Z_MAX_WINDOWBITS: number;
  export const Z_MEM_ERROR: number;
  export const Z_MIN_CHUNK: number;
  export const Z_MIN_LEVEL: number;
  export const Z_MIN_MEMLEVEL: number;
  export const Z_MIN_WINDOWBITS: number;
  export const Z_NEED_DICT: number;
  export const Z_NO_COMPRESSION: number;
  export const Z_NO_FLUSH: number;
  export const Z_OK: number;
  export const Z_PARTIAL_FLUSH: number;
  export const Z_RLE: number;
  export const Z_STREAM_END: number;
  export const Z_STREAM_ERROR: number;
  export const Z_SYNC_FLUSH: number;
  export const Z_VERSION_ERROR: number;
  export class Zlib { constructor(...args: any[]); [key: string]: any }
  export function brotliCompress(...args: any[]): any;
  export function brotliCompressSync(...args: any[]): any;
  export function brotliDecompress(...args: any[]): any;
  export function brotliDecompressSync(...args: any[]): any;
  export const codes: any;
  export const constants: any;
  export function crc32(...args: any[]): any;
  export function createBrotliCompress(...args: any[]): any;
  export function createBrotliDecompress(...args: any[]): any;
  export function createDeflate(...args: any[]): any;
  export function createDeflateRaw(...args: any[]): any;
  export function createGunzip(...args: any[]): any;
  export function createGzip(...args: any[]): any;
  export function createInflate(...args: any[]): any;
  export function createInflateRaw(...args: any[]): any;
  export function createUnzip(...args: any[]): any;
  export function deflate(...args: any[]): any;
  export function deflateRaw(...args: any[]): any;
  export function deflateRawSync(...args: any[]): any;
  export function deflateSync(...args: any[]): any;
  export function gunzip(...args: any[]): any;
  export function gunzipSync(...args: any[]): any;
  export function gzip(...args: any[]): any;
  export function gzipSync(...args: any[]): any;
  export function inflate(...args: any[]): any;
  export function inflateRaw(...args: any[]): any;
  export function inflateRawSync(...args: any[]): any;
  export function inflateSync(...args: any[]): any;
  export function unzip(...args: any[]): any;
  export function unzipSync(...args: any[]): any;
}
`;function A(r){const o=new Map,a=(t,e,n)=>{if(!/^[A-Za-z_$][\w$]*$/.test(t)||t.length>60)return;const s=o.get(t);(!s||(s.kind==="method"||s.kind==="property")&&e!=="method"&&e!=="property")&&o.set(t,{name:t,kind:e,detail:n})};for(const t of r.split(`
`)){const e=t.replace(/\/\/.*$/,"").trim();let n;if(n=/^(?:export\s+)?declare\s+(?:var|let|const)\s+([\w$]+)/.exec(e))a(n[1],"variable");else if(n=/^(?:export\s+)?(?:declare\s+)?function\s+([\w$]+)/.exec(e))a(n[1],"function");else if(n=/^(?:export\s+)?(?:declare\s+)?(?:interface|type|class)\s+([\w$]+)/.exec(e))a(n[1],"type");else if(n=/^(?:export\s+)?declare\s+namespace\s+([\w$]+)/.exec(e))a(n[1],"namespace");else{if(/^declare\s+module\s/.test(e))continue;(n=/^(?:readonly\s+)?([\w$]+)\??\s*(?:<[^>]*>)?\(/.exec(e))?a(n[1],"method"):(n=/^(?:readonly\s+)?([\w$]+)\??\s*:/.exec(e))&&a(n[1],"property")}}return[...o.values()].sort((t,e)=>t.name.localeCompare(e.name))}let u;function O(){return u??(u=A(N).map(r=>({label:r.name,type:r.kind,detail:r.detail})))}function T(r){return R(O())(r)}function C(r,o,a,t,e){const n=o.endsWith(".json")?y():p({typescript:o.endsWith(".ts")}),s=new i({parent:r,state:g.create({doc:a,extensions:[l(),f(),d(),x(),m(),b(_,{fallback:!0}),n,o.endsWith(".json")?[]:I({override:[T]}),h.of([...E,...S,v]),i.contentAttributes.of({"aria-label":e}),i.updateListener.of(c=>c.docChanged&&t(c.state.doc.toString())),i.theme({"&":{fontSize:"13px",border:"1px solid var(--line)",borderRadius:"6px"},".cm-scroller":{minHeight:"320px",maxHeight:"70vh"}})]})});return{view:s,destroy:()=>s.destroy()}}export{C as createEditor,O as typeCompletions};
