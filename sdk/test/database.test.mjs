// The database API's contract with its callers against a real minibase:
// result shapes and errMsg strings (spec §2.1), failures as CloudErrors
// (§2.3), callback and Promise styles, and the builder's synchronous
// validation errors with the original SDK's messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import cloud, { CloudError } from '../dist/minibase.mjs';
import { failure } from './helpers/failure.mjs';

let srv;
let db;
let _;

before(async () => {
  srv = await startServer();
  cloud.init({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  db = cloud.database();
  _ = db.command;
});
after(() => srv?.stop());

// callbacks calls f with success/fail/complete and resolves with what they saw.
function callbacks(f) {
  return new Promise((resolve) => {
    const seen = [];
    const ret = f({
      success: (r) => seen.push(['success', r]),
      fail: (e) => seen.push(['fail', e]),
      complete: (r) => {
        seen.push(['complete', r]);
        resolve({ ret, seen });
      },
    });
  });
}

test('collection and document results have wx.cloud\'s shapes and errMsg (§2.1)', async () => {
  const c = db.collection('shapes');
  const added = await c.add({ data: { title: 'milk', n: 1 } });
  assert.deepEqual(Object.keys(added).sort(), ['_id', 'errMsg']);
  assert.match(added._id, /^[0-9a-f]{32}$/);
  assert.equal(added.errMsg, 'collection.add:ok');
  assert.deepEqual(await c.add({ data: { _id: 'mine', n: 2 } }), { _id: 'mine', errMsg: 'collection.add:ok' });

  assert.deepEqual(await c.where({ n: 2 }).get(), { data: [{ _id: 'mine', n: 2 }], errMsg: 'collection.get:ok' });
  assert.deepEqual(await c.count(), { total: 2, errMsg: 'collection.count:ok' });
  assert.deepEqual(await c.doc('mine').get(), { data: { _id: 'mine', n: 2 }, errMsg: 'document.get:ok' });

  assert.deepEqual(await c.doc('fresh').set({ data: { a: 1 } }), {
    _id: 'fresh',
    stats: { updated: 0, created: 1 },
    errMsg: 'document.set:ok',
  });
  assert.deepEqual(await c.doc('fresh').set({ data: { b: 2 } }), {
    _id: 'fresh',
    stats: { updated: 1, created: 0 },
    errMsg: 'document.set:ok',
  });
  // set replaces the whole document.
  assert.deepEqual((await c.doc('fresh').get()).data, { _id: 'fresh', b: 2 });
  assert.deepEqual(await c.doc('fresh').update({ data: { b: _.inc(1) } }), { stats: { updated: 1 }, errMsg: 'document.update:ok' });
  assert.deepEqual(await c.doc('fresh').remove(), { stats: { removed: 1 }, errMsg: 'document.remove:ok' });
  assert.deepEqual(await c.doc('fresh').remove(), { stats: { removed: 0 }, errMsg: 'document.remove:ok' });
  assert.deepEqual(await c.where({ n: 1 }).update({ data: { n: 3 } }), { stats: { updated: 1 }, errMsg: 'collection.update:ok' });
  assert.deepEqual(await c.where({ n: 3 }).remove(), { stats: { removed: 1 }, errMsg: 'collection.remove:ok' });
  assert.deepEqual(await c.where({ n: 3 }).get(), { data: [], errMsg: 'collection.get:ok' });
});

test('doc(): numeric ids are their decimal strings; field() picks fields; any characters in an id work', async () => {
  const c = db.collection('ids');
  assert.deepEqual(await c.add({ data: { _id: 5, n: 5, tags: [1, 2, 3], secret: 's' } }), { _id: '5', errMsg: 'collection.add:ok' });
  assert.deepEqual((await c.doc(5).get()).data, { _id: '5', n: 5, tags: [1, 2, 3], secret: 's' });
  assert.deepEqual((await c.doc('5').field({ n: true, tags: _.project.slice(-1) }).get()).data, { _id: '5', n: 5, tags: [3] });
  assert.deepEqual((await c.doc(5).field({ secret: false, tags: false }).get()).data, { _id: '5', n: 5 });
  assert.deepEqual(await c.doc(5).set({ data: { n: 6 } }), { _id: '5', stats: { updated: 1, created: 0 }, errMsg: 'document.set:ok' });
  for (const odd of ['user-1_a.b:c@d', 'a b/c?d#e', '商品:1', '100%', 'x+y&z=1']) {
    assert.deepEqual(await c.doc(odd).set({ data: { ok: true } }), { _id: odd, stats: { updated: 0, created: 1 }, errMsg: 'document.set:ok' });
    assert.deepEqual((await c.doc(odd).get()).data, { _id: odd, ok: true }, odd);
    assert.deepEqual((await c.where({ _id: odd }).get()).data, [{ _id: odd, ok: true }], odd);
    assert.deepEqual(await c.doc(odd).update({ data: { ok: false } }), { stats: { updated: 1 }, errMsg: 'document.update:ok' });
    assert.deepEqual(await c.doc(odd).remove(), { stats: { removed: 1 }, errMsg: 'document.remove:ok' });
  }
});

test('a missing document: document.get:fail with errCode -1; update and remove report 0', async () => {
  await db.collection('misc').add({ data: { _id: 'here' } });
  for (const ref of [db.collection('misc').doc('nobody'), db.collection('misc').doc('nobody').field({ a: true })]) {
    const e = await failure(ref.get());
    assert.ok(e instanceof CloudError && e instanceof Error);
    assert.equal(e.errCode, -1);
    assert.equal(e.errMsg, 'document.get:fail document with _id nobody does not exist');
    assert.equal(e.message, e.errMsg);
  }
  assert.deepEqual(await db.collection('misc').doc('nobody').update({ data: { a: 1 } }), { stats: { updated: 0 }, errMsg: 'document.update:ok' });
});

test('server failures reject with CloudErrors in wx-server-sdk\'s shape (§2.3)', async () => {
  const missing = await failure(db.collection('no_such').get());
  assert.equal(missing.errCode, -502005);
  assert.equal(missing.code, 'DATABASE_COLLECTION_NOT_EXIST');
  assert.match(missing.errMsg, /^collection\.get:fail -502005 database collection not exists\. .*no_such/);
  assert.match((await failure(db.collection('no_such').count())).errMsg, /^collection\.count:fail -502005 /);
  assert.match((await failure(db.collection('no_such').doc('x').get())).errMsg, /^document\.get:fail -502005 /);

  await db.collection('dups').add({ data: { _id: 'one' } });
  const dup = await failure(db.collection('dups').add({ data: { _id: 'one' } }));
  assert.equal(dup.errCode, -502001);
  assert.match(dup.errMsg, /^collection\.add:fail -502001 database request fail\. .*duplicate/);

  const op = await failure(db.collection('dups').where({ a: { $bogus: 1 } }).get());
  assert.equal(op.errCode, -502002);
  assert.match(op.errMsg, /^collection\.get:fail -502002 database invalid command\. unknown operator: \$bogus/);
  const bad = await failure(db.collection('dups').doc('one').update({ data: { a: _.pop(), b: 1, $bogus: { c: 1 } } }));
  assert.match(bad.errMsg, /^document\.update:fail -50200[12] /);
});

test('bad data rejects with the original messages and sends nothing', async () => {
  const c = db.collection('bad');
  const cases = [
    [() => c.add(), 'collection.add:fail 参数必需是非空对象'],
    [() => c.add({ data: [{ a: 1 }] }), 'collection.add:fail 参数必需是非空对象'],
    [() => c.doc('x').set({ data: null }), 'document.set:fail 参数必需是非空对象'],
    [() => c.doc('x').set({ data: { _id: 'y' } }), 'document.set:fail 不能更新_id的值'],
    [() => c.doc('x').update({ data: {} }), 'document.update:fail 参数必需是非空对象'],
    [() => c.doc('x').update({ data: 'x' }), 'document.update:fail 参数必需是非空对象'],
    [() => c.doc('x').update({ data: { _id: 'y' } }), 'document.update:fail 不能更新_id的值'],
    [() => c.where({ a: 1 }).update({}), 'collection.update:fail 参数必需是非空对象'],
    [() => c.where({ a: 1 }).update({ data: { _id: 1 } }), 'collection.update:fail 不能更新_id的值'],
    [() => c.doc('').get(), 'document.get:fail docId不能为空'],
  ];
  for (const [f, msg] of cases) {
    const e = await failure(f());
    assert.ok(e instanceof CloudError, msg);
    assert.equal(e.errMsg, msg);
    assert.equal(e.errCode, -501007);
  }
  const mixed = await failure(c.doc('x').set({ data: { a: 1, deep: { n: _.inc(1) } } }));
  assert.equal(mixed.errMsg, 'document.set:fail update operator complicit');
  assert.equal(mixed.errCode, -502001);
  const circ = { a: 1 };
  circ.self = circ;
  assert.match((await failure(c.add({ data: circ }))).errMsg, /^collection\.add:fail Cannot convert circular structure/);
  assert.equal((await failure(db.collection('bad').count())).errCode, -502005, 'nothing was created');
});

test('builder misuse throws the original messages synchronously (§1.1, §1.2, §2.3)', () => {
  const c = db.collection('sync');
  const cases = [
    [() => db.collection(''), 'Collection name is required'],
    [() => db.collection(), 'Collection name is required'],
    [() => c.where('a = 1'), '查询参数必须为对象'],
    [() => c.where(null), '查询参数必须为对象'],
    [() => c.where([{ a: 1 }]), '查询参数必须为对象'],
    [() => c.where(new Date()), '查询参数必须为对象'],
    [() => c.where({ a: undefined, b: undefined }), '查询参数对象值不能均为undefined'],
    [() => c.orderBy('a', 'up'), '排序字符不合法'],
    [() => c.orderBy('a'), '排序字符不合法'],
    [() => c.orderBy('$a', 'asc'), '非法排序路径'],
    [() => c.limit(1.5), 'limit must be integer'],
    [() => c.limit('10'), 'limit must be integer'],
    [() => c.skip(NaN), 'offset must be integer'],
    [() => c.doc({}), 'docId必须为字符串或数字'],
    [() => c.doc(), 'docId必须为字符串或数字'],
    [() => c.where(_.or([_.gt(1)])), 'Cannot encode a comparison command with unset field name'],
    [() => db.Geo.Point(200, 0), 'longitude should be a number ranges from -180 to 180'],
    [() => db.RegExp({}), 'regexp must be a string'],
    [() => c.field('a'), 'field() takes an object such as { name: true }'],
  ];
  for (const [f, msg] of cases) assert.throws(f, { message: msg });
  // where({}) is allowed: it matches everything.
  assert.ok(c.where({}));
});

test('callback style: success or fail, then complete, and no Promise', async () => {
  const c = db.collection('cb');
  const add = await callbacks((o) => c.add({ data: { _id: 'k', n: 1 }, ...o }));
  assert.equal(add.ret, undefined);
  assert.deepEqual(add.seen, [
    ['success', { _id: 'k', errMsg: 'collection.add:ok' }],
    ['complete', { _id: 'k', errMsg: 'collection.add:ok' }],
  ]);
  const get = await callbacks((o) => c.where({ n: 1 }).get(o));
  assert.deepEqual(get.seen.map(([k, r]) => [k, r.errMsg, r.data.length]), [
    ['success', 'collection.get:ok', 1],
    ['complete', 'collection.get:ok', 1],
  ]);
  for (const f of [
    (o) => c.count(o),
    (o) => c.doc('k').get(o),
    (o) => c.doc('k').update({ data: { n: 2 }, ...o }),
    (o) => c.where({ n: 2 }).update({ data: { n: 3 }, ...o }),
    (o) => c.doc('k2').set({ data: { n: 1 }, ...o }),
    (o) => c.doc('k2').remove(o),
    (o) => c.where({ n: 3 }).remove(o),
  ]) {
    const r = await callbacks(f);
    assert.equal(r.ret, undefined);
    assert.deepEqual(r.seen.map(([k]) => k), ['success', 'complete']);
    assert.match(r.seen[0][1].errMsg, /^(collection|document)\.\w+:ok$/);
  }

  const missing = await callbacks((o) => c.doc('nobody').get(o));
  assert.equal(missing.ret, undefined);
  assert.deepEqual(missing.seen.map(([k]) => k), ['fail', 'complete']);
  assert.equal(missing.seen[0][1].errMsg, 'document.get:fail document with _id nobody does not exist');
  assert.equal(missing.seen[1][1], missing.seen[0][1]);
  const bad = await callbacks((o) => c.doc('x').update({ data: {}, ...o }));
  assert.equal(bad.seen[0][1].errMsg, 'document.update:fail 参数必需是非空对象');

  // Only fail given: still no Promise, and no unhandled rejection.
  await new Promise((resolve) => {
    const ret = db.collection('no_such').get({ fail: (e) => (assert.equal(e.errCode, -502005), resolve()) });
    assert.equal(ret, undefined);
  });
});

test('Promise style: every call returns a Promise when no callback is given', async () => {
  const c = db.collection('promise');
  const add = c.add({ data: { _id: 'p' } });
  assert.ok(add instanceof Promise);
  await add;
  const calls = [c.get(), c.get({}), c.count()];
  for (const p of calls) assert.ok(p instanceof Promise);
  await Promise.all(calls);
  const more = [c.doc('p').get(), c.doc('p').update({ data: { a: 1 } }), c.doc('q').set({ data: {} }), c.where({ a: 1 }).update({ data: { b: 1 } })];
  for (const p of more) assert.ok(p instanceof Promise);
  await Promise.all(more);
  const rm = [c.doc('q').remove(), c.where({ a: 1 }).remove()];
  for (const p of rm) assert.ok(p instanceof Promise);
  await Promise.all(rm);
});

test('db.config, db.serverDate and collectionName', () => {
  assert.deepEqual(cloud.database({ env: 'prod' }).config, { env: 'prod' });
  assert.equal(db.collection('todos').collectionName, 'todos');
  assert.deepEqual(db.serverDate({ offset: 10 }).options, { offset: 10 });
  assert.deepEqual(db.serverDate().options, { offset: 0 });
  assert.equal(db.collection('todos').doc(7).id, 7);
});
