/**
 * Cloud storage: cloud.uploadFile, downloadFile, getTempFileURL, deleteFile,
 * filled in by the storage issue.
 *
 * Not on the cloud object: the server has no /v1/storage endpoints yet. The
 * shapes below are wx.cloud's (spec §2.1, §4.2). The implementation will
 * use the adapter's uploadFile/downloadFile (wx.uploadFile/downloadFile in
 * mini-programs, fetch with FormData elsewhere) for the bytes and
 * Client.request for temp-urls and delete (at most 50 fileIDs a call).
 */
import type { CallbackOptions } from '../core/callback';

/** wx.cloud.uploadFile's options. */
export interface UploadFileOptions extends CallbackOptions<UploadFileResult> {
  cloudPath: string;
  /** A mini-program temp file path; a Blob/File on the web. */
  filePath: string | Blob;
  config?: { env?: string };
}

/** wx.cloud.uploadFile's result ('cloud.uploadFile:ok'). */
export interface UploadFileResult {
  fileID: string;
  statusCode: number;
  errMsg: string;
}

/** wx.cloud.downloadFile's options. */
export interface DownloadFileOptions extends CallbackOptions<DownloadFileResult> {
  fileID: string;
  config?: { env?: string };
}

/** wx.cloud.downloadFile's result: tempFilePath in mini-programs, data elsewhere. */
export interface DownloadFileResult {
  tempFilePath?: string;
  data?: ArrayBuffer;
  statusCode: number;
  errMsg: string;
}

/** wx.cloud.getTempFileURL's options: fileIDs, or {fileID, maxAge} items. */
export interface GetTempFileURLOptions extends CallbackOptions<GetTempFileURLResult> {
  fileList: (string | { fileID: string; maxAge?: number })[];
  config?: { env?: string };
}

/** wx.cloud.getTempFileURL's result. */
export interface GetTempFileURLResult {
  fileList: { fileID: string; tempFileURL: string; maxAge: number; status: number; errMsg: string }[];
  errMsg: string;
}

/** wx.cloud.deleteFile's options. */
export interface DeleteFileOptions extends CallbackOptions<DeleteFileResult> {
  fileList: string[];
  config?: { env?: string };
}

/** wx.cloud.deleteFile's result. */
export interface DeleteFileResult {
  fileList: { fileID: string; status: number; errMsg: string }[];
  errMsg: string;
}
