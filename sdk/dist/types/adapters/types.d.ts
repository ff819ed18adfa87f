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
/** A file upload (multipart/form-data), for the storage module. */
export interface UploadRequest {
    url: string;
    headers: Record<string, string>;
    /** A local path (mini-programs' tempFilePath) or a Blob/File (browsers). */
    file: string | Blob;
    /** The multipart field holding the file. */
    fileField: string;
    /** Extra multipart fields, sent before the file. */
    fields: Record<string, string>;
    timeout: number;
}
/** A file download, for the storage module. */
export interface DownloadRequest {
    url: string;
    headers: Record<string, string>;
    timeout: number;
}
/** A finished download: tempFilePath on mini-programs, data elsewhere. */
export interface DownloadResponse {
    status: number;
    tempFilePath?: string;
    data?: ArrayBuffer;
}
/** The part of a WebSocket the realtime module needs, on every platform. */
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
    connectSocket?(url: string, protocols?: string[]): SocketLike;
    storage?: KV;
}
/** A transport failure: an Error with network or timeout set. */
export interface TransportError extends Error {
    network?: boolean;
    timeout?: boolean;
}
/** The Error an adapter rejects with when the network failed. */
export declare function networkError(detail: string): TransportError;
/** The Error an adapter rejects with when ms elapsed without a response. */
export declare function timeoutError(ms: number): TransportError;
/** Parses a response body the way wx.request's dataType 'json' does: JSON when it parses, else the string. */
export declare function parseBody(text: string): unknown;
