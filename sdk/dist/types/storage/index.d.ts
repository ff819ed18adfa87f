/**
 * Cloud storage: wx.cloud's uploadFile, downloadFile, getTempFileURL and
 * deleteFile (dialect A, spec §2.1 and §4), plus fileURL, which turns a
 * fileID into a URL for an <image src> (with resizing parameters).
 *
 * The bytes go through the adapter's uploadFile/downloadFile
 * (wx.uploadFile/wx.downloadFile in mini-programs; XMLHttpRequest or fetch
 * elsewhere); temp-urls and delete are JSON calls through Client.request.
 * Invalid arguments throw a CloudError (INVALID_PARAM) synchronously, as
 * the database builder's do; failures of the call itself reach fail or the
 * rejection.
 */
import type { Client } from '../core/client';
import { type CallbackOptions } from '../core/callback';
import type { NoCallback, WithCallback } from '../database/types';
import { type ImageOptions } from './url';
export { parseFileID, type ImageOptions } from './url';
/** At most this many fileIDs per getTempFileURL or deleteFile call (CloudBase's limit). */
export declare const MAX_FILE_LIST = 50;
/** The time limit of an upload or download when the call sets none (ms). */
export declare const TRANSFER_TIMEOUT: number;
/** Upload progress, in wx's names and in the web SDK's. */
export interface UploadProgress {
    /** Percent, 0–100 (0 while the total is unknown). */
    progress: number;
    totalBytesSent: number;
    totalBytesExpectedToSend: number;
    /** The same as totalBytesSent and totalBytesExpectedToSend. */
    loaded: number;
    total: number;
}
/** wx.cloud.uploadFile's options. */
export interface UploadFileOptions extends CallbackOptions<UploadFileResult> {
    /** Where the file goes in the bucket, e.g. 'avatars/u1.png'; the same path overwrites. */
    cloudPath: string;
    /**
     * Mini-programs: a temp file path (from wx.chooseMedia…). Web: a File or
     * Blob, as the CloudBase web SDK takes it.
     */
    filePath?: string | Blob;
    /** Web and Node: the bytes, a Blob/File or a Buffer/Uint8Array/ArrayBuffer (filePath's alternative). */
    file?: Blob | Uint8Array | ArrayBuffer;
    /** Called as bytes go out, where the platform reports it (not with Node's fetch). */
    onUploadProgress?(p: UploadProgress): void;
    /** Time limit in ms (default TRANSFER_TIMEOUT). */
    timeout?: number;
    /** Accepted for wx.cloud compatibility; the server is the one init named. */
    config?: {
        env?: string;
    };
}
/** wx.cloud.uploadFile's result ('cloud.uploadFile:ok'). */
export interface UploadFileResult {
    fileID: string;
    statusCode: number;
    errMsg: string;
}
/**
 * What uploadFile returns: with callbacks, wx's UploadTask; without, the
 * Promise of the result with the same methods.
 */
export interface UploadTask {
    /** Adds a progress listener (wx's UploadTask.onProgressUpdate). */
    onProgressUpdate(cb: (p: UploadProgress) => void): void;
    /** Removes a listener, or all of them without an argument. */
    offProgressUpdate(cb?: (p: UploadProgress) => void): void;
    /** Stops the upload: it fails with 'cloud.uploadFile:fail abort'. */
    abort(): void;
}
/** wx.cloud.downloadFile's options. */
export interface DownloadFileOptions extends CallbackOptions<DownloadFileResult> {
    fileID: string;
    /** Time limit in ms (default TRANSFER_TIMEOUT). */
    timeout?: number;
    config?: {
        env?: string;
    };
}
/**
 * wx.cloud.downloadFile's result: tempFilePath in mini-programs (as
 * wx.cloud), fileContent (an ArrayBuffer) in browsers and Node (as
 * wx-server-sdk's fileContent, which is a Buffer there: Buffer.from(it)).
 */
export interface DownloadFileResult {
    tempFilePath?: string;
    fileContent?: ArrayBuffer;
    statusCode: number;
    errMsg: string;
}
/** A getTempFileURL item: a fileID, or one with its own maxAge in seconds. */
export type TempFileItem = string | {
    fileID: string;
    maxAge?: number;
};
/** wx.cloud.getTempFileURL's options. */
export interface GetTempFileURLOptions extends CallbackOptions<GetTempFileURLResult> {
    fileList: TempFileItem[];
    config?: {
        env?: string;
    };
}
/** wx.cloud.getTempFileURL's result; an item that failed has status ≠ 0 and its reason in errMsg. */
export interface GetTempFileURLResult {
    fileList: {
        fileID: string;
        tempFileURL: string;
        maxAge: number;
        status: number;
        errMsg: string;
    }[];
    errMsg: string;
}
/** wx.cloud.deleteFile's options. */
export interface DeleteFileOptions extends CallbackOptions<DeleteFileResult> {
    fileList: string[];
    config?: {
        env?: string;
    };
}
/** wx.cloud.deleteFile's result; an item that failed has status ≠ 0 and its reason in errMsg. */
export interface DeleteFileResult {
    fileList: {
        fileID: string;
        status: number;
        errMsg: string;
    }[];
    errMsg: string;
}
/** The storage calls of one client; cloud.uploadFile and the others call these. */
export declare class Storage {
    constructor(client: Client);
    /**
     * Uploads a file to cloudPath: POST /v1/storage/upload (multipart
     * cloudPath + file). Resolves {fileID, statusCode, errMsg:
     * 'cloud.uploadFile:ok'}. With callbacks it returns an UploadTask; without,
     * a Promise that is an UploadTask too. Throws INVALID_PARAM for a missing
     * cloudPath or a file this platform cannot send.
     */
    uploadFile(opts: WithCallback<UploadFileOptions, UploadFileResult>): UploadTask;
    uploadFile(opts: NoCallback<UploadFileOptions>): Promise<UploadFileResult> & UploadTask;
    /**
     * Downloads a file: GET /v1/storage/download?fileID=. Resolves
     * {tempFilePath} in mini-programs, {fileContent: ArrayBuffer} elsewhere,
     * with statusCode and errMsg 'cloud.downloadFile:ok'.
     */
    downloadFile(opts: WithCallback<DownloadFileOptions, DownloadFileResult>): void;
    downloadFile(opts: NoCallback<DownloadFileOptions>): Promise<DownloadFileResult>;
    /**
     * Temporary URLs for up to 50 files: POST /v1/storage/temp-urls. Each item
     * has its own status (0 when it worked) and errMsg ('ok' or the reason).
     * Throws INVALID_PARAM when fileList is not an array of 1 to 50 fileIDs
     * (or {fileID, maxAge} items).
     */
    getTempFileURL(opts: WithCallback<GetTempFileURLOptions, GetTempFileURLResult>): void;
    getTempFileURL(opts: NoCallback<GetTempFileURLOptions>): Promise<GetTempFileURLResult>;
    /**
     * Deletes up to 50 files: POST /v1/storage/delete. A file that is already
     * gone counts as deleted, as in CloudBase; each item has its own status.
     * Throws INVALID_PARAM when fileList is not an array of 1 to 50 fileIDs.
     */
    deleteFile(opts: WithCallback<DeleteFileOptions, DeleteFileResult>): void;
    deleteFile(opts: NoCallback<DeleteFileOptions>): Promise<DeleteFileResult>;
    /**
     * The URL of a file in a public bucket, for an <image src> or a link:
     * `<endpoint>/f/<bucket>/<path>`, with resizing parameters when image is
     * given ({w, h, fit, q, format}, or an 'imageView2/…' string). Files in
     * private buckets need getTempFileURL (a signed URL) instead. Throws
     * INVALID_PARAM for a malformed fileID or parameter.
     */
    fileURL(fileID: string, image?: ImageOptions | string): string;
    private checkFile;
}
