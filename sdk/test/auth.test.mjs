// The token hook end-user auth will use: a 401 ACCESS_TOKEN_EXPIRED calls
// the TokenSource's onUnauthorized once and, when it resolves true, the
// request is retried once with the new token; and the session storage and
// refresh plumbing (SessionTokens) the auth issue builds on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from './helpers/server.mjs';
import { localServer } from './helpers/local.mjs';
import { fakeWx } from './helpers/fakewx.mjs';
import { importSource } from './helpers/source.mjs';
import { Client, miniProgramAdapter } from '../dist/minibase.mjs';
import { failure } from './helpers/failure.mjs';

let srv, proxy, auth;

// The proxy plays a server whose tokens expire: "Bearer expired-…" gets
// 401 ACCESS_TOKEN_EXPIRED; everything else is forwarded to the real minibase.
before(async () => {
  srv = await startServer();
  auth = await importSource('src/auth/index.ts');
  proxy = await localServer((req, res) => {
    if (/^Bearer expired-/.test(req.headers.authorization ?? '')) {
      return res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"code":"ACCESS_TOKEN_EXPIRED","errCode":-501007,"message":"the access token has expired"}');
    }
    const fwd = http.request(srv.endpoint + req.url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    fwd.end(req.body);
  });
  await new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey }).request('collection.add', 'POST', '/v1/db/t/insert', { data: { n: 7 } });
});
after(async () => {
  await proxy?.close();
  await srv?.stop();
});

// tokens is a test TokenSource: token() returns current; onUnauthorized
// records the call and installs next (when given).
function tokens(current, next, answer = true) {
  const ts = {
    calls: [],
    token: () => current,
    async onUnauthorized(code) {
      ts.calls.push(code);
      if (next !== undefined) current = next;
      return answer;
    },
  };
  return ts;
}

const count = (c) => c.request('collection.count', 'POST', '/v1/db/t/count', { filter: {} });

test('401 ACCESS_TOKEN_EXPIRED: onUnauthorized once, then one retry with the new token', async () => {
  const c = new Client({ endpoint: proxy.url });
  const ts = tokens('expired-1', srv.adminKey);
  c.setTokenSource(ts);
  const before = proxy.requests.length;
  assert.deepEqual(await count(c), { total: 1 });
  assert.deepEqual(ts.calls, ['ACCESS_TOKEN_EXPIRED']);
  const sent = proxy.requests.slice(before).map((r) => [r.headers.authorization, r.body]);
  assert.deepEqual(sent, [
    ['Bearer expired-1', '{"filter":{}}'],
    [`Bearer ${srv.adminKey}`, '{"filter":{}}'],
  ]);
});

test('no retry when onUnauthorized says no, throws, or the retry is refused again', async () => {
  const cases = [
    ['declined', tokens('expired-1', undefined, false), 1],
    ['throws', { calls: [], token: () => 'expired-1', onUnauthorized: async (code) => { throw new Error('refresh failed'); } }, 1],
    ['still expired', tokens('expired-1', 'expired-2'), 2],
  ];
  for (const [name, ts, requests] of cases) {
    const c = new Client({ endpoint: proxy.url });
    c.setTokenSource(ts);
    const before = proxy.requests.length;
    const e = await failure(count(c));
    assert.equal(e.code, 'ACCESS_TOKEN_EXPIRED', name);
    assert.match(e.errMsg, /^collection\.count:fail -501007 invalid parameters\. the access token has expired$/, name);
    assert.equal(proxy.requests.length - before, requests, name);
  }
});

test('other 401s and auth:false requests never ask the token source to refresh', async () => {
  const ts = tokens('not-a-valid-key-000000', srv.adminKey);
  const c = new Client({ endpoint: srv.endpoint });
  c.setTokenSource(ts);
  const e = await failure(count(c));
  assert.equal(e.code, 'INVALID_ACCESS_TOKEN');
  assert.deepEqual(ts.calls, []);

  const p = new Client({ endpoint: proxy.url });
  const expired = tokens('expired-1', srv.adminKey);
  p.setTokenSource(expired);
  const before = proxy.requests.length;
  await p.request('health', 'GET', '/v1/health', undefined, { auth: false });
  assert.equal(proxy.requests[before].headers.authorization, undefined);
  assert.deepEqual(expired.calls, []);
  p.setTokenSource(undefined);
  await p.request('health', 'GET', '/v1/health');
  assert.equal(proxy.requests[before + 1].headers.authorization, undefined);
});

test('sessions are stored per server and env in the platform storage', () => {
  const wx = fakeWx();
  const kv = miniProgramAdapter('wx', wx).storage;
  const a = auth.sessionKey('https://a.example.com', 'prod');
  assert.notEqual(a, auth.sessionKey('https://a.example.com', 'dev'));
  assert.notEqual(a, auth.sessionKey('https://b.example.com', 'prod'));
  assert.equal(auth.loadSession(kv, a), undefined);
  const s = { accessToken: 'at', refreshToken: 'rt', expiresAt: 123 };
  auth.saveSession(kv, a, s);
  assert.deepEqual(JSON.parse(wx.store.get(a)), s);
  assert.deepEqual(auth.loadSession(kv, a), s);
  kv.set(a, '{corrupt');
  assert.equal(auth.loadSession(kv, a), undefined);
  auth.saveSession(kv, a, undefined);
  assert.equal(wx.store.has(a), false);
});

test('SessionTokens refreshes ahead of expiry once for concurrent callers, keeps the session over a network failure, and signs out when the server refuses the refresh token', async () => {
  const kv = miniProgramAdapter('wx', fakeWx()).storage;
  let now = 1_000_000;
  const refreshed = [];
  let fail;
  const refresh = async (rt) => {
    refreshed.push(rt);
    await new Promise((r) => setTimeout(r, 10));
    if (fail) throw fail;
    return { accessToken: 'at2', refreshToken: 'rt2', expiresAt: now + 3_600_000 };
  };
  const ts = new auth.SessionTokens(kv, 'k', refresh, () => now);
  assert.equal(await ts.token(), undefined);
  auth.saveSession(kv, 'k', { accessToken: 'at1', refreshToken: 'rt1', expiresAt: now + auth.REFRESH_AHEAD + 1000 });
  assert.equal(await ts.token(), 'at1');
  assert.deepEqual(refreshed, []);
  now += 2000; // now within REFRESH_AHEAD of expiry
  assert.deepEqual(await Promise.all([ts.token(), ts.token(), ts.token()]), ['at2', 'at2', 'at2']);
  assert.deepEqual(refreshed, ['rt1']);
  assert.equal(auth.loadSession(kv, 'k').refreshToken, 'rt2');
  fail = Object.assign(new Error('network error: ECONNREFUSED'), { errCode: -1 });
  assert.equal(await ts.onUnauthorized('ACCESS_TOKEN_EXPIRED'), false);
  assert.equal(auth.loadSession(kv, 'k').accessToken, 'at2', 'a network failure keeps the session');
  const ended = [];
  ts.onChange = (s) => ended.push(s);
  fail = Object.assign(new Error('refresh token revoked'), { code: 'INVALID_REFRESH_TOKEN', errCode: -501007 });
  assert.equal(await ts.onUnauthorized('ACCESS_TOKEN_EXPIRED'), false);
  assert.equal(auth.loadSession(kv, 'k'), undefined);
  assert.deepEqual(ended, [undefined]);
  assert.equal(await ts.token(), undefined);
});

test('SessionTokens: a refresh that ends after sign-out or a new sign-in does not bring the old session back', async () => {
  const kv = miniProgramAdapter('wx', fakeWx()).storage;
  let release;
  const refresh = () => new Promise((r) => (release = r));
  const ts = new auth.SessionTokens(kv, 'k', refresh, () => 1_000_000);
  const changes = [];
  ts.onChange = (s) => changes.push(s);

  auth.saveSession(kv, 'k', { accessToken: 'at1', refreshToken: 'rt1', expiresAt: 0 });
  let pending = ts.token();
  await new Promise((r) => setImmediate(r));
  auth.saveSession(kv, 'k', undefined); // signOut while the refresh is on its way
  release({ accessToken: 'at2', refreshToken: 'rt2', expiresAt: 9_000_000 });
  assert.equal(await pending, undefined);
  assert.equal(auth.loadSession(kv, 'k'), undefined, 'signed out stays signed out');

  auth.saveSession(kv, 'k', { accessToken: 'at1', refreshToken: 'rt1', expiresAt: 0 });
  pending = ts.token();
  await new Promise((r) => setImmediate(r));
  const other = { accessToken: 'atB', refreshToken: 'rtB', expiresAt: 9_000_000 };
  auth.saveSession(kv, 'k', other); // another user signs in meanwhile
  release({ accessToken: 'at2', refreshToken: 'rt2', expiresAt: 9_000_000 });
  assert.equal(await pending, 'atB');
  assert.deepEqual(auth.loadSession(kv, 'k'), other);
  assert.deepEqual(changes, []);
});

test('SessionTokens as the client\'s token source: an expired token is refreshed and the request retried', async () => {
  const kv = miniProgramAdapter('wx', fakeWx()).storage;
  const key = auth.sessionKey(proxy.url);
  auth.saveSession(kv, key, { accessToken: 'expired-9', refreshToken: 'rt', expiresAt: Date.now() + 3_600_000 });
  const refresh = async () => ({ accessToken: srv.adminKey, refreshToken: 'rt-next', expiresAt: Date.now() + 3_600_000 });
  const c = new Client({ endpoint: proxy.url });
  c.setTokenSource(new auth.SessionTokens(kv, key, refresh));
  assert.deepEqual(await count(c), { total: 1 });
  assert.equal(auth.loadSession(kv, key).refreshToken, 'rt-next');
});
