// cloud.auth() against a real minibase: every sign-in (anonymous, password,
// one-time code, WeChat through wx.login, custom ticket), the anonymous →
// account upgrade, sessions in the platform's storage, refresh ahead of
// expiry and on ACCESS_TOKEN_EXPIRED, sign-out, a session the server ended,
// and init({ autoLogin: 'wechat' }) making wx.cloud code that never logs in
// work. WeChat's jscode2session and the SMS gateway are local fakes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './helpers/server.mjs';
import { localServer } from './helpers/local.mjs';
import { fakeWx } from './helpers/fakewx.mjs';
import cloud, { Auth, Client, Database, fetchAdapter, memoryKV, miniProgramAdapter } from '../dist/minibase.mjs';
import { failure } from './helpers/failure.mjs';

let srv, wechat, sms;
const openids = { 'code-alice': 'o-alice', 'code-alice-2': 'o-alice', 'code-bob': 'o-bob' };

before(async () => {
  // jscode2session: a known code gives its openid (and a unionid); anything else is WeChat's 40029.
  wechat = await localServer((req, res) => {
    const q = new URL(req.url, 'http://x').searchParams;
    const openid = openids[q.get('js_code')];
    const body = openid
      ? { openid, session_key: 'sk-secret-' + openid, unionid: 'u-' + openid }
      : { errcode: 40029, errmsg: 'invalid code' };
    res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(body));
  });
  sms = await localServer((req, res) => res.writeHead(200).end('{}'));
  srv = await startServer({
    env: {
      MINIBASE_WECHAT_APPID: 'wx-test-app',
      MINIBASE_WECHAT_SECRET: 'wx-test-secret',
      MINIBASE_WECHAT_API_BASE: wechat.url,
      MINIBASE_SMS_WEBHOOK_URL: sms.url + '/sms',
    },
  });
  await admin('POST', '/v1/admin/collections', { name: 'notes' });
});
after(async () => {
  await srv?.stop();
  await wechat?.close();
  await sms?.close();
});

async function admin(method, path, body) {
  return new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey }).request('admin', method, path, body);
}

// app is one installed app: its own client, storage, auth and database, as
// cloud.init makes them (several apps side by side in one test).
function app(adapter = { ...fetchAdapter(), storage: memoryKV() }, autoLogin) {
  const client = new Client({ endpoint: srv.endpoint, adapter });
  const auth = new Auth(client, autoLogin);
  client.setTokenSource(auth.tokens);
  return { client, auth, db: new Database(client), kv: adapter.storage };
}

test('signInAnonymously: a new user whose documents carry its openid, kept in storage', async () => {
  const a = app();
  assert.equal(a.auth.hasLoginState(), null);
  const st = await a.auth.signInAnonymously();
  assert.equal(st.isAnonymousAuth, true);
  assert.equal(st.loginType, 'ANONYMOUS');
  assert.match(st.user.uid, /^[0-9a-f]{32}$/);
  assert.equal(st.user.openid, st.user.uid);
  assert.deepEqual(a.auth.currentUser, st.user);
  assert.deepEqual(a.auth.hasLoginState(), st);

  const { _id, errMsg } = await a.db.collection('notes').add({ data: { text: 'mine' } });
  assert.equal(errMsg, 'collection.add:ok');
  const { data } = await a.db.collection('notes').doc(_id).get();
  assert.equal(data._openid, st.user.openid);

  // A second app (another phone) is another user and sees none of it.
  const b = app();
  await b.auth.signInAnonymously();
  const other = await b.db.collection('notes').get();
  assert.deepEqual(other.data, []);
  assert.equal((await b.db.collection('notes').doc(_id).get().catch((e) => e)).errCode, -1);

  // The session is in the app's storage: a restarted app (same storage) is still signed in.
  const again = app({ ...fetchAdapter(), storage: a.kv });
  assert.deepEqual(again.auth.hasLoginState().user.uid, st.user.uid);
  assert.equal((await again.db.collection('notes').count()).total, 1);
});

test('signUp upgrades an anonymous user keeping uid and data; signInWithPassword; one error for every failure', async () => {
  const a = app();
  const anon = await a.auth.signInAnonymously();
  await a.db.collection('notes').add({ data: { text: 'before upgrade' } });
  const name = 'alice' + Date.now().toString(36);
  const up = await a.auth.signUp({ username: name, password: 'correct horse battery' });
  assert.equal(up.user.uid, anon.user.uid);
  assert.equal(up.loginType, 'USERNAME');
  assert.equal(up.isAnonymousAuth, false);
  assert.equal(up.user.username, name);

  await a.auth.signOut();
  assert.equal(a.auth.hasLoginState(), null);
  const denied = await failure(a.db.collection('notes').get());
  assert.match(denied.errMsg, /^collection\.get:fail /);

  const back = await a.auth.signInWithPassword({ username: name, password: 'correct horse battery' });
  assert.equal(back.user.uid, anon.user.uid);
  const { data } = await a.db.collection('notes').get();
  assert.deepEqual(data.map((d) => d.text), ['before upgrade']);

  const wrong = await failure(a.auth.signInWithPassword({ username: name, password: 'wrong password!' }));
  const unknown = await failure(a.auth.signInWithUsernameAndPassword('nobody' + name, 'correct horse battery'));
  assert.equal(wrong.code, 'INVALID_CREDENTIALS');
  assert.equal(wrong.errCode, -501007);
  assert.match(wrong.errMsg, /^auth\.signInWithPassword:fail -501007 /);
  assert.equal(unknown.errMsg, wrong.errMsg, 'a wrong password and an unknown user read the same');
  // A failed sign-in leaves the current session alone.
  assert.equal(a.auth.currentUser.uid, anon.user.uid);

  const taken = await failure(app().auth.signUp({ username: name, password: 'another password' }));
  assert.equal(taken.code, 'ACCOUNT_EXISTS');
  const weak = await failure(app().auth.signUp({ username: 'bob' + name, password: 'short' }));
  assert.equal(weak.code, 'INVALID_PARAM');
  assert.match(weak.errMsg, /^auth\.signUp:fail /);
  const two = await failure(app().auth.signInWithPassword({ username: 'x', email: 'x@example.com', password: 'p' }));
  assert.equal(two.errMsg, 'auth.signInWithPassword:fail needs exactly one of username, email, phone');
});

test('sendOtp + signInWithOtp by phone, with the code the SMS webhook received', async () => {
  const a = app();
  const phone = '+86138' + String(Date.now()).slice(-8);
  const sent = await a.auth.sendOtp({ phone });
  assert.ok(sent.expiresIn > 0 && sent.expiresIn <= 300, `expiresIn ${sent.expiresIn}`);
  const hook = sms.requests.filter((r) => r.url === '/sms').map((r) => JSON.parse(r.body)).filter((m) => m.to.endsWith(phone.slice(-8)));
  assert.equal(hook.length, 1);
  assert.match(hook[0].code, /^\d{6}$/);

  const bad = await failure(a.auth.signInWithOtp({ phone, code: hook[0].code === '000000' ? '111111' : '000000' }));
  assert.equal(bad.code, 'INVALID_CREDENTIALS');
  const st = await a.auth.signInWithOtp({ phone, code: hook[0].code });
  assert.equal(st.loginType, 'PHONE');
  assert.ok(st.user.phone.endsWith(phone.slice(-8)));
  const reused = await failure(app().auth.signInWithOtp({ phone, code: hook[0].code }));
  assert.equal(reused.code, 'INVALID_CREDENTIALS', 'a code is used once');
});

test('signInWithWeChat: wx.login → /v1/auth/wechat; the same openid is the same user; session_key stays on the server', async () => {
  const wx = fakeWx();
  const codes = ['code-alice', 'code-alice-2'];
  wx.loginCode = () => codes.shift();
  const a = app(miniProgramAdapter('wx', wx));
  const first = await a.auth.signInWithWeChat();
  assert.equal(first.loginType, 'WECHAT');
  assert.equal(first.user.openid, 'o-alice');
  assert.equal(first.user.unionid, 'u-o-alice');
  assert.equal(wechat.requests.at(-1).url.includes('js_code=code-alice'), true);
  const second = await a.auth.signInWithWeChat();
  assert.equal(second.user.uid, first.user.uid);
  for (const v of wx.store.values()) assert.doesNotMatch(String(v), /sk-secret/);
  assert.equal(wx.calls.filter((c) => c.api === 'login').length, 2);

  const { _id } = await a.db.collection('notes').add({ data: { text: 'from WeChat' } });
  assert.equal((await a.db.collection('notes').doc(_id).get()).data._openid, 'o-alice');

  wx.loginCode = () => 'code-unknown';
  const bad = await failure(a.auth.signInWithWeChat());
  assert.match(bad.errMsg, /^auth\.signInWithWeChat:fail /);
  wx.loginCode = undefined;
  const noCode = await failure(a.auth.signInWithWeChat());
  assert.match(noCode.errMsg, /^auth\.signInWithWeChat:fail wx\.login failed: login:fail/);
  const web = await failure(app().auth.signInWithWeChat());
  assert.match(web.errMsg, /^auth\.signInWithWeChat:fail needs a mini-program platform/);
});

test("init({ autoLogin: 'wechat' }): wx.cloud code that never logs in works, as the WeChat user", async () => {
  const wx = fakeWx();
  wx.loginCode = () => 'code-bob';
  globalThis.wx = wx;
  try {
    cloud.init({ endpoint: srv.endpoint, autoLogin: 'wechat' });
    const db = cloud.database();
    // Concurrent first calls share one login.
    const [added] = await Promise.all([db.collection('notes').add({ data: { text: 'silent login' } }), db.collection('notes').count()]);
    assert.equal(added.errMsg, 'collection.add:ok');
    assert.equal(wx.calls.filter((c) => c.api === 'login').length, 1);
    assert.equal(cloud.auth().currentUser.openid, 'o-bob');
    const { data } = await db.collection('notes').where({ text: 'silent login' }).get();
    assert.equal(data[0]._openid, 'o-bob');
    assert.ok(wx.calls.every((c) => c.api !== 'request' || c.options.url.startsWith(srv.endpoint)));
  } finally {
    delete globalThis.wx;
  }
  assert.throws(() => cloud.init({ endpoint: srv.endpoint, autoLogin: 'qq' }), /autoLogin must be 'wechat', 'douyin' or 'anonymous'/);
});

test('signInWithTicket: a custom-login ticket from the admin API signs in the same custom user each time', async () => {
  const { ticket } = await admin('POST', '/v1/admin/auth/ticket', { uid: 'customer_42' });
  assert.match(ticket, /\/@@\//);
  const a = app();
  const st = await a.auth.signInWithTicket(ticket);
  assert.equal(st.loginType, 'CUSTOM');
  assert.equal(st.user.customUserId, 'customer_42');
  const again = await app().auth.customAuthProvider().signIn((await admin('POST', '/v1/admin/auth/ticket', { uid: 'customer_42' })).ticket);
  assert.equal(again.user.uid, st.user.uid);
  const viaFn = await app().auth.signInWithCustomTicket(async () => ticket);
  assert.equal(viaFn.user.uid, st.user.uid);
  const forged = await failure(app().auth.signInWithTicket(ticket.slice(0, -4) + 'AAAA'));
  assert.match(forged.errMsg, /^auth\.signInWithTicket:fail /);
  assert.equal((await failure(app().auth.signInWithTicket(''))).code, undefined);
});

test('tokens are refreshed ahead of expiry, and on ACCESS_TOKEN_EXPIRED the request is retried once', async () => {
  const a = app();
  const key = `minibase:session:${srv.endpoint}#`;
  await a.auth.signInAnonymously();
  const s1 = JSON.parse(a.kv.get(key));
  assert.ok(s1.refreshAt < s1.expiresAt && s1.expiresAt > Date.now());

  // Due for refresh: the next request refreshes first (a new refresh token: rotation).
  a.kv.set(key, JSON.stringify({ ...s1, refreshAt: Date.now() - 1 }));
  assert.equal((await a.db.collection('notes').count()).errMsg, 'collection.count:ok');
  const s2 = JSON.parse(a.kv.get(key));
  assert.notEqual(s2.refreshToken, s1.refreshToken);
  assert.ok(s2.refreshAt > Date.now());
  assert.deepEqual(s2.user, s1.user);

  // An access token that expired (signed with the server's key, exp in the past)
  // but not yet due by the client's clock: the server says ACCESS_TOKEN_EXPIRED,
  // the SDK refreshes and retries.
  const expired = signJWT(readFileSync(join(srv.dir, 'jwt.key'), 'utf8').trim(), {
    sub: s2.user.uid, openid: s2.user.openid, lt: 'ANONYMOUS', role: 'user',
    iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 60,
  });
  a.kv.set(key, JSON.stringify({ ...s2, accessToken: expired }));
  assert.equal((await a.db.collection('notes').count()).errMsg, 'collection.count:ok');
  const s3 = JSON.parse(a.kv.get(key));
  assert.notEqual(s3.accessToken, expired);
  assert.notEqual(s3.refreshToken, s2.refreshToken);
});

test('onLoginStateChanged and a session the server ended: revoked sessions sign the app out at the next refresh', async () => {
  const a = app();
  const seen = [];
  const off = a.auth.onLoginStateChanged((st) => seen.push(st && st.user.uid));
  await new Promise((r) => setTimeout(r));
  assert.deepEqual(seen, [null]);
  const st = await a.auth.signInAnonymously();
  assert.deepEqual(seen, [null, st.user.uid]);

  await admin('POST', `/v1/admin/users/${st.user.uid}/revoke`);
  const key = `minibase:session:${srv.endpoint}#`;
  a.kv.set(key, JSON.stringify({ ...JSON.parse(a.kv.get(key)), refreshAt: Date.now() - 1 }));
  assert.equal(await a.auth.getLoginState(), null);
  assert.deepEqual(seen, [null, st.user.uid, null]);
  assert.equal(a.kv.get(key), undefined);

  await a.auth.signInAnonymously();
  await a.auth.signOut();
  off();
  await a.auth.signInAnonymously();
  assert.equal(seen.length, 5, 'sign-in and sign-out were reported, then nothing after off()');
  assert.equal(seen[4], null);
});

test('signOut revokes the refresh token on the server', async () => {
  const a = app();
  await a.auth.signInAnonymously();
  const key = `minibase:session:${srv.endpoint}#`;
  const { refreshToken } = JSON.parse(a.kv.get(key));
  await a.auth.signOut();
  const e = await failure(new Client({ endpoint: srv.endpoint }).request('auth.refresh', 'POST', '/v1/auth/refresh', { refresh_token: refreshToken }, { auth: false }));
  assert.equal(e.code, 'INVALID_REFRESH_TOKEN');
});

// signJWT makes an HS256 JWT with the server's hex-encoded key.
function signJWT(hexKey, claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64(claims);
  return head + '.' + createHmac('sha256', Buffer.from(hexKey, 'hex')).update(head).digest('base64url');
}

test('a sign-in the server ended is signed out at the next request: ACCESS_TOKEN_REVOKED, one refresh refused, no retry loop', async () => {
  const base = fetchAdapter();
  const paths = [];
  const a = app({ ...base, storage: memoryKV(), request: (req) => (paths.push(new URL(req.url).pathname), base.request(req)) });
  const seen = [];
  const st = await a.auth.signInAnonymously();
  a.auth.onLoginStateChanged((s) => seen.push(s && s.user.uid));
  await new Promise((r) => setTimeout(r));
  assert.equal((await a.db.collection('notes').count()).errMsg, 'collection.count:ok');

  await admin('POST', `/v1/admin/users/${st.user.uid}/revoke`); // the access token is still fresh
  paths.length = 0;
  const e = await failure(a.db.collection('notes').count());
  assert.equal(e.code, 'ACCESS_TOKEN_REVOKED');
  assert.deepEqual(paths, ['/v1/db/notes/count', '/v1/auth/refresh'], 'one refresh, refused, and no retry');
  assert.match(e.errMsg, /^collection\.count:fail -501007 /);
  assert.equal(await a.auth.getLoginState(), null);
  assert.deepEqual(seen, [st.user.uid, null]);
  assert.equal(a.kv.get(`minibase:session:${srv.endpoint}#`), undefined);
  const next = await failure(a.db.collection('notes').count()); // signed out: a visitor, held to the rules
  assert.equal(next.code, 'DATABASE_PERMISSION_DENIED');
});
