import { networkError, parseBody, timeoutError, type Adapter, type HttpRequest, type HttpResponse, type KV } from './types';
import { fetchDownload, fetchUpload } from './transfer';

/**
 * The transport for browsers and Node 18+: fetch with an AbortController
 * for the time limit; storage is localStorage when the platform has one,
 * else memory. Uploads go through XMLHttpRequest where there is one (it
 * reports upload progress), else fetch. (The realtime issue adds
 * connectSocket.)
 */
export function fetchAdapter(): Adapter {
  return {
    name: 'fetch',
    request: fetchRequest,
    uploadFile: fetchUpload,
    downloadFile: fetchDownload,
    storage: webStorage() ?? memoryKV(),
  };
}

async function fetchRequest(req: HttpRequest): Promise<HttpResponse> {
  if (typeof fetch !== 'function') throw networkError('this platform has no fetch; pass init({ adapter })');
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), req.timeout);
  try {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: ctrl.signal });
    const data = parseBody(await res.text());
    return { status: res.status, data, get headers() { return lowerHeaders(res.headers); } };
  } catch (e) {
    if (ctrl.signal.aborted) throw timeoutError(req.timeout);
    throw networkError(describe(e));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * lowerHeaders copies h into a plain object. It runs only when the client
 * reads the headers (an error's x-request-id), not on every response.
 * @internal
 */
export function lowerHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k.toLowerCase()] = v;
  });
  return out;
}

/**
 * describe names the cause Node's fetch hides behind "fetch failed".
 * @internal
 */
export function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message;
  return why ? `${e.message} (${why})` : e.message;
}

function webStorage(): KV | undefined {
  try {
    if (typeof localStorage === 'undefined' || localStorage === null) return undefined;
    const ls = localStorage;
    return {
      get: (k) => ls.getItem(k) ?? undefined,
      set: (k, v) => ls.setItem(k, v),
      remove: (k) => ls.removeItem(k),
    };
  } catch {
    return undefined; // storage disabled (private mode, sandboxed iframe)
  }
}

/** A KV that lives as long as the process (Node, or no web storage). */
export function memoryKV(): KV {
  const m = new Map<string, string>();
  return {
    get: (k) => m.get(k),
    set: (k, v) => void m.set(k, v),
    remove: (k) => void m.delete(k),
  };
}
