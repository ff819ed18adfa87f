// The built-in modules other than wx-server-sdk: crypto, Buffer, URL,
// TextEncoder/TextDecoder, process.env, console; and what is absent.
const crypto = require('crypto');

exports.main = async () => {
  const hex = (alg, s) => crypto.createHash(alg).update(s).digest('hex');
  console.log('hello %s, %d items', 'log', 3, { a: 1 });
  console.warn('a warning');
  console.error(new Error('logged error'));
  const url = new URL('https://example.com:8443/a/b?x=1&y=two#frag');
  url.searchParams.append('z', '3');
  const q = new URLSearchParams({ a: '1', b: 'x y' });
  const bytes = new TextEncoder().encode('héllo');
  const absent = {};
  for (const name of ['child_process', 'vm', 'worker_threads', 'cluster', 'inspector']) {
    try {
      require(name);
      absent[name] = 'loaded';
    } catch (e) {
      absent[name] = e.code;
    }
  }
  return {
    md5: hex('md5', 'abc'),
    sha1: hex('sha1', 'abc'),
    sha256: hex('sha256', 'abc'),
    sha256b64: crypto.createHash('sha256').update('a').update(Buffer.from('bc')).digest('base64'),
    hmac: crypto.createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex'),
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
    globalUUID: typeof globalThis.crypto.randomUUID(),
    random: crypto.randomBytes(16).length,
    safeEqual: crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab')),
    buffer: {
      base64: Buffer.from('hello').toString('base64'),
      hex: Buffer.from('68656c6c6f', 'hex').toString(),
      concat: Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString(),
      alloc: Buffer.alloc(3).length,
      isBuffer: Buffer.isBuffer(Buffer.from('x')),
      json: Buffer.from('hi').toJSON(),
    },
    url: { host: url.host, pathname: url.pathname, search: url.search, x: url.searchParams.get('x'), href: url.href },
    query: q.toString(),
    text: { length: bytes.length, back: new TextDecoder().decode(bytes), fatal: (() => {
      try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])); return 'no error'; } catch (e) { return e.name; }
    })() },
    env: process.env,
    absent,
    // The allocation guards on these constructors keep instanceof and
    // subclassing working.
    typed: (() => {
      class Bytes extends Uint8Array {}
      const b = new Bytes([1, 2, 3]);
      return [new ArrayBuffer(1) instanceof ArrayBuffer, new Uint8Array([1, 2]) instanceof Uint8Array, Buffer.from('x') instanceof Uint8Array,
        b instanceof Bytes && b instanceof Uint8Array, {} instanceof ArrayBuffer, new Float64Array(2) instanceof Uint8Array, b.length];
    })(),
    globals: ['setTimeout', 'fetch', 'Buffer', 'URL', 'TextEncoder', 'require', 'global'].map((n) => typeof globalThis[n]),
  };
};
