// collection.aggregate() against a real minibase (spec §1.10): the stage
// builder, end()'s {list, errMsg: 'collection.aggregate:ok'}, CloudBase's
// default of 20 documents without a limit stage, db.command.aggregate
// expressions and sub-pipelines, dates back as Date, failures as
// 'collection.aggregate:fail …', and rules on the client — lookup included,
// which CloudBase refuses there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import cloud, { Auth, Client, CloudError, Database, fetchAdapter, memoryKV } from '../dist/minibase.mjs';
import { failure } from './helpers/failure.mjs';

let srv, db, _, $;

before(async () => {
  srv = await startServer();
  cloud.init({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  db = cloud.database();
  _ = db.command;
  $ = _.aggregate;
  const sales = [];
  for (let i = 0; i < 30; i++) {
    sales.push({ _id: 's' + String(i).padStart(2, '0'), item: ['abc', 'jkl', 'xyz'][i % 3], qty: i, at: new Date(Date.UTC(2024, 0, 1 + i)) });
  }
  for (const s of sales) await db.collection('sales').add({ data: s });
  await db.collection('items').add({ data: { _id: 'abc', name: 'Almonds' } });
  await db.collection('items').add({ data: { _id: 'jkl', name: 'Jam' } });
});
after(() => srv?.stop());

test('end() resolves {list, errMsg} with the stages applied', async () => {
  const r = await db
    .collection('sales')
    .aggregate()
    .match({ qty: _.gte(10) })
    .group({ _id: '$item', total: $.sum('$qty'), n: $.sum(1) })
    .sort({ _id: 1 })
    .end();
  assert.deepEqual(r, {
    list: [
      { _id: 'abc', total: 12 + 15 + 18 + 21 + 24 + 27, n: 6 },
      { _id: 'jkl', total: 10 + 13 + 16 + 19 + 22 + 25 + 28, n: 7 },
      { _id: 'xyz', total: 11 + 14 + 17 + 20 + 23 + 26 + 29, n: 7 },
    ],
    errMsg: 'collection.aggregate:ok',
  });
});

test('without a limit stage the list stops at 20, as in CloudBase; limit() says otherwise', async () => {
  const c = db.collection('sales');
  assert.equal((await c.aggregate().project({ _id: 1 }).end()).list.length, 20);
  assert.equal((await c.aggregate().project({ _id: 1 }).limit(25).end()).list.length, 25);
  assert.equal((await c.aggregate().count('n').end()).list[0].n, 30);
});

test('expressions, dates and sub-pipelines', async () => {
  const { list } = await db
    .collection('sales')
    .aggregate()
    .match(_.expr($.eq([$.dayOfMonth('$at'), 3])))
    .project({ _id: 0, item: 1, at: 1, day: $.dateToString({ date: '$at', format: '%Y-%m-%d' }), after: $.gt(['$at', new Date(Date.UTC(2023, 0, 1))]) })
    .lookup({
      from: 'items',
      let: { item: '$item' },
      pipeline: $.pipeline().match(_.expr($.eq(['$_id', '$$item']))).project({ _id: 0, name: 1 }).done(),
      as: 'info',
    })
    .end();
  assert.deepEqual(list, [{ item: 'xyz', at: new Date(Date.UTC(2024, 0, 3)), day: '2024-01-03', after: true, info: [] }]);
  assert.ok(list[0].at instanceof Date, 'extended-JSON dates come back as Date');

  const f = await db
    .collection('sales')
    .aggregate()
    .facet({ byItem: $.pipeline().sortByCount('$item').done(), first: [{ $sort: { qty: 1 } }, { $limit: 1 }, { $project: { qty: 1 } }] })
    .end();
  assert.deepEqual(f.list, [{ byItem: [{ _id: 'abc', count: 10 }, { _id: 'jkl', count: 10 }, { _id: 'xyz', count: 10 }], first: [{ _id: 's00', qty: 0 }] }]);
});

test('every stage method appends its stage', () => {
  const p = $.pipeline()
    .addFields({ a: 1 }).bucket({ groupBy: '$a', boundaries: [0, 1] }).bucketAuto({ groupBy: '$a', buckets: 2 }).count('n')
    .facet({ x: [] }).geoNear({ near: new db.Geo.Point(1, 2), distanceField: 'd' }).group({ _id: null })
    .limit(1).lookup({ from: 'c', localField: 'a', foreignField: 'b', as: 'j' }).match({ a: { b: 1 } })
    .project({ a: 1 }).replaceRoot({ newRoot: '$a' }).replaceWith('$a').sample({ size: 1 }).set({ b: 2 }).skip(1)
    .sort({ a: -1 }).sortByCount('$a').unset('a').unwind('$a')
    .done();
  assert.deepEqual(p.map((s) => Object.keys(s)[0]), ['$addFields', '$bucket', '$bucketAuto', '$count', '$facet', '$geoNear',
    '$group', '$limit', '$lookup', '$match', '$project', '$replaceRoot', '$replaceWith', '$sample', '$set', '$skip',
    '$sort', '$sortByCount', '$unset', '$unwind']);
  assert.deepEqual(p[5].$geoNear.near, { type: 'Point', coordinates: [1, 2] });
  assert.deepEqual(p[9].$match, { 'a.b': 1 }, 'match() encodes as where() does');
});

test('failures are collection.aggregate:fail CloudErrors; callbacks work', async () => {
  const e = await failure(db.collection('sales').aggregate().group({ n: $.sum(1) }).end());
  assert.ok(e instanceof CloudError);
  assert.equal(e.errCode, -501007);
  assert.match(e.errMsg, /^collection\.aggregate:fail -501007 .*_id/);
  const g = await failure(db.collection('sales').aggregate().geoNear({ near: new db.Geo.Point(0, 0), distanceField: 'd' }).end());
  assert.equal(g.errCode, -502002);
  assert.match(g.errMsg, /^collection\.aggregate:fail -502002 .*needs a 2dsphere index/);
  const seen = await new Promise((resolve) => {
    const ret = db.collection('sales').aggregate().count('n').end({ success: (r) => resolve({ ret, r }) });
  });
  assert.equal(seen.ret, undefined);
  assert.deepEqual(seen.r, { list: [{ n: 30 }], errMsg: 'collection.aggregate:ok' });
});

test('geoNear: the nearest shops with their distances in metres, under a 2dsphere index (§1.10)', async () => {
  const shops = db.collection('agg_shops');
  const at = (lng, lat) => new db.Geo.Point(lng, lat);
  await shops.add({ data: { _id: 's3', kind: 'tea', location: at(113.35, 23.15) } });
  await shops.add({ data: { _id: 's1', kind: 'tea', location: at(113.326, 23.135) } });
  await shops.add({ data: { _id: 'far', kind: 'noodles', location: at(113.15, 23.1) } });
  await shops.add({ data: { _id: 's2', kind: 'noodles', location: at(113.33, 23.14) } });
  const admin = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  await admin.request('index', 'POST', '/v1/admin/collections/agg_shops/indexes', { keys: { location: '2dsphere' } });
  const here = at(113.3245, 23.1365);

  // The haversine distances from here: s1 226.8 m, s2 684.7 m, s3 3011.9 m, far 18321.5 m.
  const { list, errMsg } = await shops
    .aggregate()
    .geoNear({ near: here, spherical: true, distanceField: 'distance', includeLocs: 'at' })
    .limit(5)
    .end();
  assert.equal(errMsg, 'collection.aggregate:ok');
  assert.deepEqual(list.map((d) => d._id), ['s1', 's2', 's3', 'far']);
  assert.deepEqual(list.map((d) => Math.round(d.distance)), [227, 685, 3012, 18321]);
  assert.ok(list[0].at instanceof db.Geo.Point, 'includeLocs gives the stored location, a Geo.Point');
  assert.deepEqual([list[0].at.longitude, list[0].at.latitude], [113.326, 23.135]);

  // maxDistance, query and distanceMultiplier, then db.command.aggregate expressions.
  const km = await shops
    .aggregate()
    .geoNear({ near: here, distanceField: 'km', distanceMultiplier: 0.001, maxDistance: 5000, query: { kind: 'tea' } })
    .project({ _id: 1, km: $.trunc(['$km', 2]) })
    .end();
  assert.deepEqual(km.list, [{ _id: 's1', km: 0.22 }, { _id: 's3', km: 3.01 }]);

  const e = await failure(shops.aggregate().match({ kind: 'tea' }).geoNear({ near: here, distanceField: 'd' }).end());
  assert.equal(e.errCode, -502002);
  assert.match(e.errMsg, /\$geoNear is only valid as the first stage in a pipeline/);
});

test('a client aggregates what its rules let it read, and looks up likewise', async () => {
  const admin = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  await admin.request('createCollection', 'POST', '/v1/admin/collections', { name: 'notes' });
  await admin.request('rules', 'PUT', '/v1/admin/collections/notes/rules', { read: 'doc._openid == auth.openid', write: 'doc._openid == auth.openid' });
  await admin.request('rules', 'PUT', '/v1/admin/collections/items/rules', { preset: 'READONLY' });
  const client = new Client({ endpoint: srv.endpoint, adapter: { ...fetchAdapter(), storage: memoryKV() } });
  const auth = new Auth(client);
  client.setTokenSource(auth.tokens);
  await auth.signInAnonymously();
  const mine = new Database(client);
  await mine.collection('notes').add({ data: { _id: 'n1', item: 'abc' } });
  await db.collection('notes').add({ data: { _id: 'other', _openid: 'someone', item: 'jkl' } });

  const denied = await failure(mine.collection('notes').aggregate().count('n').end());
  assert.equal(denied.errCode, -502003);
  assert.match(denied.errMsg, /^collection\.aggregate:fail -502003 .*_openid/);

  const { list } = await mine
    .collection('notes')
    .aggregate()
    .match({ _openid: '{openid}' })
    .lookup({ from: 'items', localField: 'item', foreignField: '_id', as: 'i' })
    .project({ name: '$i.name' })
    .end();
  assert.deepEqual(list, [{ _id: 'n1', name: ['Almonds'] }]);
});
