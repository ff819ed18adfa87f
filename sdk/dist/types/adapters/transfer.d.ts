import { type DownloadRequest, type DownloadResponse, type HttpResponse, type UploadRequest } from './types';
/** Uploads req.file as multipart/form-data. */
export declare function fetchUpload(req: UploadRequest): Promise<HttpResponse>;
/** Downloads req.url into an ArrayBuffer; an error status's body is parsed into error. */
export declare function fetchDownload(req: DownloadRequest): Promise<DownloadResponse>;
