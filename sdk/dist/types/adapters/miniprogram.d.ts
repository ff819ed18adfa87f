import { type Adapter } from './types';
import { type TransferAPI } from './mptransfer';
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
    }): {
        abort?(): void;
    } | void;
    login?(opts: {
        provider?: string;
        timeout?: number;
        success(res: {
            code?: string;
            errMsg?: string;
        }): void;
        fail(res: {
            errMsg?: string;
            errorMessage?: string;
        }): void;
    }): void;
    getStorageSync?(key: any): any;
    setStorageSync?(key: any, data?: any): void;
    removeStorageSync?(key: any): void;
    connectSocket?(opts: {
        url: string;
        header?: Record<string, string>;
        multiple?: boolean;
        success?(): void;
        fail?(res: {
            errMsg?: string;
            errorMessage?: string;
        }): void;
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
    send(opts: {
        data: string;
    }): void;
    close(opts: {
        code?: number;
        reason?: string;
    }): void;
    onOpen(cb: () => void): void;
    onMessage(cb: (res: {
        data?: unknown;
    }) => void): void;
    onClose(cb: (res: {
        code?: number;
        reason?: string;
    }) => void): void;
    onError(cb: (res: {
        errMsg?: string;
        errorMessage?: string;
    }) => void): void;
}
/**
 * The transport for mini-programs, over platform api (the global wx, my, tt
 * or uni). Responses of every status resolve, with data parsed when JSON;
 * failures reject marked timeout (the platform's timeout, or ours when the
 * platform never calls back) or network.
 */
export declare function miniProgramAdapter(platform: Platform, api: MiniProgramAPI): Adapter;
export {};
