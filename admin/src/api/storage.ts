/**
 * Storage for the console: buckets and their settings, files by folder,
 * uploads with per-file progress, temporary URLs and deletion. Uploads use
 * XMLHttpRequest (its upload progress events) with the admin's token,
 * because the console uploads into any bucket (the SDK's uploadFile writes
 * to the default one); everything else goes through call().
 */
import { call, cloud, seg, ApiError } from './client';

/** A bucket rule: a preset name or a custom {read, write} pair. */
export type BucketRule = string | { read: boolean | string; write: boolean | string };

export interface Bucket {
  name: string;
  maxSize: number;
  allowedTypes: string[] | null;
  rule: BucketRule;
  created: string;
}

export interface StoredFile {
  fileID: string;
  path: string;
  size: number;
  contentType?: string;
  etag: string;
  modTime: string;
  owner?: string;
}

export interface FilePage {
  files: StoredFile[];
  folders?: string[];
  next?: string;
}

export const RULE_PRESETS = ['READONLY', 'PRIVATE', 'ADMINWRITE', 'ADMINONLY'] as const;

export async function listBuckets(): Promise<Bucket[]> {
  return (await call<{ data: Bucket[] }>('GET', '/v1/admin/storage/buckets')).data ?? [];
}

export async function createBucket(b: { name: string; maxSize: number; allowedTypes: string[]; rule: BucketRule }): Promise<Bucket> {
  return (await call<{ bucket: Bucket }>('POST', '/v1/admin/storage/buckets', b)).bucket;
}

export async function updateBucket(name: string, p: { maxSize?: number; allowedTypes?: string[]; rule?: BucketRule }): Promise<Bucket> {
  return (await call<{ bucket: Bucket }>('PATCH', '/v1/admin/storage/buckets/' + seg(name), p)).bucket;
}

/** Checks a bucket rule as creating a bucket would, saving nothing; throws the server's INVALID_PARAM. */
export const validateBucketRule = (rule: BucketRule) => call<{ ok: boolean }>('POST', '/v1/admin/storage/rules/validate', { rule });

export async function deleteBucket(name: string, force: boolean): Promise<void> {
  await call('DELETE', '/v1/admin/storage/buckets/' + seg(name) + (force ? '?force=true' : ''));
}

/** One level of a bucket under prefix ("" or "photos/2024/"), one page. */
export async function listFiles(bucket: string, prefix: string, after = '', limit = 100): Promise<FilePage> {
  const q = new URLSearchParams({ prefix, folders: 'true', limit: String(limit) });
  if (after) q.set('after', after);
  const p = await call<FilePage>('GET', `/v1/admin/storage/buckets/${seg(bucket)}/files?${q}`);
  return { files: p.files ?? [], folders: p.folders ?? [], next: p.next };
}

export async function deleteFile(fileID: string): Promise<void> {
  await call('DELETE', '/v1/admin/storage/file?fileID=' + encodeURIComponent(fileID));
}

/** Temporary download URLs of fileIDs, in order ('' for one that failed). */
export async function tempURLs(fileIDs: string[], maxAge = 3600): Promise<string[]> {
  if (fileIDs.length === 0) return [];
  const out: string[] = [];
  for (let i = 0; i < fileIDs.length; i += 50) {
    const part = fileIDs.slice(i, i + 50);
    const r = await call<{ fileList: { fileID: string; tempFileURL: string; status: number }[] }>('POST', '/v1/storage/temp-urls', {
      fileList: part.map((fileID) => ({ fileID, maxAge })),
    });
    const by = new Map(r.fileList.map((f) => [f.fileID, f.status === 0 ? f.tempFileURL : '']));
    out.push(...part.map((f) => by.get(f) ?? ''));
  }
  return out;
}

/** The URL of a thumbnail of an image (the server's image parameters, server/images.go). */
export function thumbURL(url: string, size = 160): string {
  if (!url) return '';
  return url + (url.includes('?') ? '&' : '?') + `w=${size}&h=${size}&fit=cover`;
}

/** A running upload: abort() stops it (the promise rejects). */
export interface Upload {
  promise: Promise<string>;
  abort(): void;
}

/**
 * Uploads file to cloudPath in bucket (POST /v1/storage/upload) with
 * onProgress(loaded, total) as bytes go out; resolves to the fileID.
 */
export function uploadFile(bucket: string, cloudPath: string, file: Blob, onProgress: (loaded: number, total: number) => void): Upload {
  const xhr = new XMLHttpRequest();
  const promise = (async () => {
    const tok = await cloud.auth().getAccessToken();
    return await new Promise<string>((resolve, reject) => {
      const q = new URLSearchParams({ cloudPath, bucket });
      xhr.open('POST', `${location.origin}/v1/storage/upload?${q}`);
      if (tok) xhr.setRequestHeader('Authorization', 'Bearer ' + tok.accessToken);
      xhr.responseType = 'json';
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onload = () => {
        const d = (xhr.response ?? {}) as { fileID?: string; code?: string; errCode?: number; message?: string };
        if (xhr.status >= 200 && xhr.status < 300 && typeof d.fileID === 'string') {
          onProgress(file.size, file.size);
          resolve(d.fileID);
        } else {
          reject(new ApiError(d.message || `HTTP ${xhr.status}`, d.code || 'HTTP_' + xhr.status, d.errCode ?? -1));
        }
      };
      xhr.onerror = () => reject(new ApiError('network error', 'NETWORK', -1));
      xhr.onabort = () => reject(new ApiError('aborted', 'ABORTED', -1));
      const form = new FormData();
      form.append('cloudPath', cloudPath);
      form.append('bucket', bucket);
      form.append('file', file, cloudPath.slice(cloudPath.lastIndexOf('/') + 1));
      xhr.send(form);
    });
  })();
  return { promise, abort: () => xhr.abort() };
}
