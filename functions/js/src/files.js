// Checks of the storage calls' options, shared by wx-server-sdk and
// @cloudbase/node-sdk: each returns why the options are refused, or ''
// when they are fine.

/** A fileID: a non-empty string. */
export const isFileID = (v) => typeof v === 'string' && v !== '';

/** An item of getTempFileURL's fileList: a fileID, or {fileID, maxAge?} with maxAge a positive integer (seconds). */
export const isTempURLItem = (it) =>
  isFileID(it) ||
  (it !== null && typeof it === 'object' && isFileID(it.fileID) &&
    (it.maxAge === undefined || (Number.isInteger(it.maxAge) && it.maxAge > 0)));

/**
 * checkFileList returns why opts.fileList is not 1 to max items that ok
 * accepts, or ''.
 */
export function checkFileList(opts, max, ok) {
  const list = opts !== null && typeof opts === 'object' ? opts.fileList : undefined;
  if (!Array.isArray(list) || list.length === 0) return 'fileList must be a non-empty array';
  if (list.length > max) return `fileList has ${list.length} items; at most ${max} per call`;
  const bad = list.findIndex((it) => !ok(it));
  return bad < 0 ? '' : `fileList[${bad}] is not a fileID: ${JSON.stringify(list[bad]) ?? String(list[bad])}`;
}

/**
 * checkUpload returns why uploadFile's {cloudPath, fileContent} is
 * refused: fileContent is a Buffer (any typed array, DataView or
 * ArrayBuffer) or a string, stored as UTF-8.
 */
export function checkUpload(opts) {
  if (opts === null || typeof opts !== 'object') return 'options must be an object';
  const { cloudPath, fileContent } = opts;
  if (typeof cloudPath !== 'string' || cloudPath === '') return 'cloudPath must be a non-empty string';
  if (typeof fileContent !== 'string' && !(fileContent instanceof ArrayBuffer) && !ArrayBuffer.isView(fileContent)) {
    return 'fileContent must be a Buffer or a string';
  }
  return '';
}
