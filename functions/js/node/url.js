'use strict';
// require('url'): the WHATWG URL and URLSearchParams (goja_nodejs, the
// globals) and Node's legacy API that packages still use — parse, format,
// resolve and the Url object — plus fileURLToPath, pathToFileURL and
// urlToHttpOptions.

const querystring = require('querystring');
const punycode = require('punycode');
const { invalidArgType, coded } = require('internal/errors');

const whatwg = Object.assign({}, natives, { URL }); // the global URL: the prelude's fixes of goja_nodejs's
const slashed = new Set(['http:', 'https:', 'ftp:', 'gopher:', 'file:', 'ws:', 'wss:']);
const hostless = new Set(['javascript:']);
// Characters that end the host, and those escaped in the rest of a URL.
const hostEnd = /[/?#\\ <>"`\r\n\t{}|^']/;
const unsafe = /[{}|\\^`'<>" \r\n\t]/g;

function Url() {
  this.protocol = null;
  this.slashes = null;
  this.auth = null;
  this.host = null;
  this.port = null;
  this.hostname = null;
  this.hash = null;
  this.search = null;
  this.query = null;
  this.pathname = null;
  this.path = null;
  this.href = null;
}

Url.prototype.parse = function parse(input, parseQuery, slashesDenoteHost) {
  if (typeof input !== 'string') throw invalidArgType('url', 'string', input);
  let rest = input.replace(/^[\s\u0000-\u001f]+|[\s\u0000-\u001f]+$/g, '');
  // Backslashes before the query or hash are slashes, as browsers read them.
  const end = rest.search(/[?#]/);
  rest = (end < 0 ? rest : rest.slice(0, end)).replace(/\\/g, '/') + (end < 0 ? '' : rest.slice(end));

  const proto = /^[a-z0-9.+-]+:/i.exec(rest);
  let lowerProto;
  if (proto) {
    lowerProto = proto[0].toLowerCase();
    this.protocol = lowerProto;
    rest = rest.slice(proto[0].length);
  }
  let slashes = false;
  if (slashesDenoteHost || proto || /^\/\/[^@/]+@[^@/]+/.test(rest)) {
    slashes = rest.startsWith('//') && !(lowerProto && hostless.has(lowerProto));
    if (slashes) {
      rest = rest.slice(2);
      this.slashes = true;
    }
  }
  if (!hostless.has(lowerProto) && (slashes || (lowerProto && !slashed.has(lowerProto)))) {
    let stop = rest.search(/[/?#]/);
    if (stop < 0) stop = rest.length;
    const at = rest.lastIndexOf('@', stop);
    if (at >= 0) {
      this.auth = decodeURIComponent(rest.slice(0, at));
      rest = rest.slice(at + 1);
    }
    let hostStop = rest.search(hostEnd);
    if (hostStop < 0) hostStop = rest.length;
    let host = rest.slice(0, hostStop);
    rest = rest.slice(hostStop);
    const port = /:([0-9]*)$/.exec(host);
    if (port) {
      if (port[1] !== '') this.port = port[1];
      host = host.slice(0, host.length - port[0].length);
    }
    let hostname = host;
    const ipv6 = hostname.startsWith('[') && hostname.endsWith(']');
    if (ipv6) hostname = hostname.slice(1, -1);
    hostname = hostname.toLowerCase();
    if (!ipv6 && /[^\x00-\x7f]/.test(hostname)) hostname = punycode.toASCII(hostname);
    this.hostname = hostname;
    this.host = (ipv6 ? `[${hostname}]` : hostname) + (this.port ? ':' + this.port : '');
  }
  rest = rest.replace(unsafe, (c) => encodeURIComponent(c));
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    this.hash = rest.slice(hash);
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    this.search = rest.slice(q);
    this.query = rest.slice(q + 1);
    if (parseQuery) this.query = querystring.parse(this.query);
    rest = rest.slice(0, q);
  } else if (parseQuery) {
    this.search = '';
    this.query = Object.create(null);
  }
  if (rest !== '') this.pathname = rest;
  if (slashed.has(lowerProto) && this.hostname && !this.pathname) this.pathname = '/';
  if (this.pathname !== null || this.search !== null) this.path = (this.pathname || '') + (this.search || '');
  this.href = this.format();
  return this;
};

Url.prototype.format = function format() {
  let auth = this.auth || '';
  if (auth) auth = encodeURIComponent(auth).replace(/%3A/i, ':') + '@';
  let protocol = this.protocol || '';
  let pathname = this.pathname || '';
  let hash = this.hash || '';
  let host = '';
  if (this.host) host = auth + this.host;
  else if (this.hostname) host = auth + (this.hostname.includes(':') ? `[${this.hostname}]` : this.hostname) + (this.port ? ':' + this.port : '');
  let query = '';
  if (this.query !== null && typeof this.query === 'object') query = querystring.stringify(this.query);
  let search = this.search || (query && '?' + query) || '';
  if (protocol && !protocol.endsWith(':')) protocol += ':';
  pathname = pathname.replace(/[?#]/g, (c) => encodeURIComponent(c));
  if (this.slashes || slashed.has(protocol)) {
    if (this.slashes || host) {
      if (pathname && pathname[0] !== '/') pathname = '/' + pathname;
      host = '//' + host;
    } else if (protocol === 'file:') {
      host = '//';
    }
  }
  if (hash && hash[0] !== '#') hash = '#' + hash;
  if (search && search[0] !== '?') search = '?' + search;
  return protocol + host + pathname + search.replace(/#/g, '%23') + hash;
};

Url.prototype.resolve = function resolve(relative) {
  return resolveURL(this.format(), relative);
};

Url.prototype.resolveObject = function resolveObject(relative) {
  return parse(this.resolve(typeof relative === 'string' ? relative : relative.format()));
};

function parse(input, parseQuery, slashesDenoteHost) {
  if (input instanceof Url) return input;
  return new Url().parse(input, parseQuery, slashesDenoteHost);
}

function format(obj, options) {
  if (typeof obj === 'string') return parse(obj).format();
  if (obj instanceof whatwg.URL) {
    const o = Object.assign({ auth: true, fragment: true, search: true, unicode: false }, options);
    let s = obj.protocol;
    if (obj.host !== '' || obj.protocol === 'file:') s += '//';
    if (o.auth && (obj.username || obj.password)) s += obj.username + (obj.password ? ':' + obj.password : '') + '@';
    s += o.unicode ? whatwg.domainToUnicode(obj.hostname) + (obj.port ? ':' + obj.port : '') : obj.host;
    s += obj.pathname;
    if (o.search) s += obj.search;
    if (o.fragment) s += obj.hash;
    return s;
  }
  if (obj === null || typeof obj !== 'object') throw invalidArgType('urlObject', 'object', obj);
  return Url.prototype.format.call(obj);
}

// resolveURL resolves to against from as a browser resolves a link: with
// the WHATWG parser, from an absolute base, or a relative one as if it
// were a path on some host.
function resolveURL(from, to) {
  try {
    return new whatwg.URL(to, from).href;
  } catch {
    const base = 'http://resolve.invalid' + (from.startsWith('/') ? '' : '/') + from;
    const r = new whatwg.URL(to, base);
    if (r.origin !== 'http://resolve.invalid') return r.href;
    const p = r.pathname + r.search + r.hash;
    return from.startsWith('/') ? p : p.slice(1);
  }
}

function fileURLToPath(u) {
  if (typeof u === 'string') u = new whatwg.URL(u);
  else if (!(u instanceof whatwg.URL)) throw invalidArgType('path', 'string', u);
  if (u.protocol !== 'file:') throw coded(TypeError, 'ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file');
  if (u.hostname !== '' && u.hostname !== 'localhost') throw coded(TypeError, 'ERR_INVALID_FILE_URL_HOST', 'File URL host must be "localhost" or empty on linux');
  if (/%2f/i.test(u.pathname)) throw coded(TypeError, 'ERR_INVALID_FILE_URL_PATH', 'File URL path must not include encoded / characters');
  return decodeURIComponent(u.pathname);
}

function pathToFileURL(p) {
  const path = require('path');
  let resolved = path.resolve(p);
  if (p.endsWith('/') && !resolved.endsWith('/')) resolved += '/';
  return new whatwg.URL('file://' + resolved.replace(/%/g, '%25').replace(/\\/g, '%5C').replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/\t/g, '%09').replace(/#/g, '%23').replace(/\?/g, '%3F'));
}

function urlToHttpOptions(u) {
  const o = {
    protocol: u.protocol,
    hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
    hash: u.hash,
    search: u.search,
    pathname: u.pathname,
    path: `${u.pathname || ''}${u.search || ''}`,
    href: u.href,
  };
  if (u.port !== '') o.port = Number(u.port);
  if (u.username || u.password) o.auth = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  return o;
}

module.exports = {
  URL: whatwg.URL,
  URLSearchParams: whatwg.URLSearchParams,
  domainToASCII: whatwg.domainToASCII,
  domainToUnicode: whatwg.domainToUnicode,
  Url,
  parse,
  format,
  resolve: resolveURL,
  resolveObject: (from, to) => parse(from).resolveObject(to),
  fileURLToPath,
  pathToFileURL,
  urlToHttpOptions,
};
