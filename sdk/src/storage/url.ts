/**
 * fileIDs and file URLs: cloud://<env>.<bucket>/<path> (spec §4.1) and the
 * server's /f/<bucket>/<path>, with the image parameters the server's
 * storage/image package reads.
 */
import { CloudError, ErrCode, cloudError } from '../core/errors';

/** An INVALID_PARAM failure of api (errCode -501007). */
export function invalid(api: string, detail: string): CloudError {
  return cloudError(api, ErrCode.INVALID_PARAM, detail, 'INVALID_PARAM');
}

/** A fileID's parts: cloud://<env>.<bucket>/<path>. */
export interface FileIDParts {
  env: string;
  bucket: string;
  path: string;
}

/**
 * Splits a fileID into env, bucket and path; undefined when it is not one
 * (the env is what comes before the first '.', as env ids have no dots).
 */
export function parseFileID(fileID: string): FileIDParts | undefined {
  const m = /^cloud:\/\/([^./]+)\.([^/]+)\/(.+)$/.exec(fileID);
  if (!m) return undefined;
  return { env: m[1], bucket: m[2], path: m[3] };
}

/**
 * Resizing parameters for an image URL (the server makes and caches the
 * variant; JPEG, PNG, GIF and WebP sources). w and h are 1–4096 pixels; fit
 * (when both are given) is cover (the default: fill the box, crop the
 * centre), contain (fit inside, pad), fill (stretch), inside (fit inside)
 * or outside (cover without cropping); q is the JPEG quality 1–100; format
 * is jpeg or png (default: the source's).
 */
export interface ImageOptions {
  w?: number;
  h?: number;
  fit?: 'cover' | 'contain' | 'fill' | 'inside' | 'outside';
  q?: number;
  format?: 'jpeg' | 'jpg' | 'png';
}

const FILE_URL = 'cloud.fileURL';
const FITS = ['cover', 'contain', 'fill', 'inside', 'outside'];
const FORMATS = ['jpeg', 'jpg', 'png'];

/** See Storage.fileURL. */
export function fileURL(endpoint: string, fileID: string, image?: ImageOptions | string): string {
  const parts = typeof fileID === 'string' ? parseFileID(fileID) : undefined;
  if (!parts) throw invalid(FILE_URL, `not a fileID (cloud://<env>.<bucket>/<path>): ${String(fileID)}`);
  const path = parts.path.split('/').map(encodeURIComponent).join('/');
  const url = `${endpoint}/f/${encodeURIComponent(parts.bucket)}/${path}`;
  if (image === undefined || image === null) return url;
  if (typeof image === 'string') {
    if (!/^imageView2\/[0-5](\/[A-Za-z]+\/[A-Za-z0-9]+)*$/.test(image)) {
      throw invalid(FILE_URL, `image must be an object {w, h, fit, q, format} or 'imageView2/<mode>/w/<w>/h/<h>…', got ${image}`);
    }
    return url + '?' + image;
  }
  if (typeof image !== 'object') throw invalid(FILE_URL, 'image must be an object {w, h, fit, q, format}');
  const q: string[] = [];
  const int = (name: 'w' | 'h' | 'q', max: number) => {
    const v = image[name];
    if (v === undefined) return;
    if (!Number.isInteger(v) || v < 1 || v > max) throw invalid(FILE_URL, `${name} must be an integer from 1 to ${max}, got ${String(v)}`);
    q.push(`${name}=${v}`);
  };
  int('w', 4096);
  int('h', 4096);
  if (image.fit !== undefined) {
    if (!FITS.includes(image.fit)) throw invalid(FILE_URL, `fit must be one of ${FITS.join(', ')}, got ${String(image.fit)}`);
    q.push(`fit=${image.fit}`);
  }
  int('q', 100);
  if (image.format !== undefined) {
    if (!FORMATS.includes(image.format)) throw invalid(FILE_URL, `format must be jpeg or png, got ${String(image.format)}`);
    q.push(`format=${image.format}`);
  }
  return q.length ? `${url}?${q.join('&')}` : url;
}
