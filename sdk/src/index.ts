/**
 * minibase-sdk: wx.cloud's client API (dialect A) for a minibase server.
 *
 *   const cloud = require('minibase-sdk')   // or: import cloud from 'minibase-sdk'
 *   cloud.init({ endpoint: 'https://api.example.com', env: 'prod' })
 *   const { data } = await cloud.database().collection('todos').where({ done: false }).get()
 *
 * The default export is the cloud object; the named exports serve
 * TypeScript users and tests.
 */
import { Client, type InitOptions } from './core/client';
import { CloudError, ErrCode } from './core/errors';
import { Database } from './database/index';
import type { NoCallback, WithCallback } from './database/types';
import { callFunction as call, type CallFunctionOptions, type CallFunctionResult } from './functions/index';
import { Auth } from './auth/auth';
import { Storage, type ImageOptions } from './storage/index';

/** wx-server-sdk's message for a cloud API used before init (spec §2.3). */
export const NOT_INITIALIZED =
  "Cloud API isn't enabled, please call init first\n请先调用 init 完成初始化后再调用其他云 API。";

let current: Client | undefined;
let currentAuth: Auth | undefined;

/** The client init configured; throws wx-server-sdk's message before init. */
export function client(): Client {
  if (!current) throw new CloudError(ErrCode.RESOURCE_NOT_INITIAL, NOT_INITIALIZED);
  return current;
}

/**
 * Configures the SDK: cloud.init({ endpoint, env?, accessToken?, adapter?,
 * timeout? }). Throws a CloudError (cloud.init:fail …) for an invalid
 * endpoint or option; calling it again replaces the configuration.
 */
export function init(opts: InitOptions): void {
  const c = new Client(opts);
  const a = new Auth(c, opts.autoLogin);
  // A fixed accessToken (an admin key, a server's token) wins; otherwise
  // requests carry the signed-in user's token, from a session stored by an
  // earlier run too.
  if (!opts.accessToken) c.setTokenSource(a.tokens);
  current = c;
  currentAuth = a;
}

/** End-user sign-in for the client init configured: cloud.auth(). */
export function auth(): Auth {
  client();
  return currentAuth!;
}

/** A database handle, as wx.cloud.database(): cloud.database({ env? }). */
export function database(opts?: { env?: string }): Database {
  return new Database(client(), opts);
}

/**
 * Calls a cloud function, as wx.cloud.callFunction({ name, data }):
 * `{result, requestID, errMsg: 'cloud.callFunction:ok'}`, or with
 * success/fail/complete callbacks and no Promise.
 */
export function callFunction(opts: WithCallback<CallFunctionOptions, CallFunctionResult>): void;
export function callFunction(opts: NoCallback<CallFunctionOptions>): Promise<CallFunctionResult>;
export function callFunction(opts: CallFunctionOptions): Promise<CallFunctionResult> | void {
  return call(client(), opts);
}

// The storage calls keep Storage's overloads (callbacks: no Promise).

/** cloud.uploadFile({cloudPath, filePath | file, onUploadProgress?}): see Storage.uploadFile. */
export const uploadFile: Storage['uploadFile'] = (opts: any): any => new Storage(client()).uploadFile(opts);

/** cloud.downloadFile({fileID}): see Storage.downloadFile. */
export const downloadFile: Storage['downloadFile'] = (opts: any): any => new Storage(client()).downloadFile(opts);

/** cloud.getTempFileURL({fileList}): see Storage.getTempFileURL. */
export const getTempFileURL: Storage['getTempFileURL'] = (opts: any): any => new Storage(client()).getTempFileURL(opts);

/** cloud.deleteFile({fileList}): see Storage.deleteFile. */
export const deleteFile: Storage['deleteFile'] = (opts: any): any => new Storage(client()).deleteFile(opts);

/** cloud.fileURL(fileID, {w, h, fit, q, format}?): a public file's URL; see Storage.fileURL. */
export function fileURL(fileID: string, image?: ImageOptions | string): string {
  return new Storage(client()).fileURL(fileID, image);
}

/** The cloud object: what `require('minibase-sdk')` returns. */
const cloud = { init, database, auth, callFunction, uploadFile, downloadFile, getTempFileURL, deleteFile, fileURL };
export default cloud;

export { Client, CloudError, ErrCode };
export { cloudError, serverError, ERR_TEXT } from './core/errors';
export { promiseOrCallback } from './core/callback';
export type { CallbackOptions } from './core/callback';
export type { InitOptions, TokenSource, RequestOptions, Method } from './core/client';
export { Database } from './database/index';
export type { CallFunctionOptions, CallFunctionResult } from './functions/index';
export type { Snapshot, ChangeEvent, DataType, QueueType, WatchOptions, Watcher } from './realtime/watch';
export { Auth } from './auth/auth';
export type { LoginState, AutoLogin, Account } from './auth/auth';
export type { AuthUser, AdminAccount, Session } from './auth/index';
export { Storage, parseFileID, MAX_FILE_LIST, TRANSFER_TIMEOUT } from './storage/index';
export type * from './storage/index';
export { fetchAdapter, miniProgramAdapter, memoryKV, networkError, timeoutError, abortError } from './adapters/index';
export type {
  Adapter,
  AdapterName,
  HttpRequest,
  HttpResponse,
  KV,
  MiniProgramAPI,
  Platform,
  SocketLike,
  UploadRequest,
  DownloadRequest,
  DownloadResponse,
  TransferProgress,
} from './adapters/index';
