// Fake mini-program globals for the SDK's tests: wx (WeChat; tt and uni
// share its contract) and my (Alipay), implementing the documented request
// and storage contracts over Node's http module, so requests really reach
// the test server on 127.0.0.1:
//
//   wx.request({url, data, header, method, timeout, dataType, responseType,
//               success, fail, complete}) → RequestTask {abort()}
//     success({data, statusCode, header, cookies, errMsg: 'request:ok'}) for
//     every HTTP status; data is JSON.parse'd when dataType is 'json' and the
//     body parses, else the string. fail({errMsg: 'request:fail …'}) when no
//     response arrived ('request:fail timeout', 'request:fail abort').
//     method must be one of OPTIONS GET HEAD POST PUT DELETE TRACE CONNECT:
//     wx.request has no PATCH.
//   my.request: the same with headers (not header), status (not statusCode),
//     dataType 'json' | 'text'; a status >= 400 calls fail with error 19 and
//     the response attached; a JSON decode failure is error 14; timeout 13.
//   getStorageSync(key) ('' when missing) / setStorageSync(key, data) /
//   removeStorageSync(key); Alipay's take objects: ({key}) → {data}.
//
// Every call is recorded in .calls ({api, options}) for assertions.
import http from 'node:http';

const WX_METHODS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT'];
const MY_METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

/** A fake `wx` (also usable as `tt` or `uni`: same contract). */
export function fakeWx() {
  const store = new Map();
  const api = {
    calls: [],
    request(o) {
      api.calls.push({ api: 'request', options: o });
      return send(o, {
        methods: WX_METHODS,
        headers: o.header,
        ok: (res) => ({ data: res.data, statusCode: res.status, header: res.headers, cookies: [], errMsg: 'request:ok' }),
        fail: (kind, msg) => ({ errMsg: `request:fail ${kind === 'timeout' ? 'timeout' : kind === 'abort' ? 'abort' : msg}` }),
        parse: (o.dataType ?? 'json') === 'json' ? 'lenient' : 'none',
      });
    },
    getStorageSync: (key) => (store.has(key) ? store.get(key) : ''),
    setStorageSync: (key, data) => void store.set(key, data),
    removeStorageSync: (key) => void store.delete(key),
    store,
  };
  return api;
}

/** A fake Alipay `my`. */
export function fakeMy() {
  const store = new Map();
  const api = {
    calls: [],
    request(o) {
      api.calls.push({ api: 'request', options: o });
      const dataType = o.dataType ?? 'json';
      return send(o, {
        methods: MY_METHODS,
        headers: o.headers,
        ok: (res) => ({ data: res.data, status: res.status, headers: res.headers }),
        httpError: (res) => ({ error: 19, errorMessage: 'http status error', data: res.data, status: res.status, headers: res.headers }),
        fail: (kind, msg) =>
          kind === 'timeout' ? { error: 13, errorMessage: 'timeout' }
          : kind === 'decode' ? { error: 14, errorMessage: 'JSON decode failed' }
          : kind === 'abort' ? { error: 9, errorMessage: 'abort' }
          : { error: 12, errorMessage: msg },
        parse: dataType === 'json' ? 'strict' : 'none',
      });
    },
    getStorageSync: ({ key }) => ({ data: store.has(key) ? store.get(key) : null }),
    setStorageSync: ({ key, data }) => void store.set(key, data),
    removeStorageSync: ({ key }) => void store.delete(key),
    store,
  };
  return api;
}

// send performs one request with Node's http and reports it through the
// platform's callbacks.
function send(o, p) {
  let finished = false;
  const finish = (cb, res) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    try {
      cb?.(res);
    } finally {
      o.complete?.(res);
    }
  };
  const method = (o.method ?? 'GET').toUpperCase();
  let timer;
  if (!p.methods.includes(method)) {
    // Reported asynchronously, as the platforms do.
    setTimeout(() => finish(o.fail, p.fail('param', `parameter error: parameter.method should be one of ${p.methods.join(', ')}`)));
    return { abort() {} };
  }
  const headers = { 'content-type': 'application/json', ...(p.headers ?? {}) };
  let body = o.data;
  if (body !== undefined && typeof body !== 'string') body = JSON.stringify(body);
  const req = http.request(o.url, { method, headers }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let data = text;
      if (p.parse !== 'none') {
        try {
          data = JSON.parse(text);
        } catch {
          if (p.parse === 'strict') return finish(o.fail, p.fail('decode'));
        }
      }
      const r = { status: res.statusCode, headers: { ...res.headers }, data };
      if (p.httpError && res.statusCode >= 400) finish(o.fail, p.httpError(r));
      else finish(o.success, p.ok(r));
    });
  });
  req.on('error', (e) => finish(o.fail, p.fail(aborted ? 'abort' : 'network', e.message)));
  let aborted = false;
  if (o.timeout) {
    timer = setTimeout(() => {
      req.destroy();
      finish(o.fail, p.fail('timeout'));
    }, o.timeout);
  }
  req.end(body);
  return {
    abort() {
      aborted = true;
      req.destroy();
    },
  };
}
