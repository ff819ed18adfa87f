import type { Adapter, HttpResponse, TransportError } from '../adapters/types';
import { resolveAdapter, type AdapterName } from '../adapters/index';
import { CloudError, ErrCode, cloudError, serverError } from './errors';

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
}

/**
 * Where the client gets its bearer token. token() is asked before every
 * request that carries credentials. onUnauthorized(code) is called when the
 * server answers 401 ACCESS_TOKEN_EXPIRED; resolving true makes the client
 * retry the request once with the token then current.
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
const EXPIRED = 'ACCESS_TOKEN_EXPIRED';

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
   * ACCESS_TOKEN_EXPIRED is retried once when the token source's
   * onUnauthorized resolves true.
   */
  async request<T = any>(api: string, method: Method, path: string, body?: unknown, opts?: RequestOptions): Promise<T> {
    const timeout = opts?.timeout ?? this.timeout;
    const auth = opts?.auth !== false;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let res = await this.send(api, method, path, payload, timeout, auth);
    if (res.status === 401 && auth) {
      const ts = this.tokens;
      if (ts?.onUnauthorized && errorCode(res.data) === EXPIRED) {
        let again = false;
        try {
          again = (await ts.onUnauthorized(EXPIRED)) === true;
        } catch {
          again = false;
        }
        if (again) res = await this.send(api, method, path, payload, timeout, auth);
      }
    }
    return result<T>(api, res);
  }

  private async send(
    api: string,
    method: string,
    path: string,
    body: string | undefined,
    timeout: number,
    auth: boolean,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = {};
    if (auth && this.tokens) {
      const t = this.tokens.token();
      const token = typeof t === 'object' && t !== null ? await t : t;
      if (token) headers['Authorization'] = 'Bearer ' + token;
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.env) headers['X-Minibase-Env'] = this.env;
    const req = { url: this.endpoint + path, method, headers, body, timeout };
    // The adapters enforce timeout themselves; this timer makes sure of it
    // for any adapter, so a request never hangs.
    return new Promise<HttpResponse>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const fail = (e: unknown) => {
        clearTimeout(timer);
        reject(transportError(api, e as TransportError, timeout));
      };
      let sent: Promise<HttpResponse>;
      try {
        sent = this.adapter.request(req);
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
