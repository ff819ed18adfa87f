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
import { failure } from '../core/client';
import { promiseOrCallback, type CallbackOptions } from '../core/callback';
import { ErrCode, cloudError } from '../core/errors';
import type { TransferProgress } from '../adapters/types';
import type { NoCallback, WithCallback } from '../database/types';
import { type ImageOptions, fileURL, invalid } from './url';

export { parseFileID, type ImageOptions } from './url';

/** At most this many fileIDs per getTempFileURL or deleteFile call (CloudBase's limit). */
export const MAX_FILE_LIST = 50;

/** The time limit of an upload or download when the call sets none (ms). */
export const TRANSFER_TIMEOUT = 10 * 60 * 1000;

const MINI_PROGRAMS = ['wx', 'my', 'tt', 'uni'];

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
  config?: { env?: string };
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
  config?: { env?: string };
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
export type TempFileItem = string | { fileID: string; maxAge?: number };

/** wx.cloud.getTempFileURL's options. */
export interface GetTempFileURLOptions extends CallbackOptions<GetTempFileURLResult> {
  fileList: TempFileItem[];
  config?: { env?: string };
}

/** wx.cloud.getTempFileURL's result; an item that failed has status ≠ 0 and its reason in errMsg. */
export interface GetTempFileURLResult {
  fileList: { fileID: string; tempFileURL: string; maxAge: number; status: number; errMsg: string }[];
  errMsg: string;
}

/** wx.cloud.deleteFile's options. */
export interface DeleteFileOptions extends CallbackOptions<DeleteFileResult> {
  fileList: string[];
  config?: { env?: string };
}

/** wx.cloud.deleteFile's result; an item that failed has status ≠ 0 and its reason in errMsg. */
export interface DeleteFileResult {
  fileList: { fileID: string; status: number; errMsg: string }[];
  errMsg: string;
}

const UPLOAD = 'cloud.uploadFile';
const DOWNLOAD = 'cloud.downloadFile';
const TEMP_URL = 'cloud.getTempFileURL';
const DELETE = 'cloud.deleteFile';

/** The storage calls of one client; cloud.uploadFile and the others call these. */
export class Storage {
  /** @internal */
  private readonly c: Client;

  constructor(client: Client) {
    this.c = client;
  }

  /**
   * Uploads a file to cloudPath: POST /v1/storage/upload (multipart
   * cloudPath + file). Resolves {fileID, statusCode, errMsg:
   * 'cloud.uploadFile:ok'}. With callbacks it returns an UploadTask; without,
   * a Promise that is an UploadTask too. Throws INVALID_PARAM for a missing
   * cloudPath or a file this platform cannot send.
   */
  uploadFile(opts: WithCallback<UploadFileOptions, UploadFileResult>): UploadTask;
  uploadFile(opts: NoCallback<UploadFileOptions>): Promise<UploadFileResult> & UploadTask;
  uploadFile(opts: UploadFileOptions): (Promise<UploadFileResult> & UploadTask) | UploadTask {
    if (opts === null || typeof opts !== 'object') throw invalid(UPLOAD, 'options must be an object');
    const { cloudPath } = opts;
    if (typeof cloudPath !== 'string' || cloudPath === '') throw invalid(UPLOAD, 'cloudPath must be a non-empty string');
    const file = this.checkFile(opts);
    const timeout = checkTimeout(UPLOAD, opts.timeout);
    const upload = this.c.adapter.uploadFile;
    if (!upload) throw invalid(UPLOAD, `the ${this.c.adapter.name} adapter cannot upload files`);

    const listeners = new Set<(p: UploadProgress) => void>();
    if (typeof opts.onUploadProgress === 'function') listeners.add(opts.onUploadProgress);
    let abort: (() => void) | undefined;
    let aborted = false;
    const task: UploadTask = {
      onProgressUpdate: (cb) => void (typeof cb === 'function' && listeners.add(cb)),
      offProgressUpdate: (cb) => (cb ? void listeners.delete(cb) : listeners.clear()),
      abort: () => {
        aborted = true;
        abort?.();
      },
    };
    const onProgress = (p: TransferProgress) => emit(listeners, p);
    const run = async (): Promise<UploadFileResult> => {
      if (aborted) throw cloudError(UPLOAD, ErrCode.UNKNOWN, 'abort');
      const res = await this.c.transfer(
        UPLOAD,
        (headers) =>
          upload({
            url: this.c.endpoint + '/v1/storage/upload',
            headers,
            file,
            fileName: cloudPath.slice(cloudPath.lastIndexOf('/') + 1),
            fileField: 'file',
            fields: { cloudPath },
            timeout,
            onProgress,
            onAbortable: (a) => {
              abort = a;
              if (aborted) a();
            },
          }),
        timeout,
        (r) => r.data,
      );
      if (res.status < 200 || res.status >= 300) throw failure(UPLOAD, res.status, res.data);
      const d = res.data as { fileID?: unknown; statusCode?: unknown } | undefined;
      if (!d || typeof d.fileID !== 'string') throw cloudError(UPLOAD, ErrCode.SYS_ERR, 'the server answered without a fileID');
      const statusCode = typeof d.statusCode === 'number' ? d.statusCode : res.status;
      return { fileID: d.fileID, statusCode, errMsg: UPLOAD + ':ok' };
    };
    const p = promiseOrCallback(opts, run);
    return p ? Object.assign(p, task) : task;
  }

  /**
   * Downloads a file: GET /v1/storage/download?fileID=. Resolves
   * {tempFilePath} in mini-programs, {fileContent: ArrayBuffer} elsewhere,
   * with statusCode and errMsg 'cloud.downloadFile:ok'.
   */
  downloadFile(opts: WithCallback<DownloadFileOptions, DownloadFileResult>): void;
  downloadFile(opts: NoCallback<DownloadFileOptions>): Promise<DownloadFileResult>;
  downloadFile(opts: DownloadFileOptions): Promise<DownloadFileResult> | void {
    if (opts === null || typeof opts !== 'object') throw invalid(DOWNLOAD, 'options must be an object');
    const { fileID } = opts;
    if (typeof fileID !== 'string' || fileID === '') throw invalid(DOWNLOAD, 'fileID must be a non-empty string');
    const timeout = checkTimeout(DOWNLOAD, opts.timeout);
    const download = this.c.adapter.downloadFile;
    if (!download) throw invalid(DOWNLOAD, `the ${this.c.adapter.name} adapter cannot download files`);
    return promiseOrCallback(opts, async () => {
      const url = this.c.endpoint + '/v1/storage/download?fileID=' + encodeURIComponent(fileID);
      const res = await this.c.transfer(DOWNLOAD, (headers) => download({ url, headers, timeout }), timeout, (r) => r.error);
      if (res.status < 200 || res.status >= 300) throw failure(DOWNLOAD, res.status, res.error);
      const out: DownloadFileResult = { statusCode: res.status, errMsg: DOWNLOAD + ':ok' };
      if (res.tempFilePath !== undefined) out.tempFilePath = res.tempFilePath;
      else out.fileContent = res.data ?? new ArrayBuffer(0);
      return out;
    });
  }

  /**
   * Temporary URLs for up to 50 files: POST /v1/storage/temp-urls. Each item
   * has its own status (0 when it worked) and errMsg ('ok' or the reason).
   * Throws INVALID_PARAM when fileList is not an array of 1 to 50 fileIDs
   * (or {fileID, maxAge} items).
   */
  getTempFileURL(opts: WithCallback<GetTempFileURLOptions, GetTempFileURLResult>): void;
  getTempFileURL(opts: NoCallback<GetTempFileURLOptions>): Promise<GetTempFileURLResult>;
  getTempFileURL(opts: GetTempFileURLOptions): Promise<GetTempFileURLResult> | void {
    const fileList = checkList(TEMP_URL, opts, (it) =>
      typeof it === 'string'
        ? it !== ''
        : it !== null && typeof it === 'object' && typeof it.fileID === 'string' && it.fileID !== '' &&
          (it.maxAge === undefined || (Number.isInteger(it.maxAge) && it.maxAge > 0)),
    );
    return promiseOrCallback(opts, async () => {
      const r = await this.c.request<GetTempFileURLResult>(TEMP_URL, 'POST', '/v1/storage/temp-urls', { fileList });
      const items = Array.isArray(r.fileList) ? r.fileList : [];
      for (const it of items) {
        if (typeof it.tempFileURL === 'string' && it.tempFileURL.startsWith('/')) it.tempFileURL = this.c.endpoint + it.tempFileURL;
      }
      return { fileList: items, errMsg: TEMP_URL + ':ok' };
    });
  }

  /**
   * Deletes up to 50 files: POST /v1/storage/delete. A file that is already
   * gone counts as deleted, as in CloudBase; each item has its own status.
   * Throws INVALID_PARAM when fileList is not an array of 1 to 50 fileIDs.
   */
  deleteFile(opts: WithCallback<DeleteFileOptions, DeleteFileResult>): void;
  deleteFile(opts: NoCallback<DeleteFileOptions>): Promise<DeleteFileResult>;
  deleteFile(opts: DeleteFileOptions): Promise<DeleteFileResult> | void {
    const fileList = checkList(DELETE, opts, (it) => typeof it === 'string' && it !== '');
    return promiseOrCallback(opts, async () => {
      const r = await this.c.request<DeleteFileResult>(DELETE, 'POST', '/v1/storage/delete', { fileList });
      return { fileList: Array.isArray(r.fileList) ? r.fileList : [], errMsg: DELETE + ':ok' };
    });
  }

  /**
   * The URL of a file in a public bucket, for an <image src> or a link:
   * `<endpoint>/f/<bucket>/<path>`, with resizing parameters when image is
   * given ({w, h, fit, q, format}, or an 'imageView2/…' string). Files in
   * private buckets need getTempFileURL (a signed URL) instead. Throws
   * INVALID_PARAM for a malformed fileID or parameter.
   */
  fileURL(fileID: string, image?: ImageOptions | string): string {
    return fileURL(this.c.endpoint, fileID, image);
  }

  // checkFile picks the file to send and checks this platform can send it.
  private checkFile(opts: UploadFileOptions): string | Blob | Uint8Array | ArrayBuffer {
    const file = opts.file ?? opts.filePath;
    const mp = MINI_PROGRAMS.includes(this.c.adapter.name);
    if (mp) {
      if (typeof file !== 'string' || file === '') {
        throw invalid(UPLOAD, 'filePath must be the path of a local file (a tempFilePath from wx.chooseMedia or similar)');
      }
      return file;
    }
    const isBytes =
      (typeof Blob === 'function' && file instanceof Blob) || file instanceof Uint8Array || file instanceof ArrayBuffer;
    if (!isBytes) {
      throw invalid(
        UPLOAD,
        typeof file === 'string'
          ? 'a file path works in mini-programs only: pass the bytes as file (a File, Blob or Buffer)'
          : 'file must be a File, Blob, Buffer, Uint8Array or ArrayBuffer',
      );
    }
    return file as Blob | Uint8Array | ArrayBuffer;
  }
}

// emit sends a progress event to every listener; a listener that throws is
// rethrown from a fresh task, as promiseOrCallback does with callbacks.
function emit(listeners: Set<(p: UploadProgress) => void>, p: TransferProgress): void {
  const e: UploadProgress = {
    progress: p.total > 0 ? Math.min(100, Math.round((p.loaded * 100) / p.total)) : 0,
    totalBytesSent: p.loaded,
    totalBytesExpectedToSend: p.total,
    loaded: p.loaded,
    total: p.total,
  };
  for (const cb of listeners) {
    try {
      cb(e);
    } catch (err) {
      setTimeout(() => {
        throw err;
      }, 0);
    }
  }
}

function checkTimeout(api: string, t: unknown): number {
  if (t === undefined) return TRANSFER_TIMEOUT;
  if (typeof t === 'number' && t > 0 && Number.isFinite(t)) return t;
  throw invalid(api, `timeout must be a positive number of milliseconds, got ${String(t)}`);
}

// checkList validates a fileList of 1 to MAX_FILE_LIST items.
function checkList<T>(api: string, opts: { fileList: T[] } | undefined, ok: (item: T) => boolean): T[] {
  if (opts === null || typeof opts !== 'object') throw invalid(api, 'options must be an object');
  const list = opts.fileList;
  if (!Array.isArray(list) || list.length === 0) throw invalid(api, 'fileList must be a non-empty array');
  if (list.length > MAX_FILE_LIST) {
    throw invalid(api, `fileList holds ${list.length} items; at most ${MAX_FILE_LIST} per call`);
  }
  const bad = list.findIndex((it) => !ok(it));
  if (bad >= 0) throw invalid(api, `fileList[${bad}] is not a fileID: ${JSON.stringify(list[bad]) ?? String(list[bad])}`);
  return list;
}
