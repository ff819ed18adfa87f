import { networkError, parseBody, timeoutError, type Adapter, type HttpRequest, type HttpResponse, type KV, type SocketLike } from './types';
import { fetchDownload, fetchUpload } from './transfer';

/**
 * The transport for browsers and Node 18+: fetch with an AbortController
 * for the time limit; storage is localStorage when the platform has one,
 * else memory. Uploads go through XMLHttpRequest where there is one (it
 * reports upload progress), else fetch. WebSockets are the platform's
 * (webSocket).
 */
export function fetchAdapter(): Adapter {
  return {
    name: 'fetch',
    request: fetchRequest,
    uploadFile: fetchUpload,
    downloadFile: fetchDownload,
    connectSocket: webSocket,
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

/**
 * webSocket opens a WebSocket with the platform's constructor (browsers,
 * Node 22; Node 20 has it with --experimental-websocket, or with
 * globalThis.WebSocket = require('ws')). A browser's WebSocket cannot send
 * headers: the bearer token goes as ?access_token=.
 * @internal
 */
export function webSocket(url: string, headers: Record<string, string>): SocketLike {
  const WS = (globalThis as { WebSocket?: new (url: string) => WebSocketish }).WebSocket;
  if (typeof WS !== 'function') {
    throw new Error(
      "this platform has no WebSocket: use Node 22 or later, or Node 20 with --experimental-websocket, or set globalThis.WebSocket = require('ws')",
    );
  }
  const auth = headers['Authorization'];
  if (auth && auth.startsWith('Bearer ')) {
    url += (url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(auth.slice(7));
  }
  const ws = new WS(url);
  return {
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onOpen: (cb) => ws.addEventListener('open', () => cb()),
    onMessage: (cb) => ws.addEventListener('message', (ev) => cb(typeof ev.data === 'string' ? ev.data : String(ev.data))),
    onClose: (cb) => ws.addEventListener('close', (ev) => cb(ev.code ?? 1006, ev.reason ?? '')),
    onError: (cb) => ws.addEventListener('error', () => cb(new Error('WebSocket error'))),
  };
}

/** What webSocket uses of a WebSocket (browsers', Node's, the ws package's). */
interface WebSocketish {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, cb: (ev: { data?: unknown; code?: number; reason?: string }) => void): void;
}
