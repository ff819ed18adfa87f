// query.watch() against a real minibase over Node's WebSocket: wx.cloud's
// snapshots (spec §2.5), orderBy and limit, a dropped connection resumed
// without a gap or a repeat, and the errors that end a watch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import { startProxy } from './helpers/proxy.mjs';
import { watching } from './helpers/watching.mjs';
import cloud, { Auth, Client, Database } from '../dist/minibase.mjs';

let srv, proxy, db;

before(async () => {
  srv = await startServer();
  proxy = await startProxy(srv.endpoint); // the SDK's connections go through it
  cloud.init({ endpoint: proxy.endpoint, accessToken: srv.adminKey });
  db = cloud.database();
});
after(async () => {
  await proxy?.close();
  await srv?.stop();
});

// admin sends a request straight to the server as the admin.
async function admin(method, path, body) {
  const r = await fetch(srv.endpoint + path, {
    method,
    headers: { Authorization: 'Bearer ' + srv.adminKey, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(data)}`);
  return data;
}

const ids = (docs) => docs.map((d) => d._id);
const kinds = (s) => s.docChanges.map((c) => `${c.dataType}/${c.queueType} ${c.docId}`);

test("snapshots have wx.cloud's shape: init, then one per change (§2.5)", async () => {
  await admin('POST', '/v1/db/rt/insert', { data: [{ _id: 'a', room: 1, at: { $date: '2024-05-01T08:00:00Z' } }, { _id: 'x', room: 2 }] });
  const w = watching(db.collection('rt').where({ room: 1 }));
  const init = await w.next();
  assert.deepEqual(Object.keys(init), ['id', 'docChanges', 'docs', 'type']);
  assert.equal(init.type, 'init');
  assert.deepEqual(ids(init.docs), ['a']);
  assert.ok(init.docs[0].at instanceof Date, 'dates come as Date objects');
  assert.deepEqual(init.docChanges, [{ id: init.id, queueType: 'init', dataType: 'init', docId: 'a', doc: init.docs[0] }]);

  await admin('POST', '/v1/db/rt/insert', { data: { _id: 'b', room: 1, n: 1 } });
  const add = await w.next();
  assert.deepEqual(Object.keys(add), ['id', 'docChanges', 'docs'], 'only the first snapshot has a type');
  assert.equal(add.id, init.id + 1);
  assert.deepEqual(add.docChanges, [{ id: add.id, queueType: 'enqueue', dataType: 'add', docId: 'b', doc: { _id: 'b', room: 1, n: 1 } }]);
  assert.deepEqual(ids(add.docs), ['b', 'a'], 'without orderBy: _id descending');

  await admin('POST', '/v1/db/rt/update', { filter: { _id: 'b' }, update: { $inc: { n: 1 }, $set: { when: { $date: '2024-06-01T00:00:00Z' } } } });
  const upd = await w.next();
  const c = upd.docChanges[0];
  assert.deepEqual(Object.keys(c), ['id', 'queueType', 'dataType', 'docId', 'doc', 'updatedFields', 'removedFields']);
  assert.deepEqual([c.dataType, c.queueType, c.removedFields], ['update', 'update', []]);
  assert.equal(c.updatedFields.n, 2);
  assert.ok(c.updatedFields.when instanceof Date);
  assert.equal(c.doc.n, 2, 'the document, patched with updatedFields');
  assert.equal(upd.docs[0], c.doc);

  await admin('PUT', '/v1/db/rt/docs/b', { data: { room: 1, replaced: true } });
  assert.deepEqual((await w.next()).docChanges[0].doc, { _id: 'b', room: 1, replaced: true });
  await admin('DELETE', '/v1/db/rt/docs/b');
  const rm = await w.next();
  assert.deepEqual(kinds(rm), ['remove/dequeue b']);
  assert.deepEqual(rm.docChanges[0].doc, { _id: 'b', room: 1, replaced: true }, 'a removed document is the one the list had');
  assert.deepEqual(ids(rm.docs), ['a']);
  await w.watcher.close();
});

test('orderBy and limit: docs stay in order; documents pushed out and pulled in are limit changes', async () => {
  await admin('POST', '/v1/db/top/insert', { data: [{ _id: 'a', s: 5 }, { _id: 'b', s: 4 }, { _id: 'c', s: 3 }, { _id: 'd', s: 2 }] });
  const w = watching(db.collection('top').orderBy('s', 'desc').limit(3));
  assert.deepEqual(ids((await w.next()).docs), ['a', 'b', 'c']);
  await admin('POST', '/v1/db/top/insert', { data: { _id: 'e', s: 4.5 } });
  let s = await w.next();
  assert.deepEqual(kinds(s), ['add/enqueue e', 'limit/dequeue c']);
  assert.deepEqual(ids(s.docs), ['a', 'e', 'b']);
  await admin('POST', '/v1/db/top/update', { filter: { _id: 'a' }, update: { $set: { s: 1 } } });
  s = await w.next();
  assert.deepEqual(kinds(s), ['update/dequeue a', 'limit/enqueue c']);
  assert.deepEqual(ids(s.docs), ['e', 'b', 'c']);
  await admin('POST', '/v1/db/top/update', { filter: { _id: 'c' }, update: { $set: { s: 9 } } });
  assert.deepEqual(ids((await w.next()).docs), ['c', 'e', 'b']);
  await w.watcher.close();
});

test('a dropped connection is made again and the watch resumes: no change lost, none repeated', async () => {
  await admin('POST', '/v1/db/feed/insert', { data: { _id: '00' } });
  const w = watching(db.collection('feed').orderBy('_id', 'asc'));
  const init = await w.next();
  let last = init.id;
  const seen = [];
  const take = async (n) => {
    for (let i = 0; i < n; i++) {
      const s = await w.next();
      assert.equal(s.id, last + 1, 'snapshot ids follow each other');
      last = s.id;
      seen.push(...kinds(s));
    }
  };
  await admin('POST', '/v1/db/feed/insert', { data: { _id: '01' } });
  await take(1);
  proxy.drop(); // mid-stream
  for (const id of ['02', '03', '04']) await admin('POST', '/v1/db/feed/insert', { data: { _id: id } });
  await admin('DELETE', '/v1/db/feed/docs/01');
  await take(4);
  proxy.drop();
  proxy.drop();
  await admin('POST', '/v1/db/feed/insert', { data: { _id: '05' } });
  await take(1);
  assert.deepEqual(seen, ['add/enqueue 01', 'add/enqueue 02', 'add/enqueue 03', 'add/enqueue 04', 'remove/dequeue 01', 'add/enqueue 05']);
  const { data } = await db.collection('feed').orderBy('_id', 'asc').get();
  assert.deepEqual(ids(data), ['00', '02', '03', '04', '05']);
  await w.watcher.close();
});

test('doc(id).watch watches one document', async () => {
  await admin('POST', '/v1/db/one/insert', { data: [{ _id: 'me', v: 1 }, { _id: 'other', v: 1 }] });
  const w = watching(db.collection('one').doc('me'));
  assert.deepEqual(ids((await w.next()).docs), ['me']);
  await admin('POST', '/v1/db/one/update', { filter: {}, update: { $inc: { v: 1 } }, multi: true });
  const s = await w.next();
  assert.deepEqual(kinds(s), ['update/update me']);
  assert.equal(s.docs[0].v, 2);
  await w.watcher.close();
});

test('close() stops the callbacks', async () => {
  await admin('POST', '/v1/db/stop/insert', { data: { _id: 'a' } });
  const w = watching(db.collection('stop'));
  await w.next();
  const other = watching(db.collection('stop'));
  await other.next();
  await w.watcher.close();
  await admin('POST', '/v1/db/stop/insert', { data: { _id: 'b' } });
  await other.next(); // the other watch of the connection got it: the closed one had its chance
  assert.equal(w.pending(), 0);
  await other.watcher.close();
});

test('watch() needs onChange and onError', () => {
  assert.throws(() => db.collection('x').watch({ onChange() {} }), /onChange and onError/);
  assert.throws(() => db.collection('x').watch(), /onChange and onError/);
});

// asUser is a database whose requests and watches are an anonymous user's.
async function asUser() {
  const c = new Client({ endpoint: proxy.endpoint });
  const a = new Auth(c);
  c.setTokenSource(a.tokens);
  const state = await a.signInAnonymously();
  return { db: new Database(c), uid: state.user.uid };
}

test('errors end the watch: the rules refuse it, a sign-in revoked', async () => {
  await admin('POST', '/v1/db/secret/insert', { data: { _id: 's' } });
  await admin('PUT', '/v1/admin/collections/secret/rules', { preset: 'ADMINONLY' });
  const user = await asUser();
  const denied = await watching(user.db.collection('secret')).failed;
  assert.equal(denied.errCode, -502003);
  assert.equal(denied.code, 'DATABASE_PERMISSION_DENIED');
  assert.match(denied.errMsg, /^collection\.watch:fail -502003/);

  await admin('POST', '/v1/db/open/insert', { data: { _id: 'o' } });
  await admin('PUT', '/v1/admin/collections/open/rules', { preset: 'READONLY' });
  const w = watching(user.db.collection('open'));
  assert.deepEqual(ids((await w.next()).docs), ['o']);
  await admin('POST', `/v1/admin/users/${user.uid}/revoke`);
  const revoked = await w.failed;
  assert.equal(revoked.code, 'ACCESS_TOKEN_REVOKED');
});
