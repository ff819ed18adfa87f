import type { Adapter } from '../adapters/types';
import { type AdapterName } from '../adapters/index';
import { CloudError } from './errors';
import { type WatchBody, type WatchOptions, type Watcher } from '../realtime/watch';
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
/**
 * A configured connection to one minibase server: every module (database,
 * auth, functions, storage) sends its HTTP requests through request, which
 * adds credentials, applies the time limit and turns every failure into a
 * CloudError.
 */
export declare class Client {
    /** The server's base URL, without a trailing slash. */
    readonly endpoint: string;
    /** The environment name, when init was given one. */
    readonly env?: string;
    /** The transport in use. */
    readonly adapter: Adapter;
    /** The default per-request time limit in ms. */
    readonly timeout: number;
    private tokens?;
    /**
     * Validates opts and picks the adapter. Throws a CloudError
     * (cloud.init:fail …, INVALID_PARAM) when endpoint is missing or not an
     * http(s) URL, or when timeout or adapter is not valid.
     */
    constructor(opts: InitOptions);
    /** Installs (or, with undefined, removes) the source of bearer tokens. */
    setTokenSource(ts: TokenSource | undefined): void;
    /**
     * Sends method path (starting with /v1/) with body JSON-encoded and
     * resolves with the parsed JSON body of a 2xx answer. Rejects with a
     * CloudError whose errMsg starts with `${api}:fail`: the server's error
     * (serverError), SYS_ERR for a body that is not JSON, SERVER_TIMEOUT after
     * the time limit, UNKNOWN (-1) for a network failure. A 401
     * ACCESS_TOKEN_EXPIRED or ACCESS_TOKEN_REVOKED is retried once when the
     * token source's onUnauthorized resolves true.
     */
    request<T = any>(api: string, method: Method, path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
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
    transfer<R extends {
        status: number;
    }>(api: string, send: (headers: Record<string, string>) => Promise<R>, timeout: number, errorBody: (res: R) => unknown): Promise<R>;
    /**
     * The headers a connection of the client's own sends (the realtime
     * module's WebSocket): the bearer token, signing in first with autoLogin,
     * and the environment.
     */
    authHeaders(): Promise<Record<string, string>>;
    /**
     * Asks the token source to refresh after the server refused the token
     * with code (ACCESS_TOKEN_EXPIRED, ACCESS_TOKEN_REVOKED, …) on a
     * connection of the client's own; true when the connection should be
     * made again with the token then current.
     */
    renew(code: string): Promise<boolean>;
    /**
     * Watches a query of collection coll over the client's WebSocket
     * (realtime/watch.ts): what Query.watch and DocumentReference.watch do.
     * Kept here, not in the database module, so that wx-server-sdk, which
     * bundles that module, carries no socket code.
     */
    watch(api: string, coll: string, body: WatchBody, opts: WatchOptions): Watcher;
    private renewed;
    private headers;
    private send;
}
/**
 * The CloudError of api for an answer that is not a success: the server's
 * error body ({code, errCode, message}) when there is one, else SYS_ERR
 * naming the status. For transfers, whose answers are files, not JSON.
 */
export declare function failure(api: string, status: number, body: unknown): CloudError;
