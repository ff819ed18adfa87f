// The mini-program transports, through fake wx/my objects that implement
// the platforms' documented request contracts over node:http against a real
// minibase. fetch, WebSocket and EventSource throw (and are recorded) while
// these tests run: mini-programs have none of them.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import { localServer, deadURL } from './helpers/local.mjs';
import { fakeWx, fakeMy } from './helpers/fakewx.mjs';
import cloud, { Client, client as current, miniProgramAdapter } from '../dist/minibase.mjs';
import { failure } from './helpers/failure.mjs';

let srv;
const touched = [];
const WEB_ONLY = ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest'];
const saved = {};

before(async () => {
  srv = await startServer();
  const seed = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  await seed.request('collection.add', 'POST', '/v1/db/mp/insert', { data: [{ n: 1 }, { n: 2 }] });
  for (const name of WEB_ONLY) {
    saved[name] = Object.getOwnPropertyDescriptor(globalThis, name);
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name);
        throw new Error(`${name} touched by a mini-program adapter`);
      },
    });
  }
});
after(async () => {
  for (const name of WEB_ONLY) {
    delete globalThis[name];
    if (saved[name]) Object.defineProperty(globalThis, name, saved[name]);
  }
  await srv?.stop();
});
afterEach(() => {
  for (const p of ['wx', 'my', 'tt', 'uni']) delete globalThis[p];
  assert.deepEqual(touched, [], 'web-only globals were touched');
});

test('wx: chosen automatically; requests go through wx.request with the documented options', async () => {
  const wx = (globalThis.wx = fakeWx());
  globalThis.uni = fakeWx(); // uni-app compiled for WeChat has both: wx wins
  cloud.init({ endpoint: srv.endpoint, accessToken: srv.adminKey, timeout: 5000 });
  const c = current();
  assert.equal(c.adapter.name, 'wx');
  const r = await c.request('collection.get', 'POST', '/v1/db/mp/query', { filter: { n: 2 } });
  assert.deepEqual(r.data.map((d) => d.n), [2]);
  assert.equal(globalThis.uni.calls.length, 0);
  const o = wx.calls[0].options;
  assert.equal(o.url, `${srv.endpoint}/v1/db/mp/query`);
  assert.equal(o.method, 'POST');
  assert.equal(o.data, '{"filter":{"n":2}}');
  assert.equal(o.header.Authorization, `Bearer ${srv.adminKey}`);
  assert.equal(o.header['Content-Type'], 'application/json');
  assert.equal(o.dataType, 'json');
  assert.equal(o.timeout, 5000);
  assert.equal(typeof o.success, 'function');
  assert.equal(typeof o.fail, 'function');
});

test('wx: a server error arrives already parsed and becomes the CloudError', async () => {
  globalThis.wx = fakeWx();
  const c = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  const e = await failure(c.request('collection.get', 'POST', '/v1/db/absent/query', {}));
  assert.equal(e.errCode, -502005);
  assert.match(e.errMsg, /^collection\.get:fail -502005 database collection not exists\. /);
  const doc = await failure(c.request('document.get', 'GET', '/v1/db/mp/docs/nope'));
  assert.equal(doc.code, 'DATABASE_DOCUMENT_NOT_EXIST');
});

test('wx: an HTML 502 is SYS_ERR, a refused connection -1, a hang SERVER_TIMEOUT', async () => {
  globalThis.wx = fakeWx();
  const html = await localServer((req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>'));
  const hang = await localServer(() => {});
  try {
    const e502 = await failure(new Client({ endpoint: html.url }).request('collection.get', 'GET', '/x'));
    assert.equal(e502.errCode, -501001);
    assert.equal(e502.errMsg, 'collection.get:fail server answered HTTP 502 with a body that is not JSON: <h1>Bad Gateway</h1>');
    const refused = await failure(new Client({ endpoint: await deadURL() }).request('collection.get', 'GET', '/x'));
    assert.equal(refused.errCode, -1);
    assert.match(refused.errMsg, /^collection\.get:fail network error: request:fail .*ECONNREFUSED/);
    const slow = await failure(new Client({ endpoint: hang.url, timeout: 200 }).request('collection.get', 'GET', '/x'));
    assert.equal(slow.errCode, -501002);
    assert.equal(slow.errMsg, 'collection.get:fail request timed out after 200ms');
  } finally {
    await html.close();
    await hang.close();
  }
});

test('wx: a platform that never calls back still times out, and the task is aborted', { timeout: 10000 }, async () => {
  let aborted = 0;
  let onAbort;
  const abortCalled = new Promise((r) => (onAbort = r));
  globalThis.wx = { request: () => ({ abort: () => (aborted++, onAbort()) }) };
  const e = await failure(new Client({ endpoint: srv.endpoint, timeout: 100 }).request('collection.count', 'GET', '/x'));
  assert.equal(e.errMsg, 'collection.count:fail request timed out after 100ms');
  await abortCalled; // the 10 s limit above fails the test if the task is never aborted
  assert.equal(aborted, 1);
});

test('wx: PATCH is not a wx.request method, and the failure says so', async () => {
  globalThis.wx = fakeWx();
  const e = await failure(new Client({ endpoint: srv.endpoint }).request('document.update', 'PATCH', '/v1/db/mp/docs/x', {}));
  assert.equal(e.errCode, -1);
  assert.match(e.errMsg, /parameter\.method should be one of/);
});

test('wx: storage goes through wx.*StorageSync', () => {
  const wx = (globalThis.wx = fakeWx());
  const kv = new Client({ endpoint: srv.endpoint }).adapter.storage;
  assert.equal(kv.get('k'), undefined);
  kv.set('k', 'v1');
  assert.equal(wx.store.get('k'), 'v1');
  assert.equal(kv.get('k'), 'v1');
  kv.remove('k');
  assert.equal(wx.store.has('k'), false);
  assert.equal(kv.get('k'), undefined);
});

test('my (Alipay): headers/status, HTTP errors through fail (error 19), non-JSON, timeout, storage', async () => {
  const my = (globalThis.my = fakeMy());
  cloud.init({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  const c = current();
  assert.equal(c.adapter.name, 'my');
  const r = await c.request('collection.count', 'POST', '/v1/db/mp/count', { filter: {} });
  assert.deepEqual(r, { total: 2 });
  const o = my.calls[0].options;
  assert.equal(o.headers.Authorization, `Bearer ${srv.adminKey}`);
  assert.equal(o.header, undefined);

  const e = await failure(c.request('collection.get', 'POST', '/v1/db/absent/query', {}));
  assert.equal(e.errCode, -502005);

  const html = await localServer((req, res) => res.writeHead(502).end('<html>gateway</html>'));
  const hang = await localServer(() => {});
  try {
    const e502 = await failure(new Client({ endpoint: html.url }).request('collection.get', 'GET', '/x'));
    assert.equal(e502.errMsg, 'collection.get:fail server answered HTTP 502 with a body that is not JSON: <html>gateway</html>');
    const slow = await failure(new Client({ endpoint: hang.url, timeout: 150 }).request('collection.get', 'GET', '/x'));
    assert.equal(slow.errCode, -501002);
  } finally {
    await html.close();
    await hang.close();
  }

  const kv = c.adapter.storage;
  kv.set('session', '{"a":1}');
  assert.equal(my.store.get('session'), '{"a":1}');
  assert.equal(kv.get('session'), '{"a":1}');
  kv.remove('session');
  assert.equal(kv.get('session'), undefined);
});

test('tt and uni: chosen by name or found in that order', async () => {
  globalThis.tt = fakeWx();
  globalThis.uni = fakeWx();
  assert.equal(new Client({ endpoint: srv.endpoint }).adapter.name, 'tt');
  const u = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey, adapter: 'uni' });
  assert.equal(u.adapter.name, 'uni');
  const r = await u.request('collection.count', 'POST', '/v1/db/mp/count', {});
  assert.equal(r.total, 2);
  assert.equal(globalThis.uni.calls.length, 1);
});

test('an Adapter object given to init is used as is', async () => {
  const seen = [];
  const adapter = miniProgramAdapter('wx', fakeWx());
  const spy = { name: 'custom', request: (req) => (seen.push(req.url), adapter.request(req)) };
  const c = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey, adapter: spy });
  assert.equal(c.adapter, spy);
  assert.equal((await c.request('collection.count', 'POST', '/v1/db/mp/count', {})).total, 2);
  assert.deepEqual(seen, [`${srv.endpoint}/v1/db/mp/count`]);
});
