// Every update command and the update({data}) rules against a real
// minibase: a document is set, updated, and read back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import cloud from '../dist/minibase.mjs';

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

let seq = 0;

// apply sets a fresh document to initial, updates it with data and returns
// it as read back, without _id.
async function apply(initial, data) {
  const doc = db.collection('upd').doc('d' + ++seq);
  await doc.set({ data: initial });
  const r = await doc.update({ data });
  // updated counts modified documents: 0 when the update changes nothing.
  assert.deepEqual(r, { stats: { updated: r.stats.updated === 0 ? 0 : 1 }, errMsg: 'document.update:ok' });
  const { data: got } = await doc.get();
  delete got._id;
  return got;
}

test('update data merges nested objects by dot path; _.set replaces the whole value (§1.3)', async () => {
  const style = { color: 'red', size: 'S' };
  assert.deepEqual(await apply({ style }, { style: { color: 'blue' } }), { style: { color: 'blue', size: 'S' } });
  assert.deepEqual(await apply({ style }, { style: _.set({ color: 'blue' }) }), { style: { color: 'blue' } });
  assert.deepEqual(await apply({ a: { b: 1, keep: true } }, { a: { b: _.inc(1), c: { d: 2 } } }), {
    a: { b: 2, keep: true, c: { d: 2 } },
  });
  assert.deepEqual(await apply({ a: { b: 1 } }, { 'a.b': 5, x: [1, { y: 2 }] }), { a: { b: 5 }, x: [1, { y: 2 }] });
  assert.deepEqual(await apply({ a: { b: 1 } }, { a: {} }), { a: {} });
  assert.deepEqual(await apply({ n: 1 }, { n: 2, gone: undefined }), { n: 2 });
});

test('field update commands: set, remove, inc, mul, min, max, rename, bit (§1.8)', async () => {
  const cases = [
    [{ a: 1, b: 2 }, { b: _.remove() }, { a: 1 }],
    [{ n: 1 }, { n: _.inc(2) }, { n: 3 }],
    [{ n: 1 }, { m: _.inc(-4) }, { n: 1, m: -4 }],
    [{ n: 3 }, { n: _.mul(2.5) }, { n: 7.5 }],
    [{ n: 5 }, { n: _.min(3) }, { n: 3 }],
    [{ n: 5 }, { n: _.min(7) }, { n: 5 }],
    [{ n: 5 }, { n: _.max(7) }, { n: 7 }],
    [{ d: new Date(1000) }, { d: _.max(new Date(2000)) }, { d: new Date(2000) }],
    [{ a: 1 }, { a: _.rename('b') }, { b: 1 }],
    [{ o: { a: 1 } }, { o: { a: _.rename('o.z') } }, { o: { z: 1 } }],
    [{ n: 6 }, { n: _.bit({ and: 3 }) }, { n: 2 }],
    [{ n: 6 }, { n: _.bit({ or: 1 }) }, { n: 7 }],
    [{ n: 6 }, { n: _.bit({ xor: 5 }) }, { n: 3 }],
    [{ v: 1 }, { v: _.set([1, 2]) }, { v: [1, 2] }],
  ];
  for (const [initial, data, want] of cases) {
    assert.deepEqual(await apply(initial, data), want, `${JSON.stringify(initial)} + ${JSON.stringify(data)}`);
  }
});

test('array update commands: push (with each/position/sort/slice), pop, shift, unshift, addToSet, pull, pullAll', async () => {
  const cases = [
    [{ t: ['a'] }, { t: _.push('b') }, { t: ['a', 'b'] }],
    [{ t: ['a'] }, { t: _.push('b', 'c') }, { t: ['a', 'b', 'c'] }],
    [{ t: ['a'] }, { t: _.push(['b', 'c']) }, { t: ['a', 'b', 'c'] }],
    [{}, { t: _.push({ x: 1 }) }, { t: [{ x: 1 }] }],
    [{ t: ['a', 'd'] }, { t: _.push({ each: ['b', 'c'], position: 1 }) }, { t: ['a', 'b', 'c', 'd'] }],
    [{ t: ['a', 'd'] }, { t: _.push({ each: ['z'], position: -1 }) }, { t: ['a', 'z', 'd'] }],
    [{ t: [3, 1] }, { t: _.push({ each: [2, 5], sort: 1, slice: 3 }) }, { t: [1, 2, 3] }],
    [{ t: [3, 1] }, { t: _.push({ each: [2], slice: -2 }) }, { t: [1, 2] }],
    [{ t: [1] }, { t: _.push({ each: [2], slice: 0 }) }, { t: [] }],
    [
      { t: [{ s: 2 }, { s: 9 }] },
      { t: _.push({ each: [{ s: 5 }], sort: { s: -1 } }) },
      { t: [{ s: 9 }, { s: 5 }, { s: 2 }] },
    ],
    [{ t: [1, 2, 3] }, { t: _.pop() }, { t: [1, 2] }],
    [{ t: [1, 2, 3] }, { t: _.shift() }, { t: [2, 3] }],
    [{ t: ['a'] }, { t: _.unshift('x', 'y') }, { t: ['x', 'y', 'a'] }],
    [{ t: ['a'] }, { t: _.unshift(['x']) }, { t: ['x', 'a'] }],
    [{ t: ['a'] }, { t: _.addToSet('a') }, { t: ['a'] }],
    [{ t: ['a'] }, { t: _.addToSet('b') }, { t: ['a', 'b'] }],
    [{ t: ['a'] }, { t: _.addToSet({ each: ['a', 'c', 'c'] }) }, { t: ['a', 'c'] }],
    [{ t: ['a'] }, { t: _.addToSet({ $each: ['b'] }) }, { t: ['a', 'b'] }],
    [{ t: ['a', 'b', 'a'] }, { t: _.pull('a') }, { t: ['b'] }],
    [{ t: [1, 5, 10] }, { t: _.pull(_.gt(4)) }, { t: [1] }],
    [{ t: [1, 5, 10] }, { t: _.pull(_.in([1, 10])) }, { t: [5] }],
    [{ t: [1, 5, 10] }, { t: _.pull(_.gt(2).lt(8)) }, { t: [1, 10] }],
    [{ t: [{ age: 5 }, { age: 15, n: 'x' }] }, { t: _.pull({ age: _.gt(10) }) }, { t: [{ age: 5 }] }],
    [{ t: [{ age: 5 }, { age: 15 }] }, { t: _.pull({ age: 5 }) }, { t: [{ age: 15 }] }],
    [{ t: ['a', 'b', 'c'] }, { t: _.pullAll(['a', 'c']) }, { t: ['b'] }],
  ];
  for (const [initial, data, want] of cases) {
    assert.deepEqual(await apply(initial, data), want, `${JSON.stringify(initial)} + ${JSON.stringify(data)}`);
  }
});

test('dates, serverDate, Geo and RegExp values round-trip; dates come back as Date', async () => {
  const when = new Date(Date.UTC(2026, 11, 1, 9, 30, 0, 123));
  const before = Date.now();
  const got = await apply(
    { created: when },
    {
      due: when,
      seen: db.serverDate(),
      later: db.serverDate({ offset: 3600 * 1000 }),
      loc: db.Geo.Point(113.3, 23.1),
      list: [new Date(0), { at: new Date(1) }],
      pattern: db.RegExp({ regexp: 'a+', options: 'i' }),
    },
  );
  const after = Date.now();
  assert.ok(got.created instanceof Date && got.due instanceof Date);
  assert.equal(got.created.getTime(), when.getTime());
  assert.equal(got.due.getTime(), when.getTime());
  assert.ok(got.seen instanceof Date);
  assert.ok(got.seen.getTime() >= before - 1000 && got.seen.getTime() <= after + 1000, got.seen.toISOString());
  assert.equal(got.later.getTime() - got.seen.getTime(), 3600 * 1000);
  assert.ok(got.loc instanceof db.Geo.Point);
  assert.deepEqual([got.loc.longitude, got.loc.latitude], [113.3, 23.1]);
  assert.deepEqual(got.list, [new Date(0), { at: new Date(1) }]);
  assert.deepEqual(got.pattern, { $regex: 'a+', $options: 'i' });
});

test('updated counts the documents an update changed, as MongoDB and CloudBase do', async () => {
  const doc = db.collection('upd').doc('noop');
  await doc.set({ data: { n: 5, t: ['a'] } });
  assert.deepEqual(await doc.update({ data: { n: _.min(7) } }), { stats: { updated: 0 }, errMsg: 'document.update:ok' });
  assert.deepEqual(await doc.update({ data: { t: _.addToSet('a') } }), { stats: { updated: 0 }, errMsg: 'document.update:ok' });
  assert.deepEqual(await doc.update({ data: { n: _.min(3) } }), { stats: { updated: 1 }, errMsg: 'document.update:ok' });
  const missing = db.collection('upd').doc('nobody');
  assert.deepEqual(await missing.update({ data: { n: 1 } }), { stats: { updated: 0 }, errMsg: 'document.update:ok' });
});

test('where().update updates every match and counts them; positional $ updates the matched element', async () => {
  const c = db.collection('multi');
  for (const data of [{ g: 1, n: 0 }, { g: 1, n: 0 }, { g: 2, n: 0 }]) await c.add({ data });
  assert.deepEqual(await c.where({ g: 1 }).update({ data: { n: _.inc(5), tag: 'hit' } }), {
    stats: { updated: 2 },
    errMsg: 'collection.update:ok',
  });
  const all = (await c.orderBy('g', 'asc').get()).data.map(({ g, n, tag }) => ({ g, n, tag }));
  assert.deepEqual(all, [
    { g: 1, n: 5, tag: 'hit' },
    { g: 1, n: 5, tag: 'hit' },
    { g: 2, n: 0, tag: undefined },
  ]);
  assert.deepEqual(await c.where({ g: 9 }).update({ data: { n: 1 } }), { stats: { updated: 0 }, errMsg: 'collection.update:ok' });

  const arr = db.collection('positional');
  await arr.doc('p').set({ data: { numbers: [10, 20, 30] } });
  await arr.where({ numbers: 20 }).update({ data: { 'numbers.$': 25 } });
  assert.deepEqual((await arr.doc('p').get()).data.numbers, [10, 25, 30]);
});

test('where().remove removes every match', async () => {
  const c = db.collection('rm');
  for (const data of [{ g: 1 }, { g: 1 }, { g: 2 }]) await c.add({ data });
  assert.deepEqual(await c.where({ g: 1 }).remove(), { stats: { removed: 2 }, errMsg: 'collection.remove:ok' });
  assert.deepEqual((await c.get()).data.map((d) => d.g), [2]);
  assert.deepEqual(await c.where({ g: 7 }).remove(), { stats: { removed: 0 }, errMsg: 'collection.remove:ok' });
});
