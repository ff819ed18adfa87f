'use strict';
// require('zlib'): gzip, deflate (zlib and raw) and brotli, compressing
// and decompressing, as streams, sync functions and callback functions —
// in Go (bind_zlib.go). Output beyond the function's memory (or
// maxOutputLength) is a RangeError ERR_BUFFER_TOO_LARGE.

const { Transform } = require('stream');
const { invalidArgType } = require('internal/errors');

const codes = {
  Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4,
  Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
};
const constants = Object.assign({
  Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
  Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1, Z_FILTERED: 1,
  Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0, ZLIB_VERNUM: 4865, DEFLATE: 1, INFLATE: 2,
  GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7, BROTLI_DECODE: 8, BROTLI_ENCODE: 9,
  Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15, Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity,
  Z_DEFAULT_CHUNK: 16384, Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8, Z_MIN_LEVEL: -1,
  Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1, BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1,
  BROTLI_OPERATION_FINISH: 2, BROTLI_OPERATION_EMIT_METADATA: 3, BROTLI_PARAM_MODE: 0, BROTLI_MODE_GENERIC: 0,
  BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2, BROTLI_DEFAULT_MODE: 0, BROTLI_PARAM_QUALITY: 1, BROTLI_MIN_QUALITY: 0,
  BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11, BROTLI_PARAM_LGWIN: 2, BROTLI_MIN_WINDOW_BITS: 10,
  BROTLI_MAX_WINDOW_BITS: 24, BROTLI_LARGE_MAX_WINDOW_BITS: 30, BROTLI_DEFAULT_WINDOW: 22, BROTLI_PARAM_LGBLOCK: 3,
  BROTLI_MIN_INPUT_BLOCK_BITS: 16, BROTLI_MAX_INPUT_BLOCK_BITS: 24, BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING: 4,
  BROTLI_PARAM_SIZE_HINT: 5, BROTLI_PARAM_LARGE_WINDOW: 6, BROTLI_PARAM_NPOSTFIX: 7, BROTLI_PARAM_NDIRECT: 8,
  BROTLI_DECODER_RESULT_ERROR: 0, BROTLI_DECODER_RESULT_SUCCESS: 1, BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: 2,
  BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: 3, BROTLI_DECODER_PARAM_DISABLE_RING_BUFFER_REALLOCATION: 0,
  BROTLI_DECODER_PARAM_LARGE_WINDOW: 1, BROTLI_DECODER_NO_ERROR: 0, BROTLI_DECODER_SUCCESS: 1,
  BROTLI_DECODER_NEEDS_MORE_INPUT: 2, BROTLI_DECODER_NEEDS_MORE_OUTPUT: 3,
}, codes);

function toBytes(data) {
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw invalidArgType('buffer', 'string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer', data);
}

class Zlib extends Transform {
  constructor(mode, opts) {
    opts = opts || {};
    super({ highWaterMark: opts.chunkSize || 16 * 1024, ...opts, objectMode: false });
    this._handle = natives.create(mode, opts);
    this.bytesWritten = 0;
  }
  _transform(chunk, encoding, cb) {
    let out;
    try {
      out = this._handle.write(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    } catch (e) {
      return cb(e);
    }
    this.bytesWritten += chunk.length;
    if (out.length > 0) this.push(out);
    cb();
  }
  _flush(cb) {
    let out;
    try {
      out = this._handle.end();
    } catch (e) {
      return cb(e);
    }
    if (out.length > 0) this.push(out);
    cb();
  }
  _destroy(err, cb) {
    this._handle.close();
    cb(err);
  }
  flush(kind, cb) {
    if (typeof kind === 'function') cb = kind;
    try {
      const out = this._handle.flush();
      if (out.length > 0) this.push(out);
    } catch (e) {
      this.destroy(e);
    }
    if (typeof cb === 'function') process.nextTick(cb);
  }
  params(level, strategy, cb) {
    if (typeof cb === 'function') process.nextTick(cb);
  }
  reset() {}
  close(cb) {
    if (typeof cb === 'function') this.once('close', cb);
    this.destroy();
  }
}

const modes = ['Gzip', 'Gunzip', 'Deflate', 'Inflate', 'DeflateRaw', 'InflateRaw', 'Unzip', 'BrotliCompress', 'BrotliDecompress'];
const zlib = { constants, codes, Zlib };
for (const [k, v] of Object.entries(constants)) if (k.startsWith('Z_')) zlib[k] = v;

for (const Name of modes) {
  const mode = Name[0].toLowerCase() + Name.slice(1);
  const cls = {
    [Name]: class extends Zlib {
      constructor(opts) {
        super(mode, opts);
      }
    },
  }[Name];
  zlib[Name] = cls;
  zlib['create' + Name] = (opts) => new cls(opts);
  const sync = (data, opts) => natives.once(mode, toBytes(data), opts);
  zlib[mode + 'Sync'] = sync;
  zlib[mode] = (data, opts, cb) => {
    if (typeof opts === 'function') [opts, cb] = [undefined, opts];
    if (typeof cb !== 'function') throw invalidArgType('callback', 'function', cb);
    let out;
    try {
      out = sync(data, opts);
    } catch (e) {
      process.nextTick(cb, e);
      return;
    }
    process.nextTick(cb, null, out);
  };
}

// crc32 is zlib's CRC-32 (Node 20.15).
let table;
zlib.crc32 = (data, value = 0) => {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  const bytes = toBytes(data);
  let crc = ~value;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
};

module.exports = zlib;
