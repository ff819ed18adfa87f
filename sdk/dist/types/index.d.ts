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
import { type CallFunctionOptions, type CallFunctionResult } from './functions/index';
import { Auth } from './auth/auth';
import { Storage, type ImageOptions } from './storage/index';
/** wx-server-sdk's message for a cloud API used before init (spec §2.3). */
export declare const NOT_INITIALIZED = "Cloud API isn't enabled, please call init first\n\u8BF7\u5148\u8C03\u7528 init \u5B8C\u6210\u521D\u59CB\u5316\u540E\u518D\u8C03\u7528\u5176\u4ED6\u4E91 API\u3002";
/** The client init configured; throws wx-server-sdk's message before init. */
export declare function client(): Client;
/**
 * Configures the SDK: cloud.init({ endpoint, env?, accessToken?, adapter?,
 * timeout? }). Throws a CloudError (cloud.init:fail …) for an invalid
 * endpoint or option; calling it again replaces the configuration.
 */
export declare function init(opts: InitOptions): void;
/** End-user sign-in for the client init configured: cloud.auth(). */
export declare function auth(): Auth;
/** A database handle, as wx.cloud.database(): cloud.database({ env? }). */
export declare function database(opts?: {
    env?: string;
}): Database;
/**
 * Calls a cloud function, as wx.cloud.callFunction({ name, data }):
 * `{result, requestID, errMsg: 'cloud.callFunction:ok'}`, or with
 * success/fail/complete callbacks and no Promise.
 */
export declare function callFunction(opts: WithCallback<CallFunctionOptions, CallFunctionResult>): void;
export declare function callFunction(opts: NoCallback<CallFunctionOptions>): Promise<CallFunctionResult>;
/** cloud.uploadFile({cloudPath, filePath | file, onUploadProgress?}): see Storage.uploadFile. */
export declare const uploadFile: Storage['uploadFile'];
/** cloud.downloadFile({fileID}): see Storage.downloadFile. */
export declare const downloadFile: Storage['downloadFile'];
/** cloud.getTempFileURL({fileList}): see Storage.getTempFileURL. */
export declare const getTempFileURL: Storage['getTempFileURL'];
/** cloud.deleteFile({fileList}): see Storage.deleteFile. */
export declare const deleteFile: Storage['deleteFile'];
/** cloud.fileURL(fileID, {w, h, fit, q, format}?): a public file's URL; see Storage.fileURL. */
export declare function fileURL(fileID: string, image?: ImageOptions | string): string;
/** The cloud object: what `require('minibase-sdk')` returns. */
declare const cloud: {
    init: typeof init;
    database: typeof database;
    auth: typeof auth;
    callFunction: typeof callFunction;
    uploadFile: {
        (opts: WithCallback<import(".").UploadFileOptions, import(".").UploadFileResult>): import(".").UploadTask;
        (opts: NoCallback<import(".").UploadFileOptions>): Promise<import(".").UploadFileResult> & import(".").UploadTask;
    };
    downloadFile: {
        (opts: WithCallback<import(".").DownloadFileOptions, import(".").DownloadFileResult>): void;
        (opts: NoCallback<import(".").DownloadFileOptions>): Promise<import(".").DownloadFileResult>;
    };
    getTempFileURL: {
        (opts: WithCallback<import(".").GetTempFileURLOptions, import(".").GetTempFileURLResult>): void;
        (opts: NoCallback<import(".").GetTempFileURLOptions>): Promise<import(".").GetTempFileURLResult>;
    };
    deleteFile: {
        (opts: WithCallback<import(".").DeleteFileOptions, import(".").DeleteFileResult>): void;
        (opts: NoCallback<import(".").DeleteFileOptions>): Promise<import(".").DeleteFileResult>;
    };
    fileURL: typeof fileURL;
};
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
export type { Adapter, AdapterName, HttpRequest, HttpResponse, KV, MiniProgramAPI, Platform, SocketLike, UploadRequest, DownloadRequest, DownloadResponse, TransferProgress, } from './adapters/index';
