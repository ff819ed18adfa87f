// zlib as HTTP clients and functions use it; each value is what Node 20
// gives for the same code (functions/node_test.go).
const zlib = require('zlib');
const { promisify } = require('util');
const { pipeline, Readable, Writable } = require('stream');

const caught = (fn) => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return `${e.name}|${e.code}|${e.errno}|${e.message}`;
  }
};

const collect = (...streams) => new Promise((resolve, reject) => {
  const parts = [];
  pipeline(...streams, new Writable({ write(c, e, cb) { parts.push(c); cb(); } }), (err) => (err ? reject(err) : resolve(Buffer.concat(parts))));
});

exports.main = async () => {
  const text = 'minibase '.repeat(2000);
  const out = {};
  const gz = zlib.gzipSync(text);
  out.sync = [
    gz[0], gz[1], gz.length < text.length, zlib.gunzipSync(gz).toString() === text,
    zlib.inflateSync(zlib.deflateSync(text, { level: 9 })).toString() === text,
    zlib.inflateRawSync(zlib.deflateRawSync('raw')).toString(),
    zlib.unzipSync(zlib.deflateSync('z')).toString(), zlib.unzipSync(zlib.gzipSync('g')).toString(),
    zlib.brotliDecompressSync(zlib.brotliCompressSync(text)).toString() === text,
    zlib.gunzipSync(Buffer.concat([zlib.gzipSync('a'), zlib.gzipSync('b')])).toString(),
  ];
  out.callback = [
    await promisify(zlib.gunzip)(await promisify(zlib.gzip)('cb')).then(String),
    await new Promise((r) => zlib.deflate('x', (e, b) => zlib.inflate(b, (e2, t) => r(String(t))))),
  ];
  // A stream fed in small pieces, as an HTTP body arrives.
  const pieces = [];
  for (let i = 0; i < gz.length; i += 100) pieces.push(gz.subarray(i, i + 100));
  out.stream = [
    (await collect(Readable.from(pieces), zlib.createGunzip())).toString() === text,
    (await collect(Readable.from([text]), zlib.createGzip(), zlib.createGunzip())).length,
    (await collect(Readable.from([text]), zlib.createBrotliCompress(), zlib.createBrotliDecompress())).length,
    (await collect(Readable.from([zlib.deflateSync('abc')]), zlib.createUnzip())).toString(),
    await collect(Readable.from([Buffer.from('not gzip at all')]), zlib.createGunzip()).catch((e) => `${e.code}|${e.message}`),
  ];
  const truncated = gz.subarray(0, gz.length - 10);
  out.errors = {
    header: caught(() => zlib.gunzipSync(Buffer.from('hello'))),
    inflate: caught(() => zlib.inflateSync(Buffer.from('hello'))),
    truncated: caught(() => zlib.gunzipSync(truncated)),
    truncatedSync: zlib.gunzipSync(truncated, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).length > 0,
    tooLarge: caught(() => zlib.gunzipSync(gz, { maxOutputLength: 1000 })),
    brotli: caught(() => zlib.brotliDecompressSync(Buffer.from('garbage here'))),
    type: caught(() => zlib.gzipSync(42)),
  };
  out.constants = [zlib.Z_SYNC_FLUSH, zlib.constants.Z_SYNC_FLUSH, zlib.constants.BROTLI_PARAM_QUALITY, typeof zlib.createGunzip, zlib.crc32('hello')];
  return out;
};
