// Node's built-in modules as npm packages use them; every value here is
// what Node 20 gives for the same code (functions/node_test.go).
const path = require('path');
const util = require('node:util');
const assert = require('assert');
const os = require('os');
const qs = require('querystring');
const EventEmitter = require('events');
const { PassThrough, Readable, Transform, Writable, pipeline } = require('stream');
const { StringDecoder } = require('string_decoder');
const punycode = require('punycode');
const timers = require('timers/promises');

const caught = (fn) => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return `${e.name}|${e.code}|${e.message.split('\n')[0]}`;
  }
};

exports.main = async () => {
  const out = {};
  out.path = [
    path.join('/a/b', '../c', './d.txt'), path.resolve('x', '../y'), path.relative('/a/b/c', '/a/d'),
    path.dirname('/a/b/'), path.basename('/a/b.js', '.js'), path.extname('index.test.ts'), path.normalize('a//b/../c/'),
    path.isAbsolute('./x'), path.format({ dir: '/tmp', name: 'f', ext: 'txt' }), path.parse('/home/u/f.tar.gz'), path.sep,
    path.posix === path, caught(() => path.join(1)),
  ];

  class Point { constructor() { this.x = 1; this.y = [1, 'two', { three: 3 }]; } }
  const circular = { name: 'c' };
  circular.self = circular;
  out.util = [
    util.format('%s has %d items costing %i, %f; %j %o %%', 'cart', 3, 4.9, '1.5', { a: 1 }, [1]),
    util.format('a', 1, { b: 2 }, 'c'), util.inspect(new Point()), util.inspect({ a: { b: { c: { d: 1 } } } }),
    util.inspect(circular), util.inspect(new Map([['k', 1]])), util.inspect(new Set([1, 'x'])),
    util.inspect(Buffer.from('hi')), util.inspect([1, , 3]), util.inspect('it\'s'), util.inspect(null),
    util.inspect(Symbol('s')), util.inspect(10n), util.inspect(function named() {}), util.inspect(class Foo {}),
    util.inspect(new Date(0)), util.inspect(/x/g), util.inspect(Object.create(null)), util.inspect(-0),
    util.inspect(new Uint8Array([1, 2])), util.inspect({ 'a-b': 1, [Symbol('k')]: 2 }),
    util.inspect(Promise.resolve(4)), util.inspect(new Promise(() => {})),
    util.inspect({ long: 'x'.repeat(60), other: 'y'.repeat(20) }),
    util.types.isDate(new Date()), util.types.isRegExp({}), util.types.isPromise(Promise.resolve()),
    util.types.isUint8Array(Buffer.alloc(1)), util.types.isAsyncFunction(async () => {}), util.isDeepStrictEqual({ a: [1] }, { a: [1] }),
    util.isDeepStrictEqual([1], ['1']),
  ];
  const sleep = util.promisify((ms, cb) => setTimeout(() => cb(null, ms * 2), ms));
  const fails = util.promisify((cb) => cb(new Error('nope')));
  out.promisify = [await sleep(1), await fails().catch((e) => e.message), typeof util.promisify.custom];
  const cbified = util.callbackify(async (x) => x + 1);
  out.callbackify = await new Promise((resolve) => cbified(1, (err, v) => resolve([err, v])));
  function Animal(name) { this.name = name; }
  Animal.prototype.speak = function () { return this.name + ' speaks'; };
  function Dog(name) { Animal.call(this, name); }
  util.inherits(Dog, Animal);
  out.inherits = [new Dog('rex').speak(), Dog.super_ === Animal];

  out.assert = [
    caught(() => assert.strictEqual(1, 2)), caught(() => assert.deepStrictEqual({ a: 1 }, { a: 1 })),
    caught(() => assert.deepEqual({ a: 1 }, { a: '1' })), caught(() => assert.deepStrictEqual({ a: 1 }, { a: '1' })),
    caught(() => assert(false, 'custom')), caught(() => assert.throws(() => { throw new TypeError('bad'); }, TypeError)),
    caught(() => assert.throws(() => {}, Error)), caught(() => assert.throws(() => { throw new Error('x1'); }, /x1/)),
    caught(() => assert.match('abc', /z/)), caught(() => assert.notStrictEqual(1, 1)), caught(() => assert.ifError(null)),
    caught(() => assert.deepStrictEqual(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]]))),
    caught(() => assert.deepStrictEqual(new Set([{ a: 1 }, 2]), new Set([2, { a: 1 }]))),
    caught(() => assert.strict.equal(1, '1')), caught(() => assert.equal(1, '1')),
    await assert.rejects(Promise.reject(new Error('r')), /r/).then(() => 'rejected as expected'),
  ];

  out.os = [os.platform(), os.type(), os.EOL, os.hostname(), os.cpus().length, os.totalmem() > 0, os.tmpdir(), os.endianness()];

  out.querystring = [
    qs.stringify({ a: [1, 2], b: 'x y', c: '中' }), qs.parse('a=1&a=2&b=x+y&c=%E4%B8%AD&d'), qs.escape('a b&c'),
    qs.parse('bad=%E4%B8'), qs.stringify({ n: null, u: undefined, t: true }),
  ];

  const em = new EventEmitter();
  const seen = [];
  em.on('x', (a) => seen.push('on ' + a));
  em.once('x', (a) => seen.push('once ' + a));
  em.prependListener('x', () => seen.push('first'));
  em.emit('x', 1);
  em.emit('x', 2);
  out.events = [seen, em.listenerCount('x'), em.eventNames(), caught(() => em.emit('error', new Error('unhandled'))),
    EventEmitter.defaultMaxListeners, typeof EventEmitter.once, EventEmitter.EventEmitter === EventEmitter];
  setTimeout(() => em.emit('later', 'v'), 1);
  out.events.push(await EventEmitter.once(em, 'later'));
  // What Node added to events after the npm package: once and on with a
  // signal, on as an async iterator, errorMonitor, getEventListeners.
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 1);
  const aborted = await EventEmitter.once(em, 'never', { signal: ac.signal }).catch((e) => [e.name, e.code, e.message]);
  const ticks = [];
  setTimeout(() => { em.emit('tick', 1); em.emit('tick', 2, 'two'); em.emit('tick', 3); }, 1);
  for await (const args of EventEmitter.on(em, 'tick')) {
    ticks.push(args);
    if (args[0] === 3) break;
  }
  const failing = new EventEmitter();
  setTimeout(() => failing.emit('error', new Error('boom')), 1);
  const onError = await (async () => {
    for await (const args of EventEmitter.on(failing, 'data')) return args;
  })().catch((e) => e.message);
  const monitored = [];
  const watched = new EventEmitter();
  watched.on(EventEmitter.errorMonitor, (e) => monitored.push('monitor ' + e.message));
  monitored.push(caught(() => watched.emit('error', new Error('seen'))));
  EventEmitter.setMaxListeners(20, watched, ac.signal);
  const listener = () => {};
  ac.signal.addEventListener('abort', listener);
  out.events.push(aborted, ticks, onError, em.listenerCount('tick'), monitored, watched.getMaxListeners(),
    EventEmitter.getEventListeners(ac.signal, 'abort').length, EventEmitter.getEventListeners(em, 'x').length,
    typeof EventEmitter.errorMonitor, await EventEmitter.once(em, 'x', { signal: 1 }).catch((e) => [e.name, e.code, e.message]),
    caught(() => EventEmitter.on(em, 'x', { signal: {} })));

  const pt = new PassThrough();
  const chunks = [];
  pt.on('data', (c) => chunks.push(c.toString()));
  const ended = new Promise((r) => pt.on('end', r));
  pt.write('a');
  pt.end('b');
  await ended;
  const upper = new Transform({ transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()); } });
  const collected = [];
  await new Promise((resolve, reject) => pipeline(Readable.from(['x', 'y', 'z']), upper,
    new Writable({ write(c, e, cb) { collected.push(c.toString()); cb(); } }), (err) => (err ? reject(err) : resolve())));
  const iterated = [];
  for await (const c of Readable.from([1, 2, 3])) iterated.push(c);
  const { pipeline: pipelineP } = require('stream/promises');
  out.stream = [chunks, collected, iterated, typeof pipelineP, pt instanceof EventEmitter, pt.readableEnded, pt.writableFinished];

  const dec = new StringDecoder('utf8');
  const euro = Buffer.from('€');
  out.string_decoder = [dec.write(euro.subarray(0, 1)), dec.write(euro.subarray(1)), dec.end(), new StringDecoder('hex').write(Buffer.from([255]))];

  out.punycode = [punycode.toASCII('mañana.com'), punycode.toUnicode('xn--maana-pta.com'), punycode.encode('ü')];

  // Buffer's encodings by Node's names (any case, aliases), and search.
  const b = Buffer.from('héllo wörld', 'latin1');
  const w = Buffer.alloc(8);
  out.buffer = [
    b.toString('hex'), b.toString('latin1'), b.toString('binary', 1, 4), b.toString('ascii'), Buffer.from('€é', 'binary').toString('hex'),
    Buffer.from('hé€😀', 'utf16le').toString('hex'), Buffer.from('hé€😀', 'ucs2').toString('UCS-2'),
    Buffer.from([0x41, 0x00, 0x42]).toString('utf16le'), Buffer.from([0x3d, 0xd8]).toString('utf-16le').charCodeAt(0),
    Buffer.from('hi?>').toString('base64url'), Buffer.from('aGk_Pg', 'base64url').toString(), Buffer.from('68C3A9', 'HEX').toString('UTF-8'),
    caught(() => Buffer.from('x', 'nope')), caught(() => Buffer.from('x').toString('utf-32')),
    ['latin1', 'BINARY', 'ucs-2', 'Base64URL', 'utf16', 'nope', 1].map((e) => Buffer.isEncoding(e)),
    [w.write('é€', 'latin1'), w.write('ab', 2, 'ascii'), w.write('zz', 4, 1, 'binary'), w.write('é', 6), w.toString('hex')],
    Buffer.alloc(5, 'é', 'latin1').toString('hex'), Buffer.alloc(5, 'ab', 'utf16le').toString('hex'), Buffer.byteLength('héllo', 'latin1'),
    [b.indexOf('l'), b.indexOf('l', 4), b.lastIndexOf('l'), b.lastIndexOf('l', 8), b.indexOf('ö', 0, 'latin1'), b.indexOf(Buffer.from('wö', 'latin1')),
      b.indexOf(0x6f), b.lastIndexOf(0x6f), b.indexOf('l', -3), b.includes('wör', 0, 'latin1'), b.includes('xyz'), b.indexOf(''), b.indexOf('', 50)],
  ];

  // Node's Web globals: atob/btoa, performance, TextDecoder's stream mode.
  const domCaught = (fn) => {
    try {
      return fn();
    } catch (e) {
      return [e.name, e.code, e.message];
    }
  };
  const td = new TextDecoder();
  const bytes = Buffer.from('\ufeffé€😀', 'utf8');
  const streamed = [td.decode(bytes.subarray(0, 2), { stream: true }), td.decode(bytes.subarray(2, 6), { stream: true }),
    td.decode(bytes.subarray(6, 9), { stream: true }), td.decode(bytes.subarray(9)), td.decode(bytes.subarray(0, 4))];
  const p0 = performance.now();
  out.web = [
    btoa('hi'), atob(' aGk= '), atob('aGk'), atob('YQ=='), atob('/+8=').charCodeAt(0), btoa(null), btoa('\u00ff\u0000'),
    ...['a', 'aGk=a', 'YQ=', 'Y*=='].map((s) => domCaught(() => atob(s))), domCaught(() => btoa('€')), domCaught(() => btoa()),
    streamed, new TextDecoder().decode(bytes.subarray(0, 4), { stream: true }),
    typeof p0, p0 >= 0, performance.now() >= p0, Math.abs(performance.timeOrigin + p0 - Date.now()) < 1000, String(performance),
  ];

  // Numbers' toLocaleString as Node's default locale (and zh-CN) writes them.
  out.toLocaleString = [(1234.5).toLocaleString(), (1234.5).toLocaleString('en-US'), (1234.5678).toLocaleString('zh-CN', { maximumFractionDigits: 2 }),
    (-1234567.891).toLocaleString(), (0.1 + 0.2).toLocaleString(), (5).toLocaleString('zh-CN', { minimumFractionDigits: 2 }),
    (1234).toLocaleString(undefined, { useGrouping: false }), (0.256).toLocaleString('en', { style: 'percent' }), NaN.toLocaleString(),
    (-Infinity).toLocaleString(), [1234, 5.5].toLocaleString(), caught(() => (1).toLocaleString('en', { maximumFractionDigits: 1, minimumFractionDigits: 2 })),
    (1e21).toLocaleString(), (-0.0001).toLocaleString(), (2.5).toLocaleString('en', { maximumFractionDigits: 0 }),
    (1.005).toLocaleString('en', { maximumFractionDigits: 2 }), (999.9996).toLocaleString(), (0.0000012345).toLocaleString('en', { maximumFractionDigits: 8 }),
    caught(() => (1).toLocaleString('en', { maximumFractionDigits: 101 }))];

  const t0 = Date.now();
  out.timers = [await timers.setTimeout(5, 'waited'), Date.now() - t0 >= 4, await timers.setImmediate('now')];
  return out;
};
