'use strict';
// require('http2'): its constants, for packages that read them when they
// load; sessions and servers are not available (requests go through
// require('http'), require('https') or fetch).

const { unsupported } = require('internal/errors');

const headers = ['status', 'method', 'authority', 'scheme', 'path', 'protocol', 'accept-encoding', 'accept-language',
  'accept-ranges', 'accept', 'access-control-allow-credentials', 'access-control-allow-headers',
  'access-control-allow-methods', 'access-control-allow-origin', 'access-control-expose-headers',
  'access-control-request-headers', 'access-control-request-method', 'age', 'authorization', 'cache-control',
  'connection', 'content-disposition', 'content-encoding', 'content-length', 'content-type', 'cookie', 'date', 'etag',
  'forwarded', 'host', 'if-modified-since', 'if-none-match', 'if-range', 'last-modified', 'link', 'location', 'range',
  'referer', 'server', 'set-cookie', 'strict-transport-security', 'transfer-encoding', 'te', 'upgrade-insecure-requests',
  'upgrade', 'user-agent', 'vary', 'x-content-type-options', 'x-frame-options', 'keep-alive', 'proxy-connection',
  'x-xss-protection', 'alt-svc', 'content-security-policy', 'early-data', 'expect-ct', 'origin', 'purpose', 'timing-allow-origin',
  'x-forwarded-for', 'priority', 'accept-charset', 'access-control-max-age', 'allow', 'content-language',
  'content-location', 'content-md5', 'content-range', 'dnt', 'expect', 'expires', 'from', 'if-match',
  'if-unmodified-since', 'max-forwards', 'prefer', 'proxy-authenticate', 'proxy-authorization', 'refresh',
  'retry-after', 'trailer', 'tk', 'via', 'warning', 'www-authenticate', 'http2-settings'];
const constants = {
  NGHTTP2_SESSION_SERVER: 0, NGHTTP2_SESSION_CLIENT: 1, NGHTTP2_NO_ERROR: 0, NGHTTP2_PROTOCOL_ERROR: 1,
  NGHTTP2_INTERNAL_ERROR: 2, NGHTTP2_FLOW_CONTROL_ERROR: 3, NGHTTP2_SETTINGS_TIMEOUT: 4, NGHTTP2_STREAM_CLOSED: 5,
  NGHTTP2_FRAME_SIZE_ERROR: 6, NGHTTP2_REFUSED_STREAM: 7, NGHTTP2_CANCEL: 8, NGHTTP2_COMPRESSION_ERROR: 9,
  NGHTTP2_CONNECT_ERROR: 10, NGHTTP2_ENHANCE_YOUR_CALM: 11, NGHTTP2_INADEQUATE_SECURITY: 12, NGHTTP2_HTTP_1_1_REQUIRED: 13,
  NGHTTP2_DEFAULT_WEIGHT: 16, HTTP2_METHOD_CONNECT: 'CONNECT', HTTP2_METHOD_DELETE: 'DELETE', HTTP2_METHOD_GET: 'GET',
  HTTP2_METHOD_HEAD: 'HEAD', HTTP2_METHOD_OPTIONS: 'OPTIONS', HTTP2_METHOD_PATCH: 'PATCH', HTTP2_METHOD_POST: 'POST',
  HTTP2_METHOD_PUT: 'PUT', HTTP2_METHOD_TRACE: 'TRACE', HTTP_STATUS_OK: 200, HTTP_STATUS_NO_CONTENT: 204,
  HTTP_STATUS_NOT_MODIFIED: 304, HTTP_STATUS_BAD_REQUEST: 400, HTTP_STATUS_NOT_FOUND: 404,
  HTTP_STATUS_INTERNAL_SERVER_ERROR: 500,
};
const pseudo = new Set(['status', 'method', 'authority', 'scheme', 'path', 'protocol']);
for (const h of headers) constants['HTTP2_HEADER_' + h.toUpperCase().replace(/-/g, '_')] = pseudo.has(h) ? ':' + h : h;

const none = (what) => () => {
  throw unsupported(`http2.${what}()`, 'use fetch, http or https');
};

module.exports = {
  constants,
  connect: none('connect'),
  createServer: none('createServer'),
  createSecureServer: none('createSecureServer'),
  getDefaultSettings: () => ({ headerTableSize: 4096, enablePush: true, initialWindowSize: 65535, maxFrameSize: 16384, maxConcurrentStreams: 4294967295, maxHeaderListSize: 65535, enableConnectProtocol: false }),
  getPackedSettings: () => Buffer.alloc(0),
  getUnpackedSettings: () => ({}),
  sensitiveHeaders: Symbol('nodejs.http2.sensitiveHeaders'),
};
