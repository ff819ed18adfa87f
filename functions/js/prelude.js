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

  // V8's Error.captureStackTrace(target), which packages' error classes
  // call: target gets a stack from here (its own frames included).
  if (typeof Error.captureStackTrace !== 'function') {
    define(Error, 'captureStackTrace', function captureStackTrace(target) {
      if (target === null || typeof target !== 'object') throw new TypeError('Invalid argument');
      const frames = String(new Error().stack).split('\n').slice(2).join('\n');
      let head;
      try {
        head = Error.prototype.toString.call(target);
      } catch {
        head = 'Error';
      }
      define(target, 'stack', frames ? head + '\n' + frames : head);
    });
    define(Error, 'stackTraceLimit', 10);
  }

  // atob and btoa: base64 of a string's Latin-1 bytes, decoded as the
  // WHATWG's forgiving-base64 (ASCII whitespace skipped, "=" only at the
  // end, padding optional).
  const missingInput = () => Object.assign(new TypeError('The "input" argument must be specified'), { code: 'ERR_MISSING_ARGS' });
  const invalidCharacter = (message) => new g.DOMException(message, 'InvalidCharacterError');
  define(g, 'btoa', function btoa(input) {
    if (arguments.length === 0) throw missingInput();
    const s = String(input);
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) throw invalidCharacter('Invalid character');
    return g.Buffer.from(s, 'latin1').toString('base64');
  });
  define(g, 'atob', function atob(input) {
    if (arguments.length === 0) throw missingInput();
    const s = String(input).replace(/[\t\n\f\r ]+/g, '');
    const m = /^[A-Za-z0-9+/]*(={0,2})$/.exec(s);
    if (m === null) throw invalidCharacter('Invalid character');
    const pad = m[1].length;
    if (pad > 0 && s.length % 4 !== 0) throw invalidCharacter('Invalid character');
    if ((s.length - pad) % 4 === 1) throw invalidCharacter('The string to be decoded is not correctly encoded.');
    return g.Buffer.from(s, 'base64').toString('latin1');
  });

  // performance: now() in milliseconds since the instance began, as
  // Node's counts from its process's start; made when first used.
  Object.defineProperty(g, 'performance', {
    configurable: true,
    enumerable: false,
    get() {
      const timeOrigin = Date.now() - Number(g.process.hrtime.bigint()) / 1e6;
      class Performance {
        now() {
          return Number(g.process.hrtime.bigint()) / 1e6;
        }
        get timeOrigin() {
          return timeOrigin;
        }
        toJSON() {
          return { timeOrigin };
        }
        get [Symbol.toStringTag]() {
          return 'Performance';
        }
      }
      const value = new Performance();
      define(g, 'performance', value);
      return value;
    },
    set(value) {
      define(g, 'performance', value);
    },
  });

  // Number's toLocaleString: goja has no Intl and threw "radix must be
  // between 2 and 36" for any locale argument. Numbers are written as
  // Node's default (en-US) and zh-CN write them — grouped by thousands,
  // at most 3 decimals, rounded half away from zero on the shortest
  // decimal form — with minimum/maximumFractionDigits, useGrouping and
  // style decimal or percent; another style is refused, not guessed.
  const fractionDigits = (o, name, fallback) => {
    const v = o[name];
    if (v === undefined) return fallback;
    const n = Math.floor(Number(v));
    if (!(n >= 0 && n <= 100)) throw new RangeError(name + ' value is out of range.');
    return n;
  };
  const decimalDigits = (x) => { // x ≥ 0: [integer digits, fraction digits], exactly as String(x) gives them
    const [mantissa, e] = String(x).split('e');
    const [i, f = ''] = mantissa.split('.');
    const digits = i + f;
    const point = i.length + Number(e || 0);
    if (point <= 0) return ['0', '0'.repeat(-point) + digits];
    if (point >= digits.length) return [digits + '0'.repeat(point - digits.length), ''];
    return [digits.slice(0, point), digits.slice(point)];
  };
  define(Number.prototype, 'toLocaleString', function toLocaleString(locales, options) {
    let n = Number.prototype.valueOf.call(this);
    const o = options === undefined ? {} : Object(options);
    const style = o.style === undefined ? 'decimal' : String(o.style);
    if (style !== 'decimal' && style !== 'percent') {
      throw new RangeError(`toLocaleString: style '${style}' is not supported (functions have no Intl; format the number yourself)`);
    }
    const minF = fractionDigits(o, 'minimumFractionDigits', 0);
    const maxF = fractionDigits(o, 'maximumFractionDigits', Math.max(minF, style === 'percent' ? 0 : 3));
    if (maxF < minF) throw new RangeError('maximumFractionDigits value is out of range.');
    const sign = n < 0 || Object.is(n, -0) ? '-' : '';
    const suffix = style === 'percent' ? '%' : '';
    if (n !== n) return 'NaN';
    if (!Number.isFinite(n)) return sign + '∞' + suffix;
    if (style === 'percent') n *= 100;
    let [int, frac] = decimalDigits(Math.abs(n));
    if (frac.length > maxF) {
      const up = frac.charCodeAt(maxF) >= 53; // '5'
      frac = frac.slice(0, maxF);
      if (up) {
        const all = (int + frac).split('');
        let k = all.length - 1;
        for (; k >= 0 && all[k] === '9'; k--) all[k] = '0';
        if (k >= 0) all[k] = String(Number(all[k]) + 1);
        else all.unshift('1');
        int = all.slice(0, all.length - frac.length).join('');
        frac = all.slice(all.length - frac.length).join('');
      }
    }
    int = int.replace(/^0+(?=\d)/, '');
    frac = frac.replace(/0+$/, '');
    if (frac.length < minF) frac += '0'.repeat(minF - frac.length);
    if (o.useGrouping !== false && o.useGrouping !== 'false') int = int.replace(/\B(?=(\d{3})+$)/g, ',');
    return sign + int + (frac ? '.' + frac : '') + suffix;
  });

  define(g, 'queueMicrotask', function queueMicrotask(callback) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    // An exception thrown by the microtask is uncaught, as in Node: it fails the invocation.
    Promise.resolve().then(callback).catch((e) => setImmediate(() => { throw e; }));
  });

  // Node's Web platform globals, made when first used (js/node/internal/abort.js).
  for (const name of ['AbortController', 'AbortSignal', 'DOMException', 'Event', 'EventTarget']) {
    Object.defineProperty(g, name, {
      configurable: true,
      enumerable: false,
      get() {
        const value = natives.node('internal/abort')[name];
        define(g, name, value);
        return value;
      },
      set(value) {
        define(g, name, value);
      },
    });
  }

  define(g.process, 'nextTick', function nextTick(callback, ...args) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    g.queueMicrotask(() => callback(...args));
  });

  // ---- process: the rest of Node's (version, platform, hrtime, exit, on,
  // stdout…) is inherited from natives.processProto, made when first read
  // (bind_process.go, js/node/internal/process.js) ----
  Object.defineProperty(g.process, Symbol.toStringTag, { value: 'process', configurable: true }); // [object process]
  Object.setPrototypeOf(g.process, natives.processProto);

  // ---- Buffer: what goja_nodejs lacks of Node's common subset ----
  const B = g.Buffer;
  Object.defineProperty(B, 'name', { value: 'Buffer' }); // goja_nodejs's is its Go function's
  define(B, 'isBuffer', (v) => v instanceof B);
  // Encodings as Node names them, in any case: goja_nodejs knows utf8,
  // hex, base64 and base64url (as "base64Url"); latin1 (binary), ascii and
  // utf16le (ucs2) are the natives' (bind_buffer.go).
  const encodings = { utf8: 'utf8', 'utf-8': 'utf8', hex: 'hex', base64: 'base64', base64url: 'base64Url',
    latin1: 'latin1', binary: 'latin1', ascii: 'ascii', ucs2: 'utf16le', 'ucs-2': 'utf16le', utf16le: 'utf16le', 'utf-16le': 'utf16le' };
  const nativeEncoding = { latin1: true, ascii: true, utf16le: true };
  const encodingOf = (enc) => {
    if (enc === undefined || enc === null) return 'utf8';
    const e = encodings[String(enc).toLowerCase()];
    if (e === undefined) {
      const err = new TypeError('Unknown encoding: ' + String(enc));
      err.code = 'ERR_UNKNOWN_ENCODING';
      throw err;
    }
    return e;
  };
  define(B, 'isEncoding', (e) => typeof e === 'string' && encodings[e.toLowerCase()] !== undefined);
  const bufferFrom = B.from;
  define(B, 'from', function from(value, enc, length) {
    if (typeof value !== 'string') return bufferFrom.call(this, value, enc, length);
    const e = encodingOf(enc);
    return nativeEncoding[e] ? natives.encodeString(value, e) : bufferFrom.call(this, value, e);
  });
  const bufferAlloc = B.alloc;
  define(B, 'alloc', function alloc(size, fill, enc) {
    if (typeof fill !== 'string' || enc === undefined) return bufferAlloc.call(this, size, fill);
    const e = encodingOf(enc);
    if (!nativeEncoding[e]) return bufferAlloc.call(this, size, fill, e);
    const b = bufferAlloc.call(this, size);
    const pattern = natives.encodeString(fill, e);
    if (pattern.length > 0) for (let i = 0; i < b.length; i++) b[i] = pattern[i % pattern.length];
    return b;
  });
  define(B, 'byteLength', (v, enc) => (typeof v === 'string' ? B.from(v, enc).length : v.byteLength));
  define(B, 'allocUnsafe', (n) => B.alloc(n));
  define(B, 'allocUnsafeSlow', (n) => B.alloc(n));
  define(B, 'compare', (a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  });
  const BP = B.prototype;
  const bufferToString = BP.toString;
  // Assigned, not defined: enumerable as goja_nodejs's methods are, so
  // the guards (guards_typed.go) wrap these too and check that this is a
  // Buffer before the original reads its bytes.
  BP.toString = function toString(enc, start, end) {
    if (arguments.length === 0) return bufferToString.call(this);
    const e = encodingOf(enc);
    if (!nativeEncoding[e]) return bufferToString.call(this, e, start, end);
    const len = this.length;
    const s = start === undefined ? 0 : Math.max(Math.trunc(Number(start)) || 0, 0);
    const f = end === undefined ? len : Math.min(Math.trunc(Number(end)) || 0, len);
    return s >= f ? '' : natives.decodeBytes(s === 0 && f === len ? this : this.subarray(s, f), e);
  };
  // indexOf, lastIndexOf and includes find a string (in an encoding), a
  // Buffer or a byte, as Node's; a Uint8Array's would find only a byte.
  const search = (buf, value, byteOffset, enc, last) => {
    if (typeof byteOffset === 'string') [enc, byteOffset] = [byteOffset, undefined];
    const len = buf.length;
    let from = byteOffset === undefined ? (last ? len : 0) : Math.trunc(Number(byteOffset)) || 0;
    if (from < 0) from = len + from;
    if (typeof value === 'number') {
      return last ? Uint8Array.prototype.lastIndexOf.call(buf, value & 255, Math.max(from, -1))
        : Uint8Array.prototype.indexOf.call(buf, value & 255, Math.max(from, 0));
    }
    if (typeof value === 'string') value = B.from(value, enc);
    else if (!(value instanceof Uint8Array)) {
      const err = new TypeError('The "value" argument must be one of type number or string or an instance of Buffer or Uint8Array.');
      err.code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
    if (from < 0) return last ? -1 : natives.indexOfBytes(buf, value, 0, false);
    return natives.indexOfBytes(buf, value, from, last);
  };
  BP.indexOf = function indexOf(value, byteOffset, enc) {
    return search(this, value, byteOffset, enc, false);
  };
  BP.lastIndexOf = function lastIndexOf(value, byteOffset, enc) {
    return search(this, value, byteOffset, enc, true);
  };
  BP.includes = function includes(value, byteOffset, enc) {
    return search(this, value, byteOffset, enc, false) !== -1;
  };
  const bufferWrite = BP.write;
  BP.write = function write(string, offset, length, enc) {
    if (typeof offset === 'string') [enc, offset, length] = [offset, 0, undefined];
    else if (typeof length === 'string') [enc, length] = [length, undefined];
    const e = encodingOf(enc);
    offset = offset === undefined ? 0 : offset;
    if (!nativeEncoding[e]) return length === undefined ? bufferWrite.call(this, string, offset, this.length - offset, e) : bufferWrite.call(this, string, offset, length, e);
    const bytes = natives.encodeString(string, e);
    return bytes.copy(this, offset, 0, length === undefined ? bytes.length : Math.min(length, bytes.length));
  };
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

  // ---- URL: goja_nodejs's keeps "//:@" once username and password are
  // set empty (and Go would then send an empty Basic authorization); the
  // WHATWG URL drops the credentials. Its accessors cannot be redefined:
  // a subclass fixes them ----
  const BaseURL = g.URL;
  const accessor = (name) => Object.getOwnPropertyDescriptor(BaseURL.prototype, name);
  const dropEmptyCredentials = (u) => {
    if (u.username !== '' || u.password !== '') return;
    const h = u.href;
    const at = h.indexOf('@');
    if (at >= 0 && h.slice(u.protocol.length, at).startsWith('//')) u.href = u.protocol + '//' + h.slice(at + 1);
  };
  // Its hostname of an IPv6 host is "[", and it keeps WHATWG's other
  // IPv4 forms (2130706433, 0x7f.1, 127.1) as names: a URL here names the
  // address they stand for, as in Node.
  const hostOf = accessor('host');
  const invalidURL = (input) => Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL', input });
  const ipv4Part = (p) => {
    if (/^0x[0-9a-f]*$/i.test(p)) return p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    if (/^0[0-7]+$/.test(p)) return parseInt(p.slice(1), 8);
    return /^(?:0|[1-9][0-9]*)$/.test(p) ? Number(p) : NaN;
  };
  const ipv4 = (host) => { // the dotted address host names, or '' when it is a name
    const parts = host.split('.');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    if (!/^(?:[0-9]+|0x[0-9a-f]*)$/i.test(parts[parts.length - 1])) return '';
    const nums = parts.map(ipv4Part);
    const last = nums.pop();
    if (parts.length > 4 || nums.some((n) => !(n <= 255)) || !(last < 256 ** (4 - nums.length))) return null;
    let n = last;
    nums.forEach((v, i) => (n += v * 256 ** (3 - i)));
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  };
  class URL extends BaseURL {
    constructor(input, base) {
      super(input, base);
      const special = ['http:', 'https:', 'ws:', 'wss:', 'ftp:'].includes(this.protocol);
      const name = this.hostname;
      if (!special || name.startsWith('[') || !/[0-9]$|\.$/.test(name)) return;
      const dotted = ipv4(name);
      if (dotted === null) throw invalidURL(String(input));
      if (dotted !== '' && dotted !== name) hostOf.set.call(this, dotted + (this.port ? ':' + this.port : ''));
    }
    get hostname() {
      const h = hostOf.get.call(this);
      if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
      const colon = h.lastIndexOf(':');
      return colon < 0 ? h : h.slice(0, colon);
    }
    set hostname(value) {
      accessor('hostname').set.call(this, value);
    }
  }
  for (const name of ['username', 'password']) {
    const d = accessor(name);
    Object.defineProperty(URL.prototype, name, {
      get: d.get,
      set(value) {
        d.set.call(this, value);
        dropEmptyCredentials(this);
      },
      enumerable: true,
      configurable: true,
    });
  }
  define(g, 'URL', URL);

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
