'use strict';
// require('http') and require('https'): Node's HTTP client —
// ClientRequest, IncomingMessage, Agent, request, get — over Go's net/http
// (bind_http.go) with fetch's limits. Requests are sent when they end (a
// body is at most the fetch request limit); responses stream in as they
// arrive. No servers: a function is served by minibase.

const EventEmitter = require('events');
const { Readable, Stream } = require('stream');
const { invalidArgType, coded, unsupported } = require('internal/errors');
const { urlToHttpOptions } = require('url');

const METHODS = ['ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE',
  'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PURGE',
  'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'];

const STATUS_CODES = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints', 200: 'OK', 201: 'Created',
  202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content', 205: 'Reset Content', 206: 'Partial Content',
  207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used', 300: 'Multiple Choices', 301: 'Moved Permanently',
  302: 'Found', 303: 'See Other', 304: 'Not Modified', 305: 'Use Proxy', 307: 'Temporary Redirect',
  308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed',
  413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable',
  417: 'Expectation Failed', 418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked',
  424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates', 507: 'Insufficient Storage',
  508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended', 511: 'Network Authentication Required',
};

const token = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const badValue = /[^\t\x20-\x7e\x80-\xff]/;

function validateHeaderName(name) {
  if (typeof name !== 'string' || !token.test(name)) {
    throw coded(TypeError, 'ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`);
  }
}

function validateHeaderValue(name, value) {
  if (value === undefined) throw coded(TypeError, 'ERR_HTTP_INVALID_HEADER_VALUE', `Invalid value "${value}" for header "${name}"`);
  if (badValue.test(String(value))) throw coded(TypeError, 'ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
}

// Response headers that keep only their first value, as Node's parser does.
const single = new Set(['age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization',
  'referer', 'retry-after', 'server', 'user-agent']);

function headersOf(raw) {
  const headers = {};
  const distinct = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    (distinct[name] = distinct[name] || []).push(value);
    if (!(name in headers)) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (name === 'set-cookie') headers[name].push(value);
    else if (!single.has(name)) headers[name] += (name === 'cookie' ? '; ' : ', ') + value;
  }
  return { headers, distinct };
}

// Agent keeps Node's shape (options, the sockets maps, getName) for the
// packages that make or extend one; connections are Go's, pooled there.
function Agent(options) {
  if (!(this instanceof Agent)) return new Agent(options);
  EventEmitter.call(this);
  this.options = Object.assign({ __proto__: null }, options);
  this.defaultPort = 80;
  this.protocol = 'http:';
  this.keepAlive = !!this.options.keepAlive;
  this.keepAliveMsecs = this.options.keepAliveMsecs || 1000;
  this.maxSockets = this.options.maxSockets || Agent.defaultMaxSockets;
  this.maxFreeSockets = this.options.maxFreeSockets || 256;
  this.maxTotalSockets = this.options.maxTotalSockets || Infinity;
  this.totalSocketCount = 0;
  this.scheduling = this.options.scheduling || 'lifo';
  this.requests = { __proto__: null };
  this.sockets = { __proto__: null };
  this.freeSockets = { __proto__: null };
}
Object.setPrototypeOf(Agent.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Agent, EventEmitter);
Agent.defaultMaxSockets = Infinity;
Agent.prototype.getName = function getName(options = {}) {
  let name = `${options.host || 'localhost'}:${options.port || ''}:${options.localAddress || ''}`;
  if (options.family === 4 || options.family === 6) name += `:${options.family}`;
  return name;
};
Agent.prototype.createConnection = function createConnection() {
  throw unsupported('agent.createConnection()', "requests go through minibase's HTTP client");
};
Agent.prototype.keepSocketAlive = () => true;
Agent.prototype.reuseSocket = () => {};
Agent.prototype.destroy = () => {};
Agent.prototype.addRequest = function addRequest() {
  throw unsupported('agent.addRequest()', "requests go through minibase's HTTP client");
};

// Socket stands for the connection a request would have: the events and
// methods packages touch (timers, keep-alive), none of a real socket's
// reach.
class Socket extends EventEmitter {
  constructor(req, encrypted) {
    super();
    this._req = req;
    this.connecting = false;
    this.readable = true;
    this.writable = true;
    this.destroyed = false;
    this.encrypted = encrypted || undefined;
    this.authorized = encrypted ? true : undefined;
    this.remoteAddress = undefined;
    this.remotePort = undefined;
    this.bytesWritten = 0;
    this.bytesRead = 0;
  }
  setTimeout(ms, cb) {
    this._req.setTimeout(ms, cb);
    return this;
  }
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  address() {
    return {};
  }
  getPeerCertificate() {
    return {};
  }
  end() {
    return this;
  }
  write() {
    return false;
  }
  destroy(err) {
    this._req.destroy(err);
    return this;
  }
}

class OutgoingMessage extends Stream {
  constructor() {
    super();
    this._headers = new Map(); // lower-case name → [name, value]
    this.headersSent = false;
    this.finished = false;
    this.writableEnded = false;
    this.writableFinished = false;
    this.destroyed = false;
    this.writable = true;
  }
  setHeader(name, value) {
    if (this.headersSent) throw coded(Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot set headers after they are sent to the client');
    validateHeaderName(name);
    validateHeaderValue(name, value);
    this._headers.set(name.toLowerCase(), [name, value]);
    return this;
  }
  appendHeader(name, value) {
    const old = this.getHeader(name);
    if (old === undefined) return this.setHeader(name, value);
    return this.setHeader(name, [].concat(old, value));
  }
  getHeader(name) {
    if (typeof name !== 'string') throw invalidArgType('name', 'string', name);
    const h = this._headers.get(name.toLowerCase());
    return h && h[1];
  }
  getHeaders() {
    const out = { __proto__: null };
    for (const [k, [, v]] of this._headers) out[k] = v;
    return out;
  }
  getHeaderNames() {
    return [...this._headers.keys()];
  }
  getRawHeaderNames() {
    return [...this._headers.values()].map(([n]) => n);
  }
  hasHeader(name) {
    return this._headers.has(String(name).toLowerCase());
  }
  removeHeader(name) {
    if (this.headersSent) throw coded(Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot remove headers after they are sent to the client');
    this._headers.delete(String(name).toLowerCase());
  }
  get writableLength() {
    return 0;
  }
  get writableHighWaterMark() {
    return 16384;
  }
  get writableCorked() {
    return 0;
  }
  cork() {}
  uncork() {}
  flushHeaders() {}
}

class IncomingMessage extends Readable {
  constructor(socket) {
    super();
    this.socket = socket;
    this.httpVersionMajor = 1;
    this.httpVersionMinor = 1;
    this.httpVersion = '1.1';
    this.complete = false;
    this.rawHeaders = [];
    this.rawTrailers = [];
    this.headers = {};
    this.headersDistinct = {};
    this.trailers = {};
    this.trailersDistinct = {};
    this.aborted = false;
    this.upgrade = false;
    this.url = '';
    this.method = null;
    this.statusCode = null;
    this.statusMessage = null;
  }
  get connection() {
    return this.socket;
  }
  _read() {}
  // An unfinished response destroyed is 'aborted' (unless a limit of
  // minibase's failed it: see _fail); its error is emitted only to
  // listeners, as Node keeps it for backward compatibility.
  _destroy(err, cb) {
    if (!this._failed && (!this.readableEnded || !this.complete)) {
      this.aborted = true;
      this.emit('aborted');
    }
    process.nextTick(() => cb(this.listenerCount('error') > 0 ? err : undefined));
  }
  setTimeout(ms, cb) {
    if (this.req) this.req.setTimeout(ms, cb);
    return this;
  }
}

function hangUp(message, code) {
  return coded(Error, code || 'ECONNRESET', message);
}

function failure(info) {
  const e = coded(Error, info.code, info.message);
  for (const k of ['errno', 'syscall', 'address', 'port', 'hostname']) if (info[k] !== undefined) e[k] = info[k];
  return e;
}

const tlsKeys = ['rejectUnauthorized', 'ca', 'cert', 'key', 'servername', 'pfx'];

function makeClient(protocol, defaultPort, module) {
  class ClientRequest extends OutgoingMessage {
    constructor(input, options, cb) {
      super();
      if (typeof input === 'string' || input instanceof URL) {
        const u = typeof input === 'string' ? new URL(input) : input;
        input = urlToHttpOptions(u);
      } else {
        cb = options;
        options = input;
        input = null;
      }
      if (typeof options === 'function') {
        cb = options;
        options = null;
      }
      const opts = Object.assign({}, input, options);
      let agent = opts.agent;
      if (agent === false || agent === undefined || agent === null) agent = agent === false ? new module.Agent() : module.globalAgent;
      this.agent = agent;
      const expected = (agent && agent.protocol) || protocol;
      const proto = opts.protocol || expected;
      if (proto !== expected) {
        throw coded(TypeError, 'ERR_INVALID_PROTOCOL', `Protocol "${proto}" not supported. Expected "${expected}"`);
      }
      const port = Number(opts.port || opts.defaultPort || (agent && agent.defaultPort) || defaultPort);
      let host = opts.hostname || opts.host || 'localhost';
      if (typeof host !== 'string') throw invalidArgType('options.hostname', 'string', host);
      if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
      // Node's getaddrinfo reads inet_aton's IPv4 forms (2130706433,
      // 0x7f.1) as the address they stand for, as the URL parser does.
      if (/^[0-9a-fx.]+$/i.test(host) && /[0-9.]$/.test(host)) {
        try {
          host = new URL(`http://${host}/`).hostname;
        } catch {
          // a name after all
        }
      }
      const path = opts.path || '/';
      if (/[\u0000-\u0020]/.test(path)) throw coded(TypeError, 'ERR_UNESCAPED_CHARACTERS', 'Request path contains unescaped characters');
      const method = String(opts.method || 'GET').toUpperCase();
      if (!token.test(method)) throw coded(TypeError, 'ERR_INVALID_HTTP_TOKEN', `Method must be a valid HTTP token ["${opts.method}"]`);
      this.method = method;
      this.path = path;
      this.host = host;
      this.protocol = proto;
      this.aborted = false;
      this.reusedSocket = false;
      this.maxHeadersCount = null;
      this.timeout = undefined;
      this.res = null;
      this._chunks = [];
      this._size = 0;
      this._abort = null;
      this._timer = null;
      this._url = `${proto}//${host.includes(':') ? `[${host}]` : host}${port === defaultPort ? '' : ':' + port}${path.startsWith('/') ? path : '/' + path}`;
      this._tls = null;
      if (protocol === 'https:') {
        const from = Object.assign({}, agent && agent.options, opts);
        if (tlsKeys.some((k) => from[k] !== undefined)) this._tls = Object.fromEntries(tlsKeys.map((k) => [k, from[k]]));
      }
      const headers = opts.headers;
      if (Array.isArray(headers)) {
        for (let i = 0; i + 1 < headers.length; i += 2) this.appendHeader(headers[i], headers[i + 1]);
      } else if (headers) {
        for (const k of Object.keys(headers)) if (headers[k] !== undefined) this.setHeader(k, headers[k]);
      }
      if (opts.setHost !== false && !this.hasHeader('host')) {
        this.setHeader('Host', (host.includes(':') ? `[${host}]` : host) + (port === defaultPort ? '' : ':' + port));
      }
      if (opts.auth && !this.hasHeader('authorization')) this.setHeader('Authorization', 'Basic ' + Buffer.from(opts.auth).toString('base64'));
      this.socket = this.connection = new Socket(this, protocol === 'https:');
      if (typeof cb === 'function') this.once('response', cb);
      if (opts.timeout !== undefined) this.setTimeout(opts.timeout);
      if (opts.signal) {
        const signal = opts.signal;
        const onAbort = () => this.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason }));
        if (signal.aborted) process.nextTick(onAbort);
        else signal.addEventListener('abort', onAbort, { once: true });
      }
      if (opts.socketPath) {
        process.nextTick(() => this.destroy(unsupported('a request over a Unix socket (socketPath)')));
      }
      process.nextTick(() => {
        if (!this.destroyed) this.emit('socket', this.socket);
      });
    }

    write(chunk, encoding, cb) {
      if (typeof encoding === 'function') [encoding, cb] = [undefined, encoding];
      if (this.writableEnded) {
        const e = coded(Error, 'ERR_STREAM_WRITE_AFTER_END', 'write after end');
        process.nextTick(() => this.emit('error', e));
        if (typeof cb === 'function') process.nextTick(cb, e);
        return false;
      }
      if (chunk !== undefined && chunk !== null) {
        if (typeof chunk === 'string') chunk = Buffer.from(chunk, encoding);
        else if (!(chunk instanceof Uint8Array)) throw invalidArgType('chunk', 'string or an instance of Buffer or Uint8Array', chunk);
        this._chunks.push(chunk);
        this._size += chunk.length;
        if (this._size > natives.maxRequest) {
          this.destroy(coded(RangeError, 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED', `the request body is over ${natives.maxRequest} bytes (the functions' fetch limit)`));
          return false;
        }
      }
      if (typeof cb === 'function') process.nextTick(cb);
      return true;
    }

    end(chunk, encoding, cb) {
      if (typeof chunk === 'function') [chunk, cb] = [undefined, chunk];
      else if (typeof encoding === 'function') [encoding, cb] = [undefined, encoding];
      if (this.writableEnded) {
        if (typeof cb === 'function') process.nextTick(cb);
        return this;
      }
      if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
      if (this.destroyed) return this;
      this.finished = this.writableEnded = true;
      this.headersSent = true;
      this._send();
      process.nextTick(() => {
        this.writableFinished = true;
        this.emit('prefinish');
        this.emit('finish');
        if (typeof cb === 'function') cb();
      });
      return this;
    }

    _send() {
      const pairs = [];
      for (const [name, value] of this._headers.values()) {
        if (Array.isArray(value)) for (const v of value) pairs.push([name, String(v)]);
        else pairs.push([name, String(value)]);
      }
      const body = this._chunks.length === 0 ? null : Buffer.concat(this._chunks);
      this._chunks = [];
      this._touch();
      const sink = {
        head: (status, statusText, raw) => this._head(status, statusText, raw),
        data: (buf) => {
          this._touch();
          if (this.res && !this.res.destroyed) this.res.push(buf);
        },
        end: () => {
          this._clearTimer();
          const res = this.res;
          if (!res || res.destroyed) return;
          res.complete = true;
          res.once('end', () => process.nextTick(() => this._close()));
          res.push(null);
        },
        error: (info) => this._fail(failure(info)),
      };
      try {
        this._abort = natives.request(this.method, this._url, pairs, body, this._tls, sink);
      } catch (e) {
        process.nextTick(() => this.destroy(e));
      }
    }

    _head(status, statusText, raw) {
      if (this.destroyed) return;
      const res = new IncomingMessage(this.socket);
      res.req = this;
      res.statusCode = status;
      res.statusMessage = statusText || STATUS_CODES[status] || '';
      res.rawHeaders = raw;
      const { headers, distinct } = headersOf(raw);
      res.headers = headers;
      res.headersDistinct = distinct;
      this.res = res;
      // A response nobody listens to is read and dropped, as in Node.
      if (!this.emit('response', res)) res.resume();
    }

    _fail(err) {
      this._clearTimer();
      this._abort = null;
      if (this.destroyed) return;
      const res = this.res;
      if (res && !res.complete) {
        // As in Node when the socket fails mid-body, the request emits
        // the error (to its listeners: clients such as node-fetch hear
        // it there) and the response is destroyed. A connection reset
        // aborts the response; a limit of minibase's (the response size,
        // the fetch timeout) fails it with that error, which clients
        // report as it is, so the request stays open until the response
        // has emitted it (clients ignore a response's error once its
        // request is destroyed).
        if (this.listenerCount('error') > 0) this.emit('error', err);
        if (res.destroyed) {
          this.destroyed = true;
          process.nextTick(() => this._close());
          return;
        }
        if (err.code !== 'ECONNRESET') res._failed = true;
        res.once('close', () => {
          this.destroyed = true;
          this._close();
        });
        res.destroy(err);
        return;
      }
      this.destroy(err);
    }

    _close() {
      if (this._closed) return;
      this._closed = true;
      this.destroyed = true;
      this._clearTimer();
      this.socket.destroyed = true;
      this.emit('close');
    }

    abort() {
      if (this.aborted) return;
      this.aborted = true;
      process.nextTick(() => this.emit('abort'));
      this.destroy();
    }

    destroy(err) {
      if (this.destroyed) return this;
      this.destroyed = true;
      this._clearTimer();
      if (this._abort) {
        this._abort();
        this._abort = null;
      }
      const res = this.res;
      if (res && !res.complete && !res.destroyed) {
        process.nextTick(() => res.destroy(hangUp('aborted')));
      } else if (!res && (err || !this.aborted)) {
        const e = err || hangUp('socket hang up');
        process.nextTick(() => this.emit('error', e));
      }
      process.nextTick(() => this._close());
      return this;
    }

    // setTimeout is the socket's idle timeout: 'timeout' when nothing
    // happened for ms, which the caller usually answers with destroy.
    setTimeout(ms, cb) {
      if (typeof cb === 'function') this.once('timeout', cb);
      this.timeout = ms;
      this._touch();
      return this;
    }

    _touch() {
      this._clearTimer();
      if (!this.timeout || this.destroyed) return;
      this._timer = setTimeout(() => {
        this._timer = null;
        this.socket.emit('timeout');
        this.emit('timeout');
      }, this.timeout);
      if (this._timer.unref) this._timer.unref();
    }

    _clearTimer() {
      if (this._timer) clearTimeout(this._timer);
      this._timer = null;
    }

    setNoDelay() {}
    setSocketKeepAlive() {}
  }
  return ClientRequest;
}

// client builds require('http') or require('https').
function client(protocol, defaultPort) {
  const module = {};
  function ProtocolAgent(options) {
    if (!(this instanceof ProtocolAgent)) return new ProtocolAgent(options);
    Agent.call(this, options);
    this.defaultPort = defaultPort;
    this.protocol = protocol;
  }
  Object.setPrototypeOf(ProtocolAgent.prototype, Agent.prototype);
  Object.setPrototypeOf(ProtocolAgent, Agent);
  Object.defineProperty(ProtocolAgent, 'name', { value: 'Agent' });
  module.Agent = protocol === 'http:' ? Agent : ProtocolAgent;
  module.globalAgent = new module.Agent({ keepAlive: true });
  const ClientRequest = makeClient(protocol, defaultPort, module);
  module.request = (input, options, cb) => new ClientRequest(input, options, cb);
  module.get = (input, options, cb) => {
    const req = module.request(input, options, cb);
    req.end();
    return req;
  };
  module.createServer = () => {
    throw unsupported(`${protocol.slice(0, -1)}.createServer()`, "a function is served by minibase: use the function's http trigger (config.json \"http\")");
  };
  function Server() {
    throw unsupported(`${protocol.slice(0, -1)}.Server`, "a function is served by minibase: use the function's http trigger (config.json \"http\")");
  }
  module.Server = Server;
  return { module, ClientRequest };
}

const { module: http, ClientRequest } = client('http:', 80);
const { module: https } = client('https:', 443);
Object.assign(http, {
  METHODS,
  STATUS_CODES,
  ClientRequest,
  IncomingMessage,
  OutgoingMessage,
  ServerResponse: class ServerResponse extends OutgoingMessage {},
  maxHeaderSize: 16384,
  validateHeaderName,
  validateHeaderValue,
  setMaxIdleHTTPParsers() {},
});
module.exports = { http, https };
