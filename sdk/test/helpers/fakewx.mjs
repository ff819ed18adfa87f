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
//   wx.login({timeout, success, fail}): success({code, errMsg: 'login:ok'})
//     with the code .loginCode() returns (set it in the test), else
//     fail({errMsg: 'login:fail …'}); asynchronously, as WeChat does.
//   getStorageSync(key) ('' when missing) / setStorageSync(key, data) /
//   removeStorageSync(key); Alipay's take objects: ({key}) → {data}.
//   wx.uploadFile({url, filePath, name, header, formData, timeout, success,
//               fail, complete}) → UploadTask {onProgressUpdate(cb),
//     offProgressUpdate, abort()}: POSTs multipart/form-data (formData's
//     fields, then the local file filePath under name) in 64 KiB writes,
//     reporting {progress, totalBytesSent, totalBytesExpectedToSend} after
//     each; success({data: <the body as a string>, statusCode, header,
//     errMsg: 'uploadFile:ok'}) for every status; fail({errMsg:
//     'uploadFile:fail …'}): a missing file, abort, timeout, network.
//   wx.downloadFile({url, header, timeout, success, fail, complete}) →
//     DownloadTask {abort()}: GETs url (following redirects) into a new
//     local temp file; success({tempFilePath, statusCode, errMsg:
//     'downloadFile:ok'}) for every status (the file holds the body).
//   wx.getFileSystemManager().readFileSync(path, encoding?).
//   wx.connectSocket({url, header, success, fail}) → SocketTask {send({data}),
//     close({code, reason}), onOpen(cb), onMessage(cb({data})),
//     onClose(cb({code, reason})), onError(cb({errMsg}))}: a real WebSocket
//     (Node's, which sends header as headers, as WeChat does).
//     .sockets lists the tasks made, each with .drop() to cut its
//     connection without a closing handshake.
//
// Every call is recorded in .calls ({api, options}) for assertions.
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

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
    loginCode: undefined,
    login(o) {
      api.calls.push({ api: 'login', options: o });
      const code = api.loginCode?.();
      setTimeout(() => (code ? o.success({ code, errMsg: 'login:ok' }) : o.fail({ errMsg: 'login:fail no code configured' })));
    },
    getStorageSync: (key) => (store.has(key) ? store.get(key) : ''),
    setStorageSync: (key, data) => void store.set(key, data),
    removeStorageSync: (key) => void store.delete(key),
    store,
    uploadFile(o) {
      api.calls.push({ api: 'uploadFile', options: o });
      return upload(o);
    },
    downloadFile(o) {
      api.calls.push({ api: 'downloadFile', options: o });
      return download(o);
    },
    getFileSystemManager: () => ({ readFileSync: (path, encoding) => readFileSync(path, encoding) }),
    sockets: [],
    connectSocket(o) {
      api.calls.push({ api: 'connectSocket', options: o });
      const task = socketTask(o);
      api.sockets.push(task);
      return task;
    },
  };
  return api;
}

// socketTask is a SocketTask over Node's WebSocket (node
// --experimental-websocket on Node 20).
function socketTask(o) {
  const ws = new WebSocket(o.url, { headers: o.header ?? {} });
  setTimeout(() => o.success?.({ errMsg: 'connectSocket:ok' }));
  return {
    send: ({ data }) => ws.send(data),
    close: ({ code, reason } = {}) => ws.close(code ?? 1000, reason ?? ''),
    onOpen: (cb) => ws.addEventListener('open', () => cb({ header: {} })),
    onMessage: (cb) => ws.addEventListener('message', (ev) => cb({ data: ev.data })),
    onClose: (cb) => ws.addEventListener('close', (ev) => cb({ code: ev.code, reason: ev.reason })),
    onError: (cb) => ws.addEventListener('error', () => cb({ errMsg: 'socket error' })),
    // drop: the network goes away (no close frame from the client).
    drop: () => ws.close(4000, 'dropped by the test'),
  };
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

// transfer runs a wx.uploadFile/downloadFile the way WeChat reports it:
// once, through success or fail, then complete, always asynchronously.
function transfer(o, prefix) {
  let finished = false;
  let timer;
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
  const fail = (msg) => finish(o.fail, { errMsg: `${prefix}:fail ${msg}` });
  if (o.timeout) timer = setTimeout(() => (state.req?.destroy(), fail('timeout')), o.timeout);
  const state = { req: undefined, aborted: false, finish, fail, finished: () => finished };
  return state;
}

// upload: the multipart body is what a browser would send for a FormData
// (built by Response), written in 64 KiB pieces with progress after each.
function upload(o) {
  const st = transfer(o, 'uploadFile');
  const listeners = new Set();
  const task = {
    onProgressUpdate: (cb) => listeners.add(cb),
    offProgressUpdate: (cb) => (cb ? listeners.delete(cb) : listeners.clear()),
    abort() {
      st.aborted = true;
      st.req?.destroy();
      setTimeout(() => st.fail('abort'));
    },
  };
  (async () => {
    let bytes;
    try {
      bytes = await readFile(o.filePath);
    } catch {
      return st.fail(`file not found: ${o.filePath}`);
    }
    if (st.aborted || st.finished()) return;
    const form = new FormData();
    for (const [k, v] of Object.entries(o.formData ?? {})) form.append(k, String(v));
    form.append(o.name, new Blob([bytes]), basename(o.filePath));
    const r = new Response(form);
    const body = Buffer.from(await r.arrayBuffer());
    const headers = { ...(o.header ?? {}), 'content-type': r.headers.get('content-type'), 'content-length': body.length };
    const req = http.request(o.url, { method: 'POST', headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        st.finish(o.success, {
          data: Buffer.concat(chunks).toString('utf8'),
          statusCode: res.statusCode,
          header: { ...res.headers },
          errMsg: 'uploadFile:ok',
        }),
      );
    });
    st.req = req;
    req.on('error', (e) => st.fail(st.aborted ? 'abort' : e.message));
    const write = (off) => {
      if (st.aborted || st.finished()) return;
      if (off >= body.length) return void req.end();
      const end = Math.min(off + 65536, body.length);
      req.write(body.subarray(off, end), () => {
        const e = { progress: Math.round((end * 100) / body.length), totalBytesSent: end, totalBytesExpectedToSend: body.length };
        for (const cb of listeners) cb(e);
        write(end);
      });
    };
    write(0);
  })();
  return task;
}

let tempDir;
let tempN = 0;

// download: the body goes to a new file in this process's temp directory.
function download(o, redirects = 0) {
  const st = transfer(o, 'downloadFile');
  const get = (url, left) => {
    const req = http.get(url, { headers: o.header ?? {} }, (res) => {
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && res.headers.location && left > 0) {
        res.resume();
        return get(new URL(res.headers.location, url).href, left - 1);
      }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (!tempDir) {
          tempDir = mkdtempSync(join(tmpdir(), 'fakewx-'));
          process.on('exit', () => rmSync(tempDir, { recursive: true, force: true }));
        }
        const tempFilePath = join(tempDir, `tmp_${++tempN}`);
        writeFileSync(tempFilePath, Buffer.concat(chunks));
        st.finish(o.success, { tempFilePath, statusCode: res.statusCode, errMsg: 'downloadFile:ok' });
      });
    });
    st.req = req;
    req.on('error', (e) => st.fail(st.aborted ? 'abort' : e.message));
  };
  get(o.url, 5 - redirects);
  return {
    onProgressUpdate() {},
    abort() {
      st.aborted = true;
      st.req?.destroy();
    },
  };
}
