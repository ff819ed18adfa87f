// Callback style versus Promise style (wx semantics): with success, fail or
// complete given, no Promise is returned and nothing becomes an unhandled
// rejection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/server.mjs';
import { Client, CloudError, promiseOrCallback } from '../dist/minibase.mjs';

const dist = fileURLToPath(new URL('../dist/minibase.mjs', import.meta.url));
let srv, client;
const unhandled = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

before(async () => {
  srv = await startServer();
  client = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  await client.request('collection.add', 'POST', '/v1/db/cb/insert', { data: { n: 1 } });
});
after(() => srv?.stop());

// Every request a test starts, so that settle can wait for them.
const pending = new Set();
const get = (coll) => () => {
  const p = client.request('collection.get', 'POST', `/v1/db/${coll}/query`, { filter: {} }).then((r) => ({ data: r.data, errMsg: 'collection.get:ok' }));
  pending.add(p);
  return p;
};

// settle waits for the callbacks: until every request started has settled,
// then for the callbacks its settling queued (microtasks) and for a
// callback's exception, which is rethrown from a setTimeout(0) task.
const settle = async () => {
  await Promise.allSettled([...pending]);
  pending.clear();
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => setImmediate(r));
};

test('without callbacks the call returns a Promise', async () => {
  for (const opts of [undefined, {}, { success: 'not a function' }, { data: 1 }]) {
    const p = promiseOrCallback(opts, get('cb'));
    assert.ok(p instanceof Promise, JSON.stringify(opts));
    assert.equal((await p).errMsg, 'collection.get:ok');
  }
  await assert.rejects(promiseOrCallback(undefined, get('nope')), (e) => e instanceof CloudError && e.errCode === -502005);
});

test('success then complete, once each, and no Promise', async () => {
  const calls = [];
  const ret = promiseOrCallback(
    {
      success: (r) => calls.push(['success', r.errMsg, r.data.length]),
      fail: (e) => calls.push(['fail', e]),
      complete: (r) => calls.push(['complete', r.errMsg]),
    },
    get('cb'),
  );
  assert.equal(ret, undefined);
  await settle();
  assert.deepEqual(calls, [
    ['success', 'collection.get:ok', 1],
    ['complete', 'collection.get:ok'],
  ]);
});

test('fail then complete with the CloudError, and no unhandled rejection', async () => {
  const calls = [];
  const before = unhandled.length;
  const ret = promiseOrCallback(
    { fail: (e) => calls.push(['fail', e.errCode, e.errMsg]), complete: (e) => calls.push(['complete', e instanceof CloudError]) },
    get('nope'),
  );
  assert.equal(ret, undefined);
  await settle();
  assert.deepEqual(calls, [
    ['fail', -502005, calls[0][2]],
    ['complete', true],
  ]);
  assert.match(calls[0][2], /^collection\.get:fail -502005 /);
  assert.equal(unhandled.length, before);
});

test('only success given: a failure is swallowed quietly, as in wx', async () => {
  const before = unhandled.length;
  let called = false;
  assert.equal(promiseOrCallback({ success: () => (called = true) }, get('nope')), undefined);
  await settle();
  assert.equal(called, false);
  assert.equal(unhandled.length, before);
});

test('only complete given: it gets the result or the error', async () => {
  const ok = [];
  const bad = [];
  promiseOrCallback({ complete: (r) => ok.push(r.errMsg) }, get('cb'));
  promiseOrCallback({ complete: (r) => bad.push(r) }, get('nope'));
  await settle();
  assert.deepEqual(ok, ['collection.get:ok']);
  assert.equal(bad.length, 1);
  assert.ok(bad[0] instanceof CloudError);
  assert.match(bad[0].errMsg, /^collection\.get:fail -502005 /);
});

test('callbacks are called with the options object as this', async () => {
  const opts = {
    tag: 'me',
    success() {
      this.seen = this.tag;
    },
  };
  promiseOrCallback(opts, get('cb'));
  await settle();
  assert.equal(opts.seen, 'me');
});

test('a synchronous throw of run reaches the caller in both styles', () => {
  const boom = () => {
    throw new Error('查询参数必须为对象');
  };
  assert.throws(() => promiseOrCallback(undefined, boom), /查询参数必须为对象/);
  assert.throws(() => promiseOrCallback({ fail() {} }, boom), /查询参数必须为对象/);
});

// A throw in a user callback must surface as an uncaught error (not an
// unhandled rejection, not a call to fail): run in a child process, where it
// ends the process as it would in Node.
test('an exception in success is rethrown asynchronously and does not call fail', () => {
  const script = `
    import { promiseOrCallback } from ${JSON.stringify(dist)};
    process.on('unhandledRejection', () => { console.log('UNHANDLED'); process.exit(3); });
    promiseOrCallback({
      success() { console.log('success'); throw new Error('user bug'); },
      fail() { console.log('FAIL CALLED'); },
      complete() { console.log('complete'); },
    }, () => Promise.resolve({ errMsg: 'x:ok' }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.stdout, 'success\ncomplete\n');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Error: user bug/);
  assert.doesNotMatch(r.stderr, /unhandled/i);
});
