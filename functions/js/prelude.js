// The prelude: what every function instance gets besides ECMAScript, in
// JavaScript. It evaluates to a function that the runtime calls once per
// instance with its natives (fetch); nothing here reaches the host.
(function (natives) {
  'use strict';
  const g = globalThis;
  const define = (obj, name, value) =>
    Object.defineProperty(obj, name, { value, writable: true, configurable: true, enumerable: false });

  define(g, 'global', g);

  // The well-known symbols goja lacks, as the registered symbols esbuild's
  // helpers fall back to (Symbol.for('Symbol.asyncIterator')), so lowered
  // for await loops and async generators (bundle.go) meet the ones that
  // packages define by name.
  for (const name of ['asyncIterator', 'dispose', 'asyncDispose']) {
    if (typeof Symbol[name] !== 'symbol') {
      Object.defineProperty(Symbol, name, { value: Symbol.for('Symbol.' + name) });
    }
  }

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

  // The limits on built-ins that allocate or walk in one uninterruptible
  // step are in Go (guards.go), installed after this runs: Buffer.from
  // reads a Buffer's JSON ({type: 'Buffer', data}) there too.

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
