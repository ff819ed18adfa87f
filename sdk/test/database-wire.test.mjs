// What the database API sends: method, path and body of each call, against
// a local server that records requests and answers like minibase. Checks
// the wx.cloud client defaults (limit 20, multi: true) and the endpoints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { localServer } from './helpers/local.mjs';
import cloud from '../dist/minibase.mjs';

let srv;
let db;

// Answers as minibase would, by endpoint.
function answer(r, res) {
  const path = r.url.replace(/^\/v1\/db\/[^/]+/, '');
  const bodies = {
    '/query': { data: [] },
    '/count': { total: 0 },
    '/insert': { _id: 'new' },
    '/update': { stats: { updated: 1, matched: 1 } },
    '/remove': { stats: { removed: 1 } },
  };
  let body = bodies[path];
  if (!body && path.startsWith('/docs/')) {
    body = r.method === 'GET' ? { data: { _id: 'x' } }
      : r.method === 'PUT' ? { _id: decodeURIComponent(path.slice(6)), stats: { updated: 1, created: 0 } }
      : { stats: { removed: 1 } };
  }
  res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body ?? { code: 'NOT_FOUND', errCode: -1, message: 'no route' }));
}

before(async () => {
  srv = await localServer(answer);
  cloud.init({ endpoint: srv.url, accessToken: 'test-key' });
  db = cloud.database();
});
after(() => srv?.close());

// last returns the last request, its body parsed.
function last() {
  const r = srv.requests[srv.requests.length - 1];
  return { method: r.method, url: r.url, body: r.body ? JSON.parse(r.body) : undefined, headers: r.headers };
}

test('get sends limit 20 unless limit() is called; a larger limit is sent as is', async () => {
  const _ = db.command;
  await db.collection('todos').get();
  assert.deepEqual(last(), {
    method: 'POST', url: '/v1/db/todos/query', body: { limit: 20 }, headers: last().headers,
  });
  assert.equal(last().headers.authorization, 'Bearer test-key');
  await db.collection('todos').where({ done: false, due: _.lt(new Date(5)) }).orderBy('due', 'asc').orderBy('title', 'desc')
    .skip(40).limit(100).field({ title: true, body: false }).get();
  assert.deepEqual(last().body, {
    limit: 100,
    filter: { done: false, due: { $lt: { $date: 5 } } },
    sort: [['due', 1], ['title', -1]],
    skip: 40,
    projection: { title: 1, body: 0 },
  });
  await db.collection('todos').limit(0).skip(0).get();
  assert.deepEqual(last().body, { limit: 20 });
});

test('count sends only the filter', async () => {
  await db.collection('todos').where({ a: 1 }).orderBy('a', 'asc').limit(3).count();
  assert.deepEqual(last(), { method: 'POST', url: '/v1/db/todos/count', body: { filter: { a: 1 } }, headers: last().headers });
  await db.collection('todos').count();
  assert.deepEqual(last().body, {});
});

test('where().update and where().remove act on every match (multi: true), as wx.cloud', async () => {
  const _ = db.command;
  await db.collection('todos').where({ done: true }).update({ data: { n: _.inc(1), style: { color: 'red' } } });
  assert.deepEqual(last(), {
    method: 'POST',
    url: '/v1/db/todos/update',
    body: { filter: { done: true }, update: { $inc: { n: 1 }, $set: { 'style.color': 'red' } }, multi: true },
    headers: last().headers,
  });
  await db.collection('todos').update({ data: { x: 1 } });
  assert.deepEqual(last().body, { filter: {}, update: { $set: { x: 1 } }, multi: true });
  await db.collection('todos').where({ done: true }).remove();
  assert.deepEqual(last(), { method: 'POST', url: '/v1/db/todos/remove', body: { filter: { done: true }, multi: true }, headers: last().headers });
});

test('remove ignores skip, limit, orderBy and field, with the original warning', async (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  await db.collection('todos').where({ a: 1 }).skip(1).limit(2).orderBy('a', 'asc').field({ a: true }).remove();
  assert.deepEqual(last().body, { filter: { a: 1 }, multi: true });
  assert.equal(warn.mock.callCount(), 1);
  assert.equal(warn.mock.calls[0].arguments[0], '`offset`, `limit`, `projection`, `orderBy` are not supported in remove() operation');
  await db.collection('todos').where({ a: 1 }).remove();
  assert.equal(warn.mock.callCount(), 1);
});

test('add sends the document with extended JSON values', async () => {
  const d = new Date(Date.UTC(2026, 11, 1, 9));
  const r = await db.collection('todos').add({ data: { title: 'x', due: d, at: db.serverDate({ offset: 5 }), loc: db.Geo.Point(1, 2), re: db.RegExp({ regexp: 'a', options: 'i' }) } });
  assert.deepEqual(r, { _id: 'new', errMsg: 'collection.add:ok' });
  assert.deepEqual(last(), {
    method: 'POST',
    url: '/v1/db/todos/insert',
    body: {
      data: {
        title: 'x',
        due: { $date: d.getTime() },
        at: { $serverDate: { offset: 5 } },
        loc: { type: 'Point', coordinates: [1, 2] },
        re: { $regex: 'a', $options: 'i' },
      },
    },
    headers: last().headers,
  });
});

test('document calls: GET, PUT and DELETE on docs/{id} (URL-encoded), update through POST …/update', async () => {
  const doc = db.collection('todos').doc('a b/ü');
  const path = '/v1/db/todos/docs/a%20b%2F%C3%BC';
  await doc.get();
  assert.deepEqual([last().method, last().url, last().body], ['GET', path, undefined]);
  await doc.set({ data: { n: 1, nested: { a: 1 } } });
  assert.deepEqual([last().method, last().url, last().body], ['PUT', path, { data: { n: 1, nested: { a: 1 } } }]);
  await doc.update({ data: { nested: { a: 2 } } });
  // wx.request and my.request have no PATCH.
  assert.deepEqual([last().method, last().url, last().body], [
    'POST', '/v1/db/todos/update', { filter: { _id: 'a b/ü' }, update: { $set: { 'nested.a': 2 } }, multi: false },
  ]);
  await doc.remove();
  assert.deepEqual([last().method, last().url, last().body], ['DELETE', path, undefined]);
});

test('numeric ids travel as strings; field() on a document queries with a projection', async () => {
  await db.collection('todos').doc(5).get();
  assert.equal(last().url, '/v1/db/todos/docs/5');
  await db.collection('todos').doc(5).update({ data: { a: 1 } });
  assert.deepEqual(last().body.filter, { _id: '5' });
  srv.requests.length = 0;
  await db.collection('todos').doc(5).field({ title: true, tags: db.command.project.slice(2) }).get().catch(() => {});
  assert.deepEqual(last(), {
    method: 'POST',
    url: '/v1/db/todos/query',
    body: { filter: { _id: '5' }, projection: { title: 1, tags: { $slice: 2 } }, limit: 1 },
    headers: last().headers,
  });
});

test('collection names are URL-encoded in the path', async () => {
  await db.collection('my coll').count();
  assert.equal(last().url, '/v1/db/my%20coll/count');
});

test('a rejected call sends nothing', async () => {
  srv.requests.length = 0;
  await assert.rejects(db.collection('t').doc('x').update({ data: {} }));
  await assert.rejects(db.collection('t').doc('').get());
  await assert.rejects(db.collection('t').doc('x').set({ data: { a: db.command.inc(1) } }));
  await assert.rejects(db.collection('t').add({ data: 'nope' }));
  assert.equal(srv.requests.length, 0);
});
