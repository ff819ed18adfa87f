// The client core against a real minibase: result and error shapes, time
// limits, headers, init validation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import { localServer, deadURL } from './helpers/local.mjs';
import cloud, { Client, CloudError, ErrCode, NOT_INITIALIZED, cloudError, serverError } from '../dist/minibase.mjs';
import { failure } from './helpers/failure.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(() => srv?.stop());

test('calling a cloud API before init throws wx-server-sdk\'s message', () => {
  assert.throws(() => cloud.database(), (e) => e.message === NOT_INITIALIZED && e.errMsg === NOT_INITIALIZED);
  assert.match(NOT_INITIALIZED, /^Cloud API isn't enabled, please call init first\n请先调用 init 完成初始化后再调用其他云 API。$/);
});

test('init validates its options synchronously', () => {
  const cases = [
    [undefined, /options object/],
    [{}, /endpoint is required/],
    [{ endpoint: 'api.example.com' }, /endpoint is required and must be an http\(s\) URL/],
    [{ endpoint: srv.endpoint, timeout: -1 }, /timeout must be a positive number/],
    [{ endpoint: srv.endpoint, timeout: '5s' }, /timeout must be a positive number/],
    [{ endpoint: srv.endpoint, adapter: 'wx' }, /adapter 'wx' needs the global wx.request/],
    [{ endpoint: srv.endpoint, adapter: 'xhr' }, /adapter must be an Adapter object or one of/],
    [{ endpoint: srv.endpoint, adapter: {} }, /adapter must have a request/],
  ];
  for (const [opts, want] of cases) {
    assert.throws(
      () => cloud.init(opts),
      (e) => e instanceof CloudError && e.errCode === ErrCode.INVALID_PARAM && /^cloud\.init:fail /.test(e.errMsg) && want.test(e.errMsg),
      JSON.stringify(opts),
    );
  }
});

test('init ignores keys it does not know and trims the trailing slash', () => {
  const c = new Client({ endpoint: srv.endpoint + '//', traceUser: true, somethingElse: 1 });
  assert.equal(c.endpoint, srv.endpoint);
  assert.equal(c.adapter.name, 'fetch');
  assert.equal(c.timeout, 15000);
  cloud.init({ endpoint: srv.endpoint, traceUser: true });
  assert.ok(cloud.database());
});

test('a 2xx answer resolves with the parsed body', async () => {
  const c = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  const added = await c.request('collection.add', 'POST', '/v1/db/core/insert', { data: { n: 1, s: 'héllo 你好' } });
  assert.match(added._id, /^[0-9a-f]{32}$/);
  const got = await c.request('document.get', 'GET', `/v1/db/core/docs/${added._id}`);
  assert.deepEqual(got, { data: { _id: added._id, n: 1, s: 'héllo 你好' } });
});

test('server errors become CloudErrors in wx-server-sdk\'s shape', async () => {
  const c = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  const e = await failure(c.request('collection.get', 'POST', '/v1/db/missing/query', { filter: {} }));
  assert.ok(e instanceof CloudError && e instanceof Error);
  assert.equal(e.name, 'CloudError');
  assert.equal(e.errCode, -502005);
  assert.equal(e.code, 'DATABASE_COLLECTION_NOT_EXIST');
  assert.match(e.errMsg, /^collection\.get:fail -502005 database collection not exists\. .*missing/);
  assert.equal(e.message, e.errMsg);

  const bad = await failure(c.request('collection.get', 'POST', '/v1/db/core/query', { filter: { a: { $bogus: 1 } } }));
  assert.equal(bad.errCode, -502002);
  assert.match(bad.errMsg, /^collection\.get:fail -502002 database invalid command\. /);
});

test('a wrong credential is a 401 CloudError', async () => {
  const wrong = new Client({ endpoint: srv.endpoint, accessToken: 'not-the-admin-key-at-all' });
  const e = await failure(wrong.request('collection.get', 'POST', '/v1/db/core/query', {}));
  assert.equal(e.errCode, -501007);
  assert.equal(e.code, 'INVALID_ACCESS_TOKEN');
  assert.match(e.errMsg, /^collection\.get:fail -501007 invalid parameters\. the access token or admin key is not valid$/);
});

test('serverError and cloudError build the documented strings', () => {
  const e = serverError('collection.get', 404, { code: 'DATABASE_COLLECTION_NOT_EXIST', errCode: -502005, message: 'x' });
  assert.equal(e.errMsg, 'collection.get:fail -502005 database collection not exists. x');
  const unknown = serverError('cloud.callFunction', 400, { code: 'SOMETHING_NEW', errCode: -509999, message: 'm' });
  assert.equal(unknown.errMsg, 'cloud.callFunction:fail -509999 SOMETHING_NEW. m');
  const shapeless = serverError('collection.get', 500, { error: 'boom' });
  assert.equal(shapeless.errCode, ErrCode.SYS_ERR);
  assert.match(shapeless.errMsg, /HTTP 500/);
  const c = cloudError('document.get', -1, 'document with _id x does not exist');
  assert.deepEqual([c.errCode, c.errMsg, c.message], [-1, 'document.get:fail document with _id x does not exist', 'document.get:fail document with _id x does not exist']);
});

test('a non-JSON or empty error body is SYS_ERR naming the HTTP status', async () => {
  const proxy = await localServer((req, res) => {
    if (req.url === '/empty') return res.writeHead(503).end();
    if (req.url === '/ok-but-html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>');
    res.writeHead(502, { 'content-type': 'text/html' }).end('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
  });
  try {
    const c = new Client({ endpoint: proxy.url });
    const e = await failure(c.request('collection.get', 'POST', '/v1/db/x/query', {}));
    assert.equal(e.errCode, -501001);
    assert.match(e.errMsg, /^collection\.get:fail server answered HTTP 502 with a body that is not JSON: <html><head><title>502 Bad Gateway/);
    const empty = await failure(c.request('collection.count', 'GET', '/empty'));
    assert.equal(empty.errCode, -501001);
    assert.equal(empty.errMsg, 'collection.count:fail server answered HTTP 503 with a body that is not JSON (empty body)');
    const html200 = await failure(c.request('collection.get', 'GET', '/ok-but-html'));
    assert.match(html200.errMsg, /HTTP 200 with a body that is not JSON/);
  } finally {
    await proxy.close();
  }
});

test('a refused connection rejects with errCode -1 and a network error', async () => {
  const c = new Client({ endpoint: await deadURL() });
  const e = await failure(c.request('collection.get', 'POST', '/v1/db/x/query', {}));
  assert.equal(e.errCode, -1);
  assert.match(e.errMsg, /^collection\.get:fail network error: .*ECONNREFUSED/);
});

test('a server that never answers times out with SERVER_TIMEOUT', async () => {
  const hang = await localServer(() => {});
  try {
    cloud.init({ endpoint: hang.url, timeout: 200 });
    const e = await failure(cloud.database().collection('x').get());
    assert.equal(e.errCode, -501002);
    assert.equal(e.errMsg, 'collection.get:fail request timed out after 200ms');

    const c = new Client({ endpoint: hang.url });
    const per = await failure(c.request('collection.count', 'POST', '/v1/db/x/count', {}, { timeout: 150 }));
    assert.equal(per.errMsg, 'collection.count:fail request timed out after 150ms');
  } finally {
    await hang.close();
  }
});

test('an adapter that never settles still times out', async () => {
  const silent = { name: 'silent', request: () => new Promise(() => {}) };
  const c = new Client({ endpoint: 'http://127.0.0.1:9', adapter: silent, timeout: 100 });
  const e = await failure(c.request('collection.get', 'GET', '/v1/health'));
  assert.equal(e.errMsg, 'collection.get:fail request timed out after 100ms');
});

test('requests carry the bearer token, JSON content type and env', async () => {
  const echo = await localServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  try {
    const c = new Client({ endpoint: echo.url, accessToken: 'tok', env: 'prod' });
    await c.request('a', 'POST', '/v1/x', { a: [1, 'b'] });
    await c.request('b', 'GET', '/v1/y');
    await c.request('c', 'GET', '/v1/z', undefined, { auth: false });
    const [post, get, anon] = echo.requests;
    assert.equal(post.headers.authorization, 'Bearer tok');
    assert.equal(post.headers['content-type'], 'application/json');
    assert.equal(post.headers['x-minibase-env'], 'prod');
    assert.equal(post.body, '{"a":[1,"b"]}');
    assert.equal(get.headers['content-type'], undefined);
    assert.equal(get.body, '');
    assert.equal(anon.headers.authorization, undefined);
    const none = new Client({ endpoint: echo.url });
    await none.request('d', 'GET', '/v1/w');
    assert.equal(echo.requests[3].headers.authorization, undefined);
    assert.equal(echo.requests[3].headers['x-minibase-env'], undefined);
  } finally {
    await echo.close();
  }
});
