// Every query command and builder rule against a real minibase: documents
// are inserted, the query runs, and the test checks which come back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import cloud from '../dist/minibase.mjs';

let srv;
let db;
let _;

const DOCS = [
  {
    _id: 'a', n: 1, s: 'apple', tags: ['x', 'y'], nums: [1, 5], style: { color: 'red', size: 'S' },
    objs: [{ a: 1, b: 'p' }, { a: 5, b: 'q' }], d: new Date('2024-01-01T00:00:00Z'),
  },
  {
    _id: 'b', n: 2, s: 'Banana', tags: ['y'], nums: [10], style: { color: 'blue', size: 'M' },
    objs: [{ a: 2, b: 'p' }], d: new Date('2024-06-01T00:00:00Z'),
  },
  { _id: 'c', n: 3, s: 'cherry', tags: ['x', 'y', 'z'], nums: [3, 30], style: { color: 'red' }, objs: [], d: new Date('2025-01-01T00:00:00Z') },
  { _id: 'd', n: 10, s: 'date\nfruit', tags: [], style: { color: 'green', size: 'L' } },
  { _id: 'e', s: 'elder' },
];

before(async () => {
  srv = await startServer();
  cloud.init({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  db = cloud.database();
  _ = db.command;
  for (const data of DOCS) await db.collection('fruit').add({ data });
});
after(() => srv?.stop());

async function ids(cond) {
  const r = await db.collection('fruit').where(cond).get();
  assert.equal(r.errMsg, 'collection.get:ok');
  return r.data.map((d) => d._id).sort();
}

test('plain conditions: equality, nested objects by dot path, arrays by element or exactly (§1.3, §1.9)', async () => {
  const cases = [
    [{ n: 1 }, ['a']],
    [{ style: { color: 'red' } }, ['a', 'c']],
    [{ style: { color: 'red', size: 'S' } }, ['a']],
    [{ style: _.eq({ color: 'red' }) }, ['c']],
    [{ 'style.size': 'M' }, ['b']],
    [{ tags: 'z' }, ['c']],
    [{ tags: ['x', 'y'] }, ['a']],
    [{ 'tags.1': 'y' }, ['a', 'c']],
    [{ 'objs.a': 5 }, ['a']],
    [{ objs: { a: 2 } }, ['b']],
    [{ n: 1, gone: undefined }, ['a']],
    [{ d: new Date('2024-06-01T00:00:00Z') }, ['b']],
    [{}, ['a', 'b', 'c', 'd', 'e']],
  ];
  for (const [cond, want] of cases) assert.deepEqual(await ids(cond), want, JSON.stringify(cond));
});

test('comparison and set commands', async () => {
  const cases = [
    [{ n: _.eq(2) }, ['b']],
    [{ n: _.neq(1) }, ['b', 'c', 'd', 'e']],
    [{ n: _.lt(3) }, ['a', 'b']],
    [{ n: _.lte(3) }, ['a', 'b', 'c']],
    [{ n: _.gt(2) }, ['c', 'd']],
    [{ n: _.gte(2) }, ['b', 'c', 'd']],
    [{ n: _.in([1, 10]) }, ['a', 'd']],
    [{ n: _.nin([1, 10]) }, ['b', 'c', 'e']],
    [{ tags: _.in(['z']) }, ['c']],
    [{ d: _.gte(new Date('2024-06-01T00:00:00Z')) }, ['b', 'c']],
    [{ d: _.lt(new Date('2024-06-01T00:00:00Z')) }, ['a']],
  ];
  for (const [cond, want] of cases) assert.deepEqual(await ids(cond), want, JSON.stringify(cond));
});

test('element, evaluation and array commands', async () => {
  const cases = [
    [{ n: _.exists(false) }, ['e']],
    [{ n: _.exists(true) }, ['a', 'b', 'c', 'd']],
    [{ n: _.mod(2, 0) }, ['b', 'd']],
    [{ n: _.mod([5, 0]) }, ['d']],
    [{ tags: _.all(['x', 'y']) }, ['a', 'c']],
    [{ tags: _.size(1) }, ['b']],
    [{ tags: _.size(0) }, ['d']],
    [{ objs: _.elemMatch({ a: _.gt(1), b: 'p' }) }, ['b']],
    [{ objs: _.elemMatch({ a: _.gte(5) }) }, ['a']],
    [{ nums: _.elemMatch(_.gt(4).lt(8)) }, ['a']],
    // Without elemMatch, conditions on an array may be met by different elements.
    [{ nums: _.gt(4).lt(8) }, ['a', 'c']],
    [{ objs: _.all([_.elemMatch({ a: 1 }), _.elemMatch({ b: 'q' })]) }, ['a']],
    [{ tags: _.exists(true).size(3) }, ['c']],
  ];
  for (const [cond, want] of cases) assert.deepEqual(await ids(cond), want, JSON.stringify(cond));
});

test('chaining and field-level logic', async () => {
  const cases = [
    [{ n: _.gt(1).and(_.lt(10)) }, ['b', 'c']],
    [{ n: _.gt(1).lt(10) }, ['b', 'c']],
    [{ n: _.and(_.gt(1), _.lt(10)) }, ['b', 'c']],
    [{ n: _.and([_.gt(1), _.lt(10)]) }, ['b', 'c']],
    [{ n: _.lt(2).or(_.gt(5)) }, ['a', 'd']],
    [{ n: _.or(_.lt(2), _.gt(5)) }, ['a', 'd']],
    [{ n: _.gt(0).and(_.lt(3)).or(_.eq(10)) }, ['a', 'b', 'd']],
    [{ n: _.nor([_.lt(2), _.gt(5)]) }, ['b', 'c', 'e']],
    [{ n: _.not(_.gt(2)) }, ['a', 'b', 'e']],
    [{ n: _.not(_.gt(1).or(_.lt(-5))) }, ['a', 'e']],
    [{ s: _.not(/^[a-c]/) }, ['b', 'd', 'e']],
    [{ n: _.gt(1).and(_.gt(2)) }, ['c', 'd']],
    [{ n: _.gt(1), style: { color: _.in(['red', 'green']) } }, ['c', 'd']],
    [{ style: { color: 'red', size: _.exists(true) } }, ['a']],
    [{ style: _.or([{ color: 'blue' }, { size: 'L' }]) }, ['b', 'd']],
  ];
  for (const [cond, want] of cases) assert.deepEqual(await ids(cond), want, JSON.stringify(cond));
});

test('top-level logic commands', async () => {
  const cases = [
    [_.or([{ n: 1 }, { 'style.color': 'green' }]), ['a', 'd']],
    [_.or({ n: 1 }, { style: { color: 'blue' } }), ['a', 'b']],
    [_.and([{ style: { color: 'red' } }, { n: _.gt(1) }]), ['c']],
    [_.nor([{ n: 1 }, { n: 2 }]), ['c', 'd', 'e']],
    [_.not({ n: _.gt(2) }), ['a', 'b', 'e']],
    [_.or([{ n: _.lt(2) }, _.and([{ n: _.gt(2) }, { tags: 'z' }])]), ['a', 'c']],
  ];
  for (const [cond, want] of cases) assert.deepEqual(await ids(cond), want, JSON.stringify(cond));
});

test('regular expressions: JS RegExp and db.RegExp, flags i, m, s (§1.6)', async () => {
  const cases = [
    [{ s: /^b/ }, []],
    [{ s: /^b/i }, ['b']],
    [{ s: /an/g }, ['b']],
    [{ s: db.RegExp({ regexp: '^B' }) }, ['b']],
    [{ s: new db.RegExp({ regexp: '^(apple|cherry)$', options: 'i' }) }, ['a', 'c']],
    [{ s: db.RegExp({ regexp: 'date.fruit', options: 's' }) }, ['d']],
    [{ s: db.RegExp({ regexp: 'date.fruit' }) }, []],
    [{ s: /^fruit/m }, ['d']],
    [{ s: /^fruit/ }, []],
  ];
  for (const [cond, want] of cases) assert.deepEqual(await ids(cond), want, String(cond.s));
});

test('orderBy accumulates keys; skip, limit and field shape the page', async () => {
  const c = db.collection('fruit');
  const page = await c.where({ n: _.exists(true) }).orderBy('style.color', 'asc').orderBy('n', 'desc').get();
  assert.deepEqual(page.data.map((d) => d._id), ['b', 'd', 'c', 'a']);
  const r = await c.orderBy('n', 'asc').skip(1).limit(2).field({ n: true, tags: _.project.slice(1) }).get();
  assert.deepEqual(r, {
    data: [
      { _id: 'a', n: 1, tags: ['x'] },
      { _id: 'b', n: 2, tags: ['y'] },
    ],
    errMsg: 'collection.get:ok',
  });
  const dropped = await c.where({ _id: 'a' }).field({ objs: false, style: 0, d: false, nums: false, tags: false }).get();
  assert.deepEqual(dropped.data, [{ _id: 'a', n: 1, s: 'apple' }]);
  const sliced = await c.where({ _id: 'c' }).field({ tags: _.project.slice([1, 1]) }).get();
  assert.deepEqual(sliced.data[0].tags, ['y']);
});

test('get returns 20 documents unless limit() says otherwise; the server caps a limit at 1000', async () => {
  const c = db.collection('many');
  for (let i = 0; i < 25; i++) await c.add({ data: { i } });
  assert.equal((await c.get()).data.length, 20);
  assert.equal((await c.limit(25).get()).data.length, 25);
  assert.equal((await c.limit(5000).get()).data.length, 25);
  assert.deepEqual((await c.orderBy('i', 'asc').skip(20).get()).data.map((d) => d.i), [20, 21, 22, 23, 24]);
  assert.deepEqual(await c.where({ i: _.gte(10) }).count(), { total: 15, errMsg: 'collection.count:ok' });
});

test('queries are immutable: each call returns a new query, and a query can be reused', async () => {
  const c = db.collection('fruit');
  const base = c.where({ n: _.exists(true) });
  const asc = base.orderBy('n', 'asc');
  const desc = base.orderBy('n', 'desc');
  const two = asc.limit(2);
  assert.notEqual(base, asc);
  assert.deepEqual((await asc.get()).data.map((d) => d._id), ['a', 'b', 'c', 'd']);
  assert.deepEqual((await desc.get()).data.map((d) => d._id), ['d', 'c', 'b', 'a']);
  assert.deepEqual((await two.get()).data.map((d) => d._id), ['a', 'b']);
  assert.deepEqual((await asc.get()).data.map((d) => d._id), ['a', 'b', 'c', 'd']);
  assert.equal((await base.count()).total, 4);
  // where() replaces the conditions, it does not add to them.
  assert.deepEqual((await base.where({ n: 1 }).get()).data.map((d) => d._id), ['a']);
  // The collection itself is untouched.
  assert.equal((await c.count()).total, 5);
});

test('geo queries: geoNear nearest first with a 2dsphere index, geoWithin, geoIntersects (§1.6, §1.7)', async () => {
  const shops = db.collection('shops');
  const at = (lng, lat) => db.Geo.Point(lng, lat);
  await shops.add({ data: { _id: 's3', location: at(113.35, 23.15) } });
  await shops.add({ data: { _id: 's1', location: at(113.326, 23.135) } });
  await shops.add({ data: { _id: 'far', location: at(113.15, 23.1) } });
  await shops.add({ data: { _id: 's2', location: at(113.33, 23.14) } });
  const here = at(113.3245, 23.1365);
  // geoNear needs a 2dsphere index, as in CloudBase: refused without one.
  const e = await shops.where({ location: _.geoNear({ geometry: here }) }).get().then(() => assert.fail('resolved'), (e) => e);
  assert.equal(e.errCode, -502002);
  assert.match(e.errMsg, /^collection\.get:fail -502002 database invalid command\. \$nearSphere \(geoNear\) needs a 2dsphere index on "location"/);
  const res = await fetch(`${srv.endpoint}/v1/admin/collections/shops/indexes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${srv.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ keys: { location: '2dsphere' } }),
  });
  assert.equal(res.status, 200);

  const near = await shops.where({ location: _.geoNear({ geometry: here }) }).get();
  assert.equal(near.errMsg, 'collection.get:ok');
  assert.deepEqual(near.data.map((d) => d._id), ['s1', 's2', 's3', 'far']);
  assert.ok(near.data[0].location instanceof db.Geo.Point);
  assert.deepEqual([near.data[0].location.longitude, near.data[0].location.latitude], [113.326, 23.135]);
  const within1km = await shops.where({ location: _.geoNear({ geometry: here, maxDistance: 1000 }) }).get();
  assert.deepEqual(within1km.data.map((d) => d._id), ['s1', 's2']);
  const beyond500m = await shops.where({ location: _.geoNear({ geometry: here, minDistance: 500, maxDistance: 5000 }) }).limit(1).get();
  assert.deepEqual(beyond500m.data.map((d) => d._id), ['s2']);

  const ring = [[113.32, 23.13], [113.34, 23.13], [113.34, 23.145], [113.32, 23.145], [113.32, 23.13]];
  const zone = db.Geo.Polygon([db.Geo.LineString(ring.map(([lng, lat]) => at(lng, lat)))]);
  const byID = (q) => q.orderBy('_id', 'asc').get().then((r) => r.data.map((d) => d._id));
  assert.deepEqual(await byID(shops.where({ location: _.geoWithin({ geometry: zone }) })), ['s1', 's2']);
  assert.deepEqual(await byID(shops.where({ location: _.geoWithin({ centerSphere: [here, 0.0005] }) })), ['s1', 's2', 's3']);
  assert.deepEqual(await byID(shops.where({ location: _.geoWithin({ centerSphere: [[113.3245, 23.1365], 0.0005] }) })), ['s1', 's2', 's3']);
  assert.deepEqual(await byID(shops.where({ location: _.geoIntersects({ geometry: zone }) })), ['s1', 's2']);
  assert.equal((await shops.where({ location: _.geoWithin({ geometry: zone }) }).count()).total, 2);
});

test('_.expr compares fields of one document', async () => {
  const c = db.collection('budgets');
  await c.add({ data: { _id: 'over', budget: 100, spent: 150 } });
  await c.add({ data: { _id: 'under', budget: 100, spent: 50 } });
  const $ = _.aggregate;
  const { data } = await c.where(_.expr($.gt(['$spent', '$budget']))).get();
  assert.deepEqual(data, [{ _id: 'over', budget: 100, spent: 150 }]);
  const both = await c.where(_.and([{ budget: 100 }, _.expr($.lt(['$spent', '$budget']))])).count();
  assert.equal(both.total, 1);
});
