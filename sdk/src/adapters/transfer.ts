/**
 * File transfers for the fetch adapter (browsers, Node 18+): multipart
 * uploads through XMLHttpRequest when the platform has it (browsers: it
 * reports upload progress and can be aborted), else through fetch (Node:
 * no progress); downloads through fetch, into an ArrayBuffer.
 */
import { describe, lowerHeaders } from './fetch';
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

/** Uploads req.file as multipart/form-data. */
export function fetchUpload(req: UploadRequest): Promise<HttpResponse> {
  if (typeof req.file === 'string') {
    return Promise.reject(new Error('a file path works in mini-programs only; pass the bytes (a Blob, File or Buffer)'));
  }
  const form = new FormData();
  for (const k of Object.keys(req.fields)) form.append(k, req.fields[k]);
  const blob = req.file instanceof Blob ? req.file : new Blob([req.file as BlobPart]);
  form.append(req.fileField, blob, req.fileName ?? 'file');
  if (typeof XMLHttpRequest === 'function') return xhrUpload(req, form);
  return fetchPost(req, form);
}

/** Downloads req.url into an ArrayBuffer; an error status's body is parsed into error. */
export async function fetchDownload(req: DownloadRequest): Promise<DownloadResponse> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), req.timeout);
  try {
    const res = await fetch(req.url, { headers: req.headers, signal: ctrl.signal });
    if (res.status >= 400) return { status: res.status, error: parseBody(await res.text()) };
    return { status: res.status, data: await res.arrayBuffer() };
  } catch (e) {
    if (ctrl.signal.aborted) throw timeoutError(req.timeout);
    throw networkError(describe(e));
  } finally {
    clearTimeout(timer);
  }
}

// fetchPost sends the form with fetch, with the time limit covering the
// answer's body too, and an abort the caller can reach.
async function fetchPost(req: UploadRequest, form: FormData): Promise<HttpResponse> {
  if (typeof fetch !== 'function') throw networkError('this platform has no fetch; pass init({ adapter })');
  const ctrl = new AbortController();
  let aborted = false;
  req.onAbortable?.(() => {
    aborted = true;
    ctrl.abort();
  });
  const timer = setTimeout(() => ctrl.abort(), req.timeout);
  try {
    const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: form, signal: ctrl.signal });
    const data = parseBody(await res.text());
    return { status: res.status, data, headers: lowerHeaders(res.headers) };
  } catch (e) {
    if (aborted) throw abortError();
    if (ctrl.signal.aborted) throw timeoutError(req.timeout);
    throw networkError(describe(e));
  } finally {
    clearTimeout(timer);
  }
}

function xhrUpload(req: UploadRequest, form: FormData): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', req.url);
    for (const k of Object.keys(req.headers)) x.setRequestHeader(k, req.headers[k]);
    x.timeout = req.timeout;
    const onProgress = req.onProgress;
    if (onProgress && x.upload) {
      x.upload.onprogress = (e: ProgressEvent) =>
        onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
    }
    x.onload = () =>
      resolve({
        status: x.status,
        data: parseBody(String(x.responseText ?? '')),
        get headers() {
          return xhrHeaders(String(x.getAllResponseHeaders() ?? ''));
        },
      });
    x.onerror = () => reject(networkError('upload failed'));
    x.ontimeout = () => reject(timeoutError(req.timeout));
    x.onabort = () => reject(abortError());
    req.onAbortable?.(() => x.abort());
    x.send(form);
  });
}

// xhrHeaders parses getAllResponseHeaders' "name: value\r\n" lines.
function xhrHeaders(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}
