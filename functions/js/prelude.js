// The prelude: what every function instance gets besides ECMAScript, in
// JavaScript. It evaluates to a function that the runtime calls once per
// instance with its natives (fetch, limits); nothing here reaches the host.
(function (natives) {
  'use strict';
  const g = globalThis;
  const define = (obj, name, value) =>
    Object.defineProperty(obj, name, { value, writable: true, configurable: true, enumerable: false });

  define(g, 'global', g);

  define(g, 'queueMicrotask', function queueMicrotask(callback) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    // An exception thrown by the microtask is uncaught, as in Node: it fails the invocation.
    Promise.resolve().then(callback).catch((e) => setImmediate(() => { throw e; }));
  });

  define(g.process, 'nextTick', function nextTick(callback, ...args) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    g.queueMicrotask(() => callback(...args));
  });

  // ---- Buffer: what goja_nodejs lacks of Node's common subset ----
  const B = g.Buffer;
  define(B, 'isBuffer', (v) => v instanceof B);
  define(B, 'isEncoding', (e) => ['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii'].includes(String(e).toLowerCase()));
  define(B, 'byteLength', (v, enc) => (typeof v === 'string' ? B.from(v, enc).length : v.byteLength));
  define(B, 'allocUnsafe', (n) => B.alloc(n));
  define(B, 'allocUnsafeSlow', (n) => B.alloc(n));
  define(B, 'compare', (a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  });
  // Buffer.from(JSON of a Buffer): how wx.cloud sends a Buffer in a
  // function's data ({type: 'Buffer', data: [bytes]}, spec §5.1), as Node
  // reads it.
  const from = B.from;
  define(B, 'from', function from_(v, ...rest) {
    if (v !== null && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data) && !ArrayBuffer.isView(v)) v = v.data;
    return from.call(this, v, ...rest);
  });
  const BP = B.prototype;
  define(BP, 'toJSON', function toJSON() {
    return { type: 'Buffer', data: Array.from(this) };
  });
  define(BP, 'slice', function slice(start, end) {
    const len = this.length;
    const clamp = (v, d) => (v === undefined ? d : v < 0 ? Math.max(len + v, 0) : Math.min(v, len));
    const s = clamp(start, 0);
    return B.from(this.buffer, this.byteOffset + s, Math.max(clamp(end, len) - s, 0));
  });
  define(BP, 'subarray', BP.slice);
  define(BP, 'compare', function compare(other) {
    return B.compare(this, other);
  });
  define(BP, 'copy', function copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
    const part = this.subarray(sourceStart, sourceEnd);
    const n = Math.min(part.length, target.length - targetStart);
    for (let i = 0; i < n; i++) target[targetStart + i] = part[i];
    return n;
  });

  // ---- limits on the built-ins that allocate in one uninterruptible step ----
  const maxBytes = natives.maxBytes;
  const maxElems = Math.floor(maxBytes / 16);
  const tooLong = () => new RangeError('Invalid string length: over the function\'s memory limit (config.json memorySize)');
  const tooMany = () => new RangeError('Invalid array length: over the function\'s memory limit (config.json memorySize)');
  const wrap = (proto, name, check) => {
    const orig = proto[name];
    const f = {
      [name](...args) {
        check(this, args);
        return orig.apply(this, args);
      },
    }[name];
    define(proto, name, f);
  };
  wrap(String.prototype, 'repeat', (s, [n]) => {
    if (String(s).length * Number(n) > maxBytes) throw tooLong();
  });
  for (const name of ['padStart', 'padEnd']) {
    wrap(String.prototype, name, (s, [n]) => {
      if (Number(n) > maxBytes) throw tooLong();
    });
  }
  for (const name of ['fill', 'map', 'join', 'toString', 'toLocaleString']) {
    wrap(Array.prototype, name, (a) => {
      if (a !== null && a !== undefined && Number(a.length) > maxElems) throw tooMany();
    });
  }
  wrap(Array, 'from', (_, [src]) => {
    if (src !== null && src !== undefined && Number(src.length) > maxElems) throw tooMany();
  });
  const checkBytes = (n) => {
    if (Number(n) > maxBytes) throw new RangeError('Array buffer allocation failed: over the function\'s memory limit (config.json memorySize)');
  };
  const OrigArrayBuffer = ArrayBuffer;
  // goja's instanceof refuses a Proxy of a function as its right side
  // ("Expecting a function in instanceof check"), so the guarded
  // constructors answer Symbol.hasInstance themselves, as the originals.
  const hasInstance = (C) => (v) => v instanceof C;
  const guardCtor = (name, perElem) => {
    const C = g[name];
    const isInstance = hasInstance(C);
    define(g, name, new Proxy(C, {
      construct(target, args, newTarget) {
        const a = args[0];
        if (typeof a === 'number') checkBytes(a * perElem);
        else if (a !== null && typeof a === 'object' && !(a instanceof OrigArrayBuffer) && typeof a.length === 'number') checkBytes(a.length * perElem);
        return Reflect.construct(target, args, newTarget);
      },
      get(target, key, receiver) {
        return key === Symbol.hasInstance ? isInstance : Reflect.get(target, key, receiver);
      },
    }));
  };
  guardCtor('ArrayBuffer', 1);
  for (const [name, size] of [['Int8Array', 1], ['Uint8Array', 1], ['Uint8ClampedArray', 1], ['Int16Array', 2],
    ['Uint16Array', 2], ['Int32Array', 4], ['Uint32Array', 4], ['Float32Array', 4], ['Float64Array', 8],
    ['BigInt64Array', 8], ['BigUint64Array', 8]]) {
    if (g[name]) guardCtor(name, size);
  }
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow']) {
    if (typeof Buffer[name] === 'function') wrap(Buffer, name, (_, [n]) => checkBytes(n));
  }

  // ---- fetch (WHATWG subset): Headers, Response, fetch ----
  const norm = (name) => {
    const n = String(name).toLowerCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(n)) throw new TypeError(`Invalid header name: "${name}"`);
    return n;
  };
  class Headers {
    constructor(init) {
      define(this, '_h', new Map());
      if (init instanceof Headers) init.forEach((v, k) => this.append(k, v));
      else if (Array.isArray(init)) for (const [k, v] of init) this.append(k, v);
      else if (init && typeof init === 'object') for (const k of Object.keys(init)) this.append(k, init[k]);
    }
    append(name, value) {
      const n = norm(name);
      const v = String(value).trim();
      const old = this._h.get(n);
      this._h.set(n, old === undefined ? v : old + ', ' + v);
    }
    set(name, value) { this._h.set(norm(name), String(value).trim()); }
    get(name) { const v = this._h.get(norm(name)); return v === undefined ? null : v; }
    has(name) { return this._h.has(norm(name)); }
    delete(name) { this._h.delete(norm(name)); }
    forEach(fn, thisArg) { for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this); }
    *entries() { yield* [...this._h.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)); }
    *keys() { for (const [k] of this.entries()) yield k; }
    *values() { for (const [, v] of this.entries()) yield v; }
    [Symbol.iterator]() { return this.entries(); }
  }

  const decoder = new TextDecoder();
  class Response {
    constructor(body, init) {
      init = init || {};
      this.status = init.status === undefined ? 200 : init.status;
      this.statusText = init.statusText === undefined ? '' : String(init.statusText);
      this.ok = this.status >= 200 && this.status < 300;
      this.headers = new Headers(init.headers);
      this.url = init.url || '';
      this.redirected = !!init.redirected;
      this.type = 'basic';
      this.bodyUsed = false;
      let bytes = body;
      if (bytes === undefined || bytes === null) bytes = new ArrayBuffer(0);
      else if (typeof bytes === 'string') bytes = new TextEncoder().encode(bytes).buffer;
      define(this, '_body', bytes);
    }
    _take() {
      if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
      this.bodyUsed = true;
      return this._body;
    }
    async arrayBuffer() { return this._take(); }
    async text() { return decoder.decode(this._take()); }
    async json() { return JSON.parse(await this.text()); }
    clone() {
      if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
      return new Response(this._body.slice(0), this);
    }
  }

  const fetchNative = natives.fetch;
  async function fetch(input, init) {
    init = init || {};
    const url = typeof input === 'string' || input instanceof URL ? String(input) : String(input && input.url);
    const method = String(init.method || 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    let body = init.body;
    if (body instanceof URLSearchParams) {
      if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
      body = String(body);
    } else if (typeof body === 'string') {
      if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    } else if (body !== undefined && body !== null && !(body instanceof ArrayBuffer) && !ArrayBuffer.isView(body)) {
      throw new TypeError('fetch: body must be a string, ArrayBuffer, TypedArray, Buffer or URLSearchParams');
    }
    if ((method === 'GET' || method === 'HEAD') && body !== undefined && body !== null) {
      throw new TypeError('Request with GET/HEAD method cannot have body.');
    }
    if (init.redirect === 'error') throw new TypeError('fetch: redirect "error" is not supported; use "follow" or "manual"');
    const r = await fetchNative(url, method, [...headers.entries()], body, Number(init.timeout) || 0, init.redirect || 'follow');
    return new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers, url: r.url, redirected: r.redirected });
  }
  define(g, 'Headers', Headers);
  define(g, 'Response', Response);
  define(g, 'fetch', fetch);
});
