/**
 * The transport seam: the client speaks HTTP through an Adapter, so the same
 * code runs on fetch (browsers, Node 18+) and on mini-program APIs
 * (wx.request and its Alipay, Douyin and uni-app twins).
 */
/** One HTTP request. body is already serialised; timeout is in ms. */
export interface HttpRequest {
    url: string;
    method: string;
    headers: Record<string, string>;
    body?: string;
    timeout: number;
}
/**
 * One HTTP response of any status. Header names are lower case. data is the
 * parsed JSON body, or the raw string when the body is not JSON ('' when
 * empty).
 */
export interface HttpResponse {
    status: number;
    headers: Record<string, string>;
    data: unknown;
}
/** How far a transfer is: loaded bytes of total (0 when unknown). */
export interface TransferProgress {
    loaded: number;
    total: number;
}
/** A file upload (multipart/form-data, POST), for the storage module. */
export interface UploadRequest {
    url: string;
    headers: Record<string, string>;
    /**
     * A local path (mini-programs' tempFilePath), or the bytes elsewhere: a
     * Blob/File, or a Uint8Array (Node's Buffer) or ArrayBuffer.
     */
    file: string | Blob | Uint8Array | ArrayBuffer;
    /** The file name of the multipart part (fetch and XHR). */
    fileName?: string;
    /** The multipart field holding the file. */
    fileField: string;
    /** Extra multipart fields, sent before the file. */
    fields: Record<string, string>;
    timeout: number;
    /** Called as bytes go out, where the platform reports it. */
    onProgress?(p: TransferProgress): void;
    /**
     * Called once, as soon as the upload can be stopped, with the function
     * that stops it; the upload then rejects with abortError().
     */
    onAbortable?(abort: () => void): void;
}
/** A file download (GET), for the storage module. */
export interface DownloadRequest {
    url: string;
    headers: Record<string, string>;
    timeout: number;
}
/**
 * A finished download of any status: tempFilePath on mini-programs, data
 * elsewhere. For a status >= 400, error is the parsed error body when the
 * platform can read it (see parseBody), and there is no file.
 */
export interface DownloadResponse {
    status: number;
    tempFilePath?: string;
    data?: ArrayBuffer;
    error?: unknown;
}
/**
 * The part of a WebSocket the realtime module needs, on every platform.
 * onClose or onError (or both) is called once the socket is gone.
 */
export interface SocketLike {
    send(data: string): void;
    close(code?: number, reason?: string): void;
    onOpen(cb: () => void): void;
    onMessage(cb: (data: string) => void): void;
    onClose(cb: (code: number, reason: string) => void): void;
    onError(cb: (err: Error) => void): void;
}
/** Synchronous key-value storage (wx.getStorageSync, localStorage, or memory). */
export interface KV {
    get(key: string): string | undefined;
    set(key: string, v: string): void;
    remove(key: string): void;
}
/**
 * A platform's transport. request resolves for every HTTP status and
 * rejects only when no response arrived: with an Error marked
 * `{network: true}` for network failures and `{timeout: true}` when timeout
 * elapsed (see networkError and timeoutError). The optional members serve
 * later modules (storage, realtime, auth).
 */
export interface Adapter {
    name: string;
    request(req: HttpRequest): Promise<HttpResponse>;
    uploadFile?(req: UploadRequest): Promise<HttpResponse>;
    downloadFile?(req: DownloadRequest): Promise<DownloadResponse>;
    /**
     * Opens a WebSocket to url (ws: or wss:) sending headers (the bearer
     * token: mini-programs send it as a header, browsers, which cannot, as
     * ?access_token=). Throws when the platform has no WebSocket.
     */
    connectSocket?(url: string, headers: Record<string, string>): SocketLike;
    storage?: KV;
    /**
     * Mini-programs: a one-time login code from the platform (wx.login,
     * tt.login, uni.login), for the server's code2session. Rejects with an
     * Error when the platform refuses.
     */
    login?(timeout: number): Promise<string>;
}
/** A transport failure: an Error with network, timeout or aborted set. */
export interface TransportError extends Error {
    network?: boolean;
    timeout?: boolean;
    aborted?: boolean;
}
/** The Error an adapter rejects with when the caller aborted a transfer. */
export declare function abortError(): TransportError;
/** The Error an adapter rejects with when the network failed. */
export declare function networkError(detail: string): TransportError;
/** The Error an adapter rejects with when ms elapsed without a response. */
export declare function timeoutError(ms: number): TransportError;
/** Parses a response body the way wx.request's dataType 'json' does: JSON when it parses, else the string. */
export declare function parseBody(text: string): unknown;
