/**
 * File transfers for the mini-program adapter: wx.uploadFile and
 * wx.downloadFile (and their Alipay, Douyin and uni-app twins), which are
 * the only way a mini-program sends or receives a file. Both resolve for
 * every HTTP status and reject only when no answer came.
 */
import {
  abortError,
  networkError,
  parseBody,
  timeoutError,
  type DownloadRequest,
  type DownloadResponse,
  type HttpResponse,
  type UploadRequest,
} from './types';

/** What the transfer callbacks receive: Alipay names fields differently (status, headers, apFilePath). */
interface TransferResult {
  data?: unknown;
  statusCode?: number;
  status?: number;
  header?: Record<string, string>;
  headers?: Record<string, string>;
  tempFilePath?: string;
  apFilePath?: string;
  errMsg?: string;
  error?: number;
  errorMessage?: string;
}

/** An UploadTask or DownloadTask. */
interface TransferTask {
  abort?(): void;
  onProgressUpdate?(cb: (p: { progress?: number; totalBytesSent?: number; totalBytesExpectedToSend?: number }) => void): void;
}

/** The part of wx (and my, tt, uni) the transfers use. */
export interface TransferAPI {
  uploadFile(opts: {
    url: string;
    filePath: string;
    name?: string;
    fileName?: string;
    fileType?: string;
    header?: Record<string, string>;
    headers?: Record<string, string>;
    formData: Record<string, string>;
    timeout: number;
    success(res: TransferResult): void;
    fail(res: TransferResult): void;
  }): TransferTask | void;
  downloadFile(opts: {
    url: string;
    header?: Record<string, string>;
    headers?: Record<string, string>;
    timeout: number;
    success(res: TransferResult): void;
    fail(res: TransferResult): void;
  }): TransferTask | void;
  getFileSystemManager(): { readFileSync(path: string, encoding?: string): unknown };
}

/**
 * Uploads the local file req.file (a temp file path) with uploadFile.
 * Progress comes from the task's onProgressUpdate; req.onAbortable gets the
 * task's abort.
 */
export function mpUpload(platform: string, api: Partial<TransferAPI>, req: UploadRequest): Promise<HttpResponse> {
  if (typeof req.file !== 'string') {
    return Promise.reject(new Error(`${platform}.uploadFile takes a file path (a tempFilePath), not ${typeof req.file}`));
  }
  const filePath = req.file;
  const alipay = platform === 'my';
  return once<HttpResponse>(req.timeout, (settle) => {
    const task = api.uploadFile!({
      url: req.url,
      filePath,
      // Alipay names the field fileName and requires a fileType.
      ...(alipay ? { fileName: req.fileField, fileType: 'image' } : { name: req.fileField }),
      [alipay ? 'headers' : 'header']: req.headers,
      formData: req.fields,
      timeout: req.timeout,
      success: (res) => settle(() => answer(res)),
      fail: (res) => settle(() => failure(res, req.timeout)),
    });
    const onProgress = req.onProgress;
    if (onProgress && task && typeof task.onProgressUpdate === 'function') {
      task.onProgressUpdate((p) => onProgress({ loaded: p.totalBytesSent ?? 0, total: p.totalBytesExpectedToSend ?? 0 }));
    }
    req.onAbortable?.(() => {
      settle(() => {
        throw abortError();
      });
      task?.abort?.();
    });
    return task;
  });
}

/**
 * Downloads req.url to a temp file with downloadFile. For an error status
 * the file holds the server's error body: it is read back (through
 * getFileSystemManager, when the platform has it) into error.
 */
export function mpDownload(platform: string, api: Partial<TransferAPI>, req: DownloadRequest): Promise<DownloadResponse> {
  const alipay = platform === 'my';
  return once<DownloadResponse>(req.timeout, (settle) =>
    api.downloadFile!({
      url: req.url,
      [alipay ? 'headers' : 'header']: req.headers,
      timeout: req.timeout,
      success: (res) =>
        settle(() => {
          const status = Number(res.statusCode ?? res.status ?? 200);
          const tempFilePath = res.tempFilePath ?? res.apFilePath;
          if (status >= 400) return { status, error: readError(api, tempFilePath) };
          return { status, tempFilePath };
        }),
      fail: (res) =>
        settle(() => {
          const r = failure(res, req.timeout);
          return { status: r.status, error: r.data };
        }),
    }),
  );
}

// once runs start with a settle function that takes effect once, and gives
// up (aborting the task) after ms: platforms do not always call back.
function once<T>(ms: number, start: (settle: (f: () => T) => void) => TransferTask | void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let task: TransferTask | void = undefined;
    const settle = (f: () => T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        resolve(f());
      } catch (e) {
        reject(e);
      }
    };
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      try {
        task?.abort?.();
      } catch {
        // we already gave up
      }
      reject(timeoutError(ms));
    }, ms);
    task = start(settle);
  });
}

function answer(res: TransferResult): HttpResponse {
  const raw = res.header ?? res.headers ?? {};
  const headers: Record<string, string> = {};
  for (const k of Object.keys(raw)) headers[k.toLowerCase()] = String(raw[k]);
  // uploadFile gives the body as a string.
  const data = typeof res.data === 'string' ? parseBody(res.data) : res.data;
  return { status: Number(res.statusCode ?? res.status), headers, data };
}

// failure: a fail callback. Alipay reports HTTP statuses >= 400 through
// fail with the response attached: that is an answer.
function failure(res: TransferResult | undefined, ms: number): HttpResponse {
  const r = res ?? {};
  if (typeof (r.statusCode ?? r.status) === 'number') return answer(r);
  const msg = r.errMsg ?? r.errorMessage ?? (r.error !== undefined ? `error ${r.error}` : 'transfer failed');
  if (/abort/i.test(msg)) throw abortError();
  if (r.error === 13 || /time ?out/i.test(msg)) throw timeoutError(ms);
  throw networkError(msg);
}

function readError(api: Partial<TransferAPI>, path: string | undefined): unknown {
  if (!path || typeof api.getFileSystemManager !== 'function') return undefined;
  try {
    const text = api.getFileSystemManager().readFileSync(path, 'utf8');
    return typeof text === 'string' ? parseBody(text) : undefined;
  } catch {
    return undefined;
  }
}
