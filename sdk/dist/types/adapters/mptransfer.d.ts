/**
 * File transfers for the mini-program adapter: wx.uploadFile and
 * wx.downloadFile (and their Alipay, Douyin and uni-app twins), which are
 * the only way a mini-program sends or receives a file. Both resolve for
 * every HTTP status and reject only when no answer came.
 */
import { type DownloadRequest, type DownloadResponse, type HttpResponse, type UploadRequest } from './types';
/** What the transfer callbacks receive: Alipay names fields differently (status, headers, apFilePath). */
interface TransferResult {
    data?: unknown;
    statusCode?: number;
    status?: number;
    header?: Record<string, string>;
    headers?: Record<string, string>;
    tempFilePath?: string;
    apFilePath?: string;
    errMsg?: string;
    error?: number;
    errorMessage?: string;
}
/** An UploadTask or DownloadTask. */
interface TransferTask {
    abort?(): void;
    onProgressUpdate?(cb: (p: {
        progress?: number;
        totalBytesSent?: number;
        totalBytesExpectedToSend?: number;
    }) => void): void;
}
/** The part of wx (and my, tt, uni) the transfers use. */
export interface TransferAPI {
    uploadFile(opts: {
        url: string;
        filePath: string;
        name?: string;
        fileName?: string;
        fileType?: string;
        header?: Record<string, string>;
        headers?: Record<string, string>;
        formData: Record<string, string>;
        timeout: number;
        success(res: TransferResult): void;
        fail(res: TransferResult): void;
    }): TransferTask | void;
    downloadFile(opts: {
        url: string;
        header?: Record<string, string>;
        headers?: Record<string, string>;
        timeout: number;
        success(res: TransferResult): void;
        fail(res: TransferResult): void;
    }): TransferTask | void;
    getFileSystemManager(): {
        readFileSync(path: string, encoding?: string): unknown;
    };
}
/**
 * Uploads the local file req.file (a temp file path) with uploadFile.
 * Progress comes from the task's onProgressUpdate; req.onAbortable gets the
 * task's abort.
 */
export declare function mpUpload(platform: string, api: Partial<TransferAPI>, req: UploadRequest): Promise<HttpResponse>;
/**
 * Downloads req.url to a temp file with downloadFile. For an error status
 * the file holds the server's error body: it is read back (through
 * getFileSystemManager, when the platform has it) into error.
 */
export declare function mpDownload(platform: string, api: Partial<TransferAPI>, req: DownloadRequest): Promise<DownloadResponse>;
export {};
