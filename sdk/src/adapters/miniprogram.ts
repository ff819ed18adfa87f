import { networkError, parseBody, timeoutError, type Adapter, type HttpRequest, type HttpResponse, type KV, type SocketLike } from './types';
import { mpDownload, mpUpload, type TransferAPI } from './mptransfer';

/** The mini-program platforms: WeChat, Alipay, Douyin, uni-app. */
export type Platform = 'wx' | 'my' | 'tt' | 'uni';

/** What a request callback receives: wx/tt/uni name the fields statusCode and header, Alipay status and headers. */
interface RequestResult {
  data?: unknown;
  statusCode?: number;
  status?: number;
  header?: Record<string, string>;
  headers?: Record<string, string>;
  errMsg?: string;
  error?: number;
  errorMessage?: string;
}

/**
 * The part of wx (and my, tt, uni) this adapter uses. It never touches
 * fetch, WebSocket or EventSource, which mini-programs lack: sockets are
 * connectSocket's.
 */
export interface MiniProgramAPI {
  request(opts: {
    url: string;
    method: string;
    data?: string;
    header?: Record<string, string>;
    headers?: Record<string, string>;
    timeout: number;
    dataType: string;
    responseType?: string;
    success(res: RequestResult): void;
    fail(res: RequestResult): void;
  }): { abort?(): void } | void;
  login?(opts: {
    provider?: string;
    timeout?: number;
    success(res: { code?: string; errMsg?: string }): void;
    fail(res: { errMsg?: string; errorMessage?: string }): void;
  }): void;
  getStorageSync?(key: any): any;
  setStorageSync?(key: any, data?: any): void;
  removeStorageSync?(key: any): void;
  connectSocket?(opts: {
    url: string;
    header?: Record<string, string>;
    multiple?: boolean;
    success?(): void;
    fail?(res: { errMsg?: string; errorMessage?: string }): void;
  }): SocketTask | void;
  uploadFile?: TransferAPI['uploadFile'];
  downloadFile?: TransferAPI['downloadFile'];
  getFileSystemManager?: TransferAPI['getFileSystemManager'];
}

/**
 * A mini-program's SocketTask (wx.connectSocket's answer; my, tt and uni
 * have the same). Alipay's onMessage gives {data: {data, isBuffer}}.
 */
interface SocketTask {
  send(opts: { data: string }): void;
  close(opts: { code?: number; reason?: string }): void;
  onOpen(cb: () => void): void;
  onMessage(cb: (res: { data?: unknown }) => void): void;
  onClose(cb: (res: { code?: number; reason?: string }) => void): void;
  onError(cb: (res: { errMsg?: string; errorMessage?: string }) => void): void;
}

/**
 * The transport for mini-programs, over platform api (the global wx, my, tt
 * or uni). Responses of every status resolve, with data parsed when JSON;
 * failures reject marked timeout (the platform's timeout, or ours when the
 * platform never calls back) or network.
 */
export function miniProgramAdapter(platform: Platform, api: MiniProgramAPI): Adapter {
  return {
    name: platform,
    request: (req) => mpRequest(platform, api, req),
    uploadFile: typeof api.uploadFile === 'function' ? (req) => mpUpload(platform, api, req) : undefined,
    downloadFile: typeof api.downloadFile === 'function' ? (req) => mpDownload(platform, api, req) : undefined,
    connectSocket: typeof api.connectSocket === 'function' ? (url, headers) => mpSocket(platform, api, url, headers) : undefined,
    storage: mpStorage(platform, api),
    login: platform === 'my' || typeof api.login !== 'function' ? undefined : (ms) => mpLogin(platform, api, ms),
  };
}

// mpLogin asks the platform for a login code: wx.login, tt.login, or
// uni.login with the WeChat provider (uni-app compiled to a WeChat
// mini-program). Alipay's my.getAuthCode is a different flow (no provider
// on the server yet), so the 'my' adapter has no login.
function mpLogin(platform: Platform, api: MiniProgramAPI, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError(ms)), ms);
    const done = (f: () => void) => {
      clearTimeout(timer);
      f();
    };
    api.login!({
      ...(platform === 'uni' ? { provider: 'weixin' } : {}),
      timeout: ms,
      success: (res) =>
        done(() =>
          typeof res?.code === 'string' && res.code !== ''
            ? resolve(res.code)
            : reject(new Error(`${platform}.login gave no code${res?.errMsg ? ': ' + res.errMsg : ''}`)),
        ),
      fail: (res) => done(() => reject(new Error(res?.errMsg ?? res?.errorMessage ?? `${platform}.login failed`))),
    });
  });
}

// mpSocket opens a WebSocket with connectSocket, the token as a header
// (mini-programs can send one). Alipay returns a task only with multiple;
// uni-app only when a callback is given.
function mpSocket(platform: Platform, api: MiniProgramAPI, url: string, headers: Record<string, string>): SocketLike {
  let failed: string | undefined;
  const task = api.connectSocket!({
    url,
    header: headers,
    ...(platform === 'my' ? { multiple: true } : {}),
    success: () => {},
    fail: (res) => {
      failed = res?.errMsg ?? res?.errorMessage ?? 'connectSocket failed';
    },
  });
  if (!task || typeof task.onMessage !== 'function') {
    throw new Error(`${platform}.connectSocket gave no SocketTask${failed ? ': ' + failed : ''}`);
  }
  return {
    send: (data) => task.send({ data }),
    close: (code, reason) => task.close({ code: code ?? 1000, reason: reason ?? '' }),
    onOpen: (cb) => task.onOpen(() => cb()),
    onMessage: (cb) =>
      task.onMessage((res) => {
        const d = res?.data as unknown;
        const inner = d !== null && typeof d === 'object' ? (d as { data?: unknown }).data : undefined;
        cb(typeof d === 'string' ? d : typeof inner === 'string' ? inner : String(d));
      }),
    onClose: (cb) => task.onClose((res) => cb(res?.code ?? 1006, res?.reason ?? '')),
    onError: (cb) => task.onError((res) => cb(new Error(res?.errMsg ?? res?.errorMessage ?? 'socket error'))),
  };
}

function mpRequest(platform: Platform, api: MiniProgramAPI, req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let done = false;
    let task: { abort?(): void } | void;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      try {
        task?.abort?.();
      } catch {
        // the platform's abort failing changes nothing: we already gave up
      }
      reject(timeoutError(req.timeout));
    }, req.timeout);
    const settle = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      f();
    };
    const alipay = platform === 'my';
    task = api.request({
      url: req.url,
      method: req.method,
      data: req.body,
      [alipay ? 'headers' : 'header']: req.headers,
      timeout: req.timeout,
      // Alipay's 'json' fails a non-JSON body (an HTML 502) with no status: take text and parse here.
      dataType: alipay ? 'text' : 'json',
      responseType: 'text',
      success: (res) => settle(() => resolve(response(res))),
      fail: (res) => settle(() => failed(res, req.timeout, resolve, reject)),
    });
  });
}

function response(res: RequestResult): HttpResponse {
  const raw = res.header ?? res.headers ?? {};
  const headers: Record<string, string> = {};
  for (const k of Object.keys(raw)) headers[k.toLowerCase()] = String(raw[k]);
  const data = typeof res.data === 'string' ? parseBody(res.data) : res.data;
  return { status: Number(res.statusCode ?? res.status), headers, data };
}

// failed: Alipay reports HTTP statuses >= 400 through fail (error 19) with
// the response attached; that is an answer, not a network failure.
function failed(
  res: RequestResult | undefined,
  ms: number,
  resolve: (r: HttpResponse) => void,
  reject: (e: Error) => void,
): void {
  const r = res ?? {};
  if (typeof (r.statusCode ?? r.status) === 'number') return resolve(response(r));
  const msg = r.errMsg ?? r.errorMessage ?? (r.error !== undefined ? `error ${r.error}` : 'request failed');
  if (r.error === 13 || /time ?out/i.test(msg)) return reject(timeoutError(ms));
  reject(networkError(msg));
}

function mpStorage(platform: Platform, api: MiniProgramAPI): KV | undefined {
  const { getStorageSync: get, setStorageSync: set, removeStorageSync: remove } = api;
  if (typeof get !== 'function' || typeof set !== 'function' || typeof remove !== 'function') return undefined;
  if (platform === 'my') {
    // Alipay takes and returns objects: getStorageSync({key}) → {data}.
    return {
      get: (key) => str(get.call(api, { key })?.data),
      set: (key, data) => set.call(api, { key, data }),
      remove: (key) => remove.call(api, { key }),
    };
  }
  return {
    get: (key) => str(get.call(api, key)),
    set: (key, data) => set.call(api, key, data),
    remove: (key) => remove.call(api, key),
  };
}

// str: wx returns '' for a missing key.
function str(v: unknown): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : String(v);
}
