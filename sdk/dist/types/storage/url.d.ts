/**
 * fileIDs and file URLs: cloud://<env>.<bucket>/<path> (spec §4.1) and the
 * server's /f/<bucket>/<path>, with the image parameters the server's
 * storage/image package reads.
 */
import { CloudError } from '../core/errors';
/** An INVALID_PARAM failure of api (errCode -501007). */
export declare function invalid(api: string, detail: string): CloudError;
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
export declare function parseFileID(fileID: string): FileIDParts | undefined;
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
/** See Storage.fileURL. */
export declare function fileURL(endpoint: string, fileID: string, image?: ImageOptions | string): string;
