import type { Adapter, HttpResponse, TransportError } from '../adapters/types';
import { resolveAdapter, type AdapterName } from '../adapters/index';
import { CloudError, ErrCode, cloudError, serverError } from './errors';
import { watch, type WatchBody, type WatchOptions, type Watcher } from '../realtime/watch';

/**
 * What cloud.init takes. Keys wx.cloud knows and minibase does not need
 * (traceUser, …) are accepted and ignored, as wx ignores unknown keys.
 */
export interface InitOptions {
  /** The minibase server, e.g. 'https://api.example.com'. Required. */
  endpoint: string;
  /** Sent as X-Minibase-Env when set. */
  env?: string;
  /** A fixed bearer token (an admin key, for Node scripts and tests). */
  accessToken?: string;
  /** The transport; chosen from the platform when absent. */
  adapter?: Adapter | AdapterName;
  /** Per-request time limit in ms (default 15000). */
  timeout?: number;
  /** Accepted for wx.cloud compatibility; minibase keeps no user trace. */
  traceUser?: boolean;
  /**
   * Sign in by itself on the first request made while signed out: 'wechat'
   * (wx.login, or tt.login/uni.login on those platforms: existing wx.cloud
   * code that never logs in keeps working), 'douyin', or 'anonymous'.
   */
  autoLogin?: 'wechat' | 'douyin' | 'anonymous';
}

/**
 * Where the client gets its bearer token. token() is asked before every
 * request that carries credentials. onUnauthorized(code) is called when the
 * server answers 401 ACCESS_TOKEN_EXPIRED, or ACCESS_TOKEN_REVOKED (the
 * token's sign-in was ended: signed out elsewhere, revoked, the account
 * disabled; the refresh then fails too, which signs the session out);
 * resolving true makes the client retry the request once with the token
 * then current.
 */
export interface TokenSource {
  token(): Promise<string | undefined> | string | undefined;
  onUnauthorized?(code: string): Promise<boolean>;
}

/** Per-request options of Client.request. */
export interface RequestOptions {
  /** ms; the client's timeout when absent. */
  timeout?: number;
  /** false: send no Authorization header and never refresh (login calls). Default true. */
  auth?: boolean;
}

/** An HTTP method of the minibase API. */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const DEFAULT_TIMEOUT = 15000;
/** The 401 codes after which a refresh is tried (see TokenSource). */
const RENEW = new Set(['ACCESS_TOKEN_EXPIRED', 'ACCESS_TOKEN_REVOKED']);

/**
 * A configured connection to one minibase server: every module (database,
 * auth, functions, storage) sends its HTTP requests through request, which
 * adds credentials, applies the time limit and turns every failure into a
 * CloudError.
 */
export class Client {
  /** The server's base URL, without a trailing slash. */
  readonly endpoint: string;
  /** The environment name, when init was given one. */
  readonly env?: string;
  /** The transport in use. */
  readonly adapter: Adapter;
  /** The default per-request time limit in ms. */
  readonly timeout: number;
  private tokens?: TokenSource;

  /**
   * Validates opts and picks the adapter. Throws a CloudError
   * (cloud.init:fail …, INVALID_PARAM) when endpoint is missing or not an
   * http(s) URL, or when timeout or adapter is not valid.
   */
  constructor(opts: InitOptions) {
    if (opts === null || typeof opts !== 'object') {
      throw initError('init needs an options object: cloud.init({ endpoint: "https://your-minibase-server" })');
    }
    const { endpoint, env, accessToken, timeout } = opts;
    if (typeof endpoint !== 'string' || !/^https?:\/\/[^/]/i.test(endpoint)) {
      throw initError(
        'endpoint is required and must be an http(s) URL, e.g. cloud.init({ endpoint: "https://api.example.com" })',
      );
    }
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
      throw initError(`timeout must be a positive number of milliseconds, got ${String(timeout)}`);
    }
    if (env !== undefined && typeof env !== 'string') throw initError('env must be a string');
    if (accessToken !== undefined && typeof accessToken !== 'string') throw initError('accessToken must be a string');
    if (opts.autoLogin !== undefined && !['wechat', 'douyin', 'anonymous'].includes(opts.autoLogin)) {
      throw initError(`autoLogin must be 'wechat', 'douyin' or 'anonymous', got ${String(opts.autoLogin)}`);
    }
    this.endpoint = endpoint.replace(/\/+$/, '');
    if (env) this.env = env;
    this.timeout = timeout ?? DEFAULT_TIMEOUT;
    try {
      this.adapter = resolveAdapter(opts.adapter);
    } catch (e) {
      throw initError((e as Error).message);
    }
    if (accessToken) this.tokens = { token: () => accessToken };
  }

  /** Installs (or, with undefined, removes) the source of bearer tokens. */
  setTokenSource(ts: TokenSource | undefined): void {
    this.tokens = ts;
  }

  /**
   * Sends method path (starting with /v1/) with body JSON-encoded and
   * resolves with the parsed JSON body of a 2xx answer. Rejects with a
   * CloudError whose errMsg starts with `${api}:fail`: the server's error
   * (serverError), SYS_ERR for a body that is not JSON, SERVER_TIMEOUT after
   * the time limit, UNKNOWN (-1) for a network failure. A 401
   * ACCESS_TOKEN_EXPIRED or ACCESS_TOKEN_REVOKED is retried once when the
   * token source's onUnauthorized resolves true.
   */
  async request<T = any>(api: string, method: Method, path: string, body?: unknown, opts?: RequestOptions): Promise<T> {
    const timeout = opts?.timeout ?? this.timeout;
    const auth = opts?.auth !== false;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let res = await this.send(api, method, path, payload, timeout, auth);
    if (res.status === 401 && auth && (await this.renewed(res.data))) {
      res = await this.send(api, method, path, payload, timeout, auth);
    }
    return result<T>(api, res);
  }

  /**
   * Sends a file transfer (storage uploads and downloads, which go through
   * the adapter's uploadFile/downloadFile rather than request) with the
   * client's credentials: send gets the headers to add (Authorization,
   * X-Minibase-Env) and resolves with the answer, whatever its status.
   * Like request, a 401 ACCESS_TOKEN_EXPIRED or ACCESS_TOKEN_REVOKED (the
   * code read from the answer's error body, errorBody) is retried once
   * after the token source refreshed; transport failures and the time
   * limit become CloudErrors of api. The caller reads the answer's status
   * (see failure).
   */
  async transfer<R extends { status: number }>(
    api: string,
    send: (headers: Record<string, string>) => Promise<R>,
    timeout: number,
    errorBody: (res: R) => unknown,
  ): Promise<R> {
    let res = await guard(api, async () => send(await this.headers(true)), timeout);
    if (res.status === 401 && (await this.renewed(errorBody(res)))) {
      res = await guard(api, async () => send(await this.headers(true)), timeout);
    }
    return res;
  }

  /**
   * The headers a connection of the client's own sends (the realtime
   * module's WebSocket): the bearer token, signing in first with autoLogin,
   * and the environment.
   */
  authHeaders(): Promise<Record<string, string>> {
    return this.headers(true);
  }

  /**
   * Asks the token source to refresh after the server refused the token
   * with code (ACCESS_TOKEN_EXPIRED, ACCESS_TOKEN_REVOKED, …) on a
   * connection of the client's own; true when the connection should be
   * made again with the token then current.
   */
  renew(code: string): Promise<boolean> {
    return this.renewed({ code });
  }

  /**
   * Watches a query of collection coll over the client's WebSocket
   * (realtime/watch.ts): what Query.watch and DocumentReference.watch do.
   * Kept here, not in the database module, so that wx-server-sdk, which
   * bundles that module, carries no socket code.
   */
  watch(api: string, coll: string, body: WatchBody, opts: WatchOptions): Watcher {
    return watch(this, api, coll, body, opts);
  }

  // renewed asks the token source to refresh after a 401 whose error body
  // says the access token expired or was revoked; true when the request
  // should be retried.
  private async renewed(body: unknown): Promise<boolean> {
    const ts = this.tokens;
    const code = errorCode(body);
    if (!ts?.onUnauthorized || code === undefined || !RENEW.has(code)) return false;
    try {
      return (await ts.onUnauthorized(code)) === true;
    } catch {
      return false;
    }
  }

  // headers are the ones every request carries: the bearer token (when
  // auth and a token source has one) and the environment.
  private async headers(auth: boolean): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    if (auth && this.tokens) {
      const t = this.tokens.token();
      const token = typeof t === 'object' && t !== null ? await t : t;
      if (token) headers['Authorization'] = 'Bearer ' + token;
    }
    if (this.env) headers['X-Minibase-Env'] = this.env;
    return headers;
  }

  private async send(
    api: string,
    method: string,
    path: string,
    body: string | undefined,
    timeout: number,
    auth: boolean,
  ): Promise<HttpResponse> {
    const headers = await this.headers(auth);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const req = { url: this.endpoint + path, method, headers, body, timeout };
    return guard(api, () => this.adapter.request(req), timeout);
  }
}

// guard runs an adapter call with a time limit of its own: the adapters
// enforce timeout themselves, this timer makes sure of it for any adapter,
// so a request never hangs. Failures become CloudErrors of api.
function guard<R>(api: string, call: () => Promise<R>, timeout: number): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (e: unknown) => {
      clearTimeout(timer);
      reject(transportError(api, e as TransportError, timeout));
    };
    let sent: Promise<R>;
    try {
      sent = call();
    } catch (e) {
      return fail(e); // an adapter that throws instead of rejecting
    }
    timer = setTimeout(() => fail({ timeout: true }), timeout);
    sent.then((res) => {
      clearTimeout(timer);
      resolve(res);
    }, fail);
  });
}

/**
 * The CloudError of api for an answer that is not a success: the server's
 * error body ({code, errCode, message}) when there is one, else SYS_ERR
 * naming the status. For transfers, whose answers are files, not JSON.
 */
export function failure(api: string, status: number, body: unknown): CloudError {
  try {
    result(api, { status: status >= 200 && status < 300 ? 500 : status, headers: {}, data: body ?? '' });
  } catch (e) {
    return e as CloudError;
  }
  return cloudError(api, ErrCode.SYS_ERR, `server answered HTTP ${status}`);
}

function initError(detail: string): CloudError {
  return cloudError('cloud.init', ErrCode.INVALID_PARAM, detail);
}

function errorCode(data: unknown): string | undefined {
  const c = data !== null && typeof data === 'object' ? (data as { code?: unknown }).code : undefined;
  return typeof c === 'string' ? c : undefined;
}

function transportError(api: string, e: TransportError | undefined, timeout: number): CloudError {
  if (e instanceof CloudError) return e;
  if (e?.aborted) return cloudError(api, ErrCode.UNKNOWN, 'abort');
  if (e?.timeout) return cloudError(api, ErrCode.SERVER_TIMEOUT, `request timed out after ${timeout}ms`);
  const detail = e instanceof Error ? e.message : String(e);
  return cloudError(api, ErrCode.UNKNOWN, `network error: ${detail}`);
}

function result<T>(api: string, res: HttpResponse): T {
  const { status, data } = res;
  const isObject = data !== null && typeof data === 'object';
  if (status >= 200 && status < 300 && isObject) return data as T;
  if (isObject) {
    const err = serverError(api, status, data);
    if (err.requestId === undefined && res.headers['x-request-id']) err.requestId = res.headers['x-request-id'];
    throw err;
  }
  if (typeof data !== 'string') {
    throw cloudError(api, ErrCode.SYS_ERR, `server answered HTTP ${status} with a body that is not a JSON object`);
  }
  const text = data.replace(/\s+/g, ' ').trim();
  const snippet = text ? `: ${text.length > 80 ? text.slice(0, 80) + '…' : text}` : ' (empty body)';
  throw cloudError(api, ErrCode.SYS_ERR, `server answered HTTP ${status} with a body that is not JSON${snippet}`);
}
