// Admin sessions through cloud.auth(), as the admin console uses them:
// signInAsAdmin against a real minibase with an account made by
// `minibase admin create`, the session stored and sent on admin
// endpoints, stored across a reload, wrong credentials and bad input
// refused with nothing stored, and signOut revoking the session on the
// server. setUpAdmin (first-run setup) checks its input before any request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { binary, startServer } from './helpers/server.mjs';
import { Auth, Client, fetchAdapter, memoryKV } from '../dist/minibase.mjs';

const EMAIL = 'owner@example.com';
const PASSWORD = 'correct horse battery';
let srv;

before(async () => {
  srv = await startServer();
  execFileSync(binary(), ['admin', 'create', EMAIL, '--dir', srv.dir, '--password-stdin'], { input: PASSWORD + '\n' });
});

after(async () => {
  await srv?.stop();
});

function app(kv = memoryKV()) {
  const client = new Client({ endpoint: srv.endpoint, adapter: { ...fetchAdapter(), storage: kv } });
  const auth = new Auth(client);
  client.setTokenSource(auth.tokens);
  return { client, auth, kv };
}

test('signInAsAdmin: the admin account, a stored session, admin endpoints open', async () => {
  const a = app();
  await assert.rejects(a.client.request('t', 'GET', '/v1/admin/collections'), (e) => e.code === 'DATABASE_PERMISSION_DENIED');
  const states = [];
  a.auth.onLoginStateChanged((s) => states.push(s));
  const acct = await a.auth.signInAsAdmin({ email: ' Owner@Example.com ', password: PASSWORD });
  assert.equal(acct.email, EMAIL);
  assert.match(acct.id, /\S/);
  assert.deepEqual(a.auth.currentAdmin, acct);
  assert.equal(a.auth.hasLoginState(), null, 'an admin is not an end user');
  assert.equal(a.auth.currentUser, null);
  const cols = await a.client.request('t', 'GET', '/v1/admin/collections');
  assert.ok(Array.isArray(cols.data));
  const me = await a.client.request('t', 'GET', '/v1/auth/me');
  assert.equal(me.admin?.email, EMAIL);

  // Another Auth over the same storage (a reload of the page) is signed in too.
  const b = app(a.kv);
  assert.deepEqual(b.auth.currentAdmin, acct);
  assert.ok((await b.client.request('t', 'GET', '/v1/admin/collections')).data);
  await new Promise((r) => setImmediate(r));
  assert.ok(states.length >= 1, 'listeners hear of the sign-in');
});

test('signInAsAdmin: a wrong password or unknown account is refused and nothing is stored', async () => {
  for (const creds of [{ email: EMAIL, password: 'wrong password!' }, { email: 'nobody@example.com', password: PASSWORD }]) {
    const a = app();
    await assert.rejects(a.auth.signInAsAdmin(creds), (e) => {
      assert.match(e.errMsg, /^auth\.signInAsAdmin:fail /);
      assert.equal(e.code, 'INVALID_CREDENTIALS');
      return true;
    });
    assert.equal(a.auth.currentAdmin, null);
  }
});

test('signInAsAdmin and setUpAdmin check their input before asking the server', async () => {
  let asked = 0;
  const base = fetchAdapter();
  const client = new Client({ endpoint: srv.endpoint, adapter: { ...base, storage: memoryKV(), request: (r) => (asked++, base.request(r)) } });
  const auth = new Auth(client);
  for (const [call, want] of [
    [() => auth.signInAsAdmin(undefined), /expects an object/],
    [() => auth.signInAsAdmin({ email: '', password: 'x' }), /email is required/],
    [() => auth.signInAsAdmin({ email: EMAIL }), /password is required/],
    [() => auth.setUpAdmin({ email: EMAIL, password: PASSWORD }), /adminKey is required/],
    [() => auth.setUpAdmin({ adminKey: '  ', email: EMAIL, password: PASSWORD }), /adminKey is required/],
  ]) {
    await assert.rejects(call(), (e) => {
      assert.equal(e.errCode, -501007 /* INVALID_PARAM */, e.errMsg);
      assert.match(e.errMsg, want);
      return true;
    });
  }
  assert.equal(asked, 0);
});

test('signOut revokes the admin session on the server', async () => {
  const a = app();
  await a.auth.signInAsAdmin({ email: EMAIL, password: PASSWORD });
  const refresh = sessionOf(a.kv);
  assert.ok(refresh, 'the session is stored under the endpoint\'s key');
  await a.auth.signOut();
  assert.equal(a.auth.currentAdmin, null);
  const res = await fetch(srv.endpoint + '/v1/auth/refresh', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: refresh }),
  });
  assert.equal(res.status, 401, 'the signed-out refresh token no longer works');
});

function sessionOf(kv) {
  const raw = kv.get(`minibase:session:${srv.endpoint}#`);
  return raw ? JSON.parse(raw).refreshToken : undefined;
}

test('setUpAdmin: only with the admin key, only while no admin exists, and it signs in', async () => {
  const fresh = await startServer();
  try {
    const setup = async () => (await (await fetch(fresh.endpoint + '/v1/admin/setup')).json()).needed;
    const client = new Client({ endpoint: fresh.endpoint, adapter: { ...fetchAdapter(), storage: memoryKV() } });
    const auth = new Auth(client);
    client.setTokenSource(auth.tokens);
    assert.equal(await setup(), true);
    await assert.rejects(auth.setUpAdmin({ adminKey: 'mbk_wrong_key_0123456789abcdef', email: EMAIL, password: PASSWORD }), (e) => {
      assert.match(e.errMsg, /^auth\.setUpAdmin:fail .*admin key is not valid/);
      assert.equal(e.code, 'PERMISSION_DENIED');
      return true;
    });
    assert.equal(auth.currentAdmin, null);
    assert.equal(await setup(), true, 'a wrong key creates nothing');
    const acct = await auth.setUpAdmin({ adminKey: fresh.adminKey, email: EMAIL, password: PASSWORD });
    assert.equal(acct.email, EMAIL);
    assert.deepEqual(auth.currentAdmin, acct);
    assert.ok((await client.request('t', 'GET', '/v1/admin/collections')).data);
    assert.equal(await setup(), false);
    const other = new Auth(new Client({ endpoint: fresh.endpoint, adapter: { ...fetchAdapter(), storage: memoryKV() } }));
    await assert.rejects(other.setUpAdmin({ adminKey: fresh.adminKey, email: 'second@example.com', password: PASSWORD }), (e) => e.code === 'ADMIN_EXISTS');
  } finally {
    await fresh.stop();
  }
});
