// cloud.callFunction against a real minibase: wx.cloud's result shape and
// errMsg (spec §2.1, §5.1), a string result parsed as the original does,
// failures as CloudErrors with the function's message and requestId, and
// callback and Promise styles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import cloud, { CloudError } from '../dist/minibase.mjs';
import { failure } from './helpers/failure.mjs';

let srv;
let openid;

const functions = {
  whoami: `const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
exports.main = async (event) => ({ openid: cloud.getWXContext().OPENID, source: cloud.getWXContext().SOURCE, got: event });`,
  json: `exports.main = async (event) => event.plain ? 'plain text' : '{"parsed":true}';`,
  boom: `exports.main = async () => { throw new Error('boom') };`,
};

async function call(method, path, token, body) {
  const res = await fetch(srv.endpoint + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path}: HTTP ${res.status} ${await res.clone().text()}`);
  return res.json();
}

before(async () => {
  srv = await startServer();
  for (const [name, index] of Object.entries(functions)) {
    await call('PUT', '/v1/admin/functions/' + name, srv.adminKey, { files: { 'index.js': index } });
  }
  const signedIn = await call('POST', '/v1/auth/anonymous', '', {});
  openid = signedIn.user.openid;
  cloud.init({ endpoint: srv.endpoint, accessToken: signedIn.access_token });
});
after(() => srv?.stop());

test('callFunction resolves {result, requestID, errMsg: "cloud.callFunction:ok"}', async () => {
  const r = await cloud.callFunction({ name: 'whoami', data: { a: 1, when: new Date(0) } });
  assert.deepEqual(Object.keys(r).sort(), ['errMsg', 'requestID', 'result']);
  assert.equal(r.errMsg, 'cloud.callFunction:ok');
  assert.match(r.requestID, /^[0-9a-f-]{36}$/);
  assert.deepEqual(r.result, {
    openid,
    source: 'wx_client',
    got: { a: 1, when: '1970-01-01T00:00:00.000Z', userInfo: { appId: '', openId: openid } },
  });
  // data is optional.
  assert.deepEqual((await cloud.callFunction({ name: 'whoami' })).result.got, { userInfo: { appId: '', openId: openid } });
});

test('a string result holding JSON is parsed, other strings are kept', async () => {
  assert.deepEqual((await cloud.callFunction({ name: 'json' })).result, { parsed: true });
  assert.equal((await cloud.callFunction({ name: 'json', data: { plain: true } })).result, 'plain text');
});

test('failures are CloudErrors: -504002 with the function\'s message, -504001 for no such function', async () => {
  const e = await failure(cloud.callFunction({ name: 'boom' }));
  assert.ok(e instanceof CloudError);
  assert.equal(e.errCode, -504002);
  assert.equal(e.code, 'FUNCTIONS_EXECUTE_FAIL');
  assert.match(e.errMsg, /^cloud\.callFunction:fail -504002 functions execute fail\. Error: boom/);
  assert.match(e.requestId, /^[0-9a-f-]{36}$/);

  const missing = await failure(cloud.callFunction({ name: 'no-such-function' }));
  assert.equal(missing.errCode, -504001);
  assert.match(missing.errMsg, /^cloud\.callFunction:fail -504001 functions request fail\. function "no-such-function" does not exist/);

  const noName = await failure(cloud.callFunction({}));
  assert.equal(noName.errCode, -501007);
  assert.match(noName.errMsg, /^cloud\.callFunction:fail name is required/);
});

test('callbacks: success and complete, or fail and complete; no Promise', async () => {
  const seen = await new Promise((resolve) => {
    const out = [];
    const ret = cloud.callFunction({
      name: 'json',
      success: (r) => out.push(['success', r.result]),
      fail: (e) => out.push(['fail', e]),
      complete: () => resolve({ ret, out }),
    });
  });
  assert.equal(seen.ret, undefined);
  assert.deepEqual(seen.out, [['success', { parsed: true }]]);

  const failed = await new Promise((resolve) => {
    const out = [];
    cloud.callFunction({ name: 'boom', fail: (e) => out.push(e.errCode), complete: () => resolve(out) });
  });
  assert.deepEqual(failed, [-504002]);
});
