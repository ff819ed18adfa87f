// Security rules seen from the SDK: a denial rejects with errCode -502003
// and errMsg 'collection.get:fail -502003 …' (spec §2.3) carrying the
// server's reason, and '{openid}' in where() stands for the signed-in
// caller, so the query the rule asks for works as written in wx.cloud code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import cloud, { Auth, Client, CloudError, Database, fetchAdapter, memoryKV } from '../dist/minibase.mjs';
import { failure } from './helpers/failure.mjs';

let srv, admin, alice, bob;

// alice is the app as mini-program code uses it: cloud.init, then
// cloud.auth().signInAnonymously(), then cloud.database().
async function signInWithCloud() {
  cloud.init({ endpoint: srv.endpoint, adapter: { ...fetchAdapter(), storage: memoryKV() } });
  await cloud.auth().signInAnonymously();
  return { openid: cloud.auth().currentUser.openid, db: cloud.database() };
}

// bob is a second app on the same server, with its own client and session.
async function signInApp() {
  const client = new Client({ endpoint: srv.endpoint, adapter: { ...fetchAdapter(), storage: memoryKV() } });
  const auth = new Auth(client);
  client.setTokenSource(auth.tokens);
  await auth.signInAnonymously();
  return { openid: auth.currentUser.openid, db: new Database(client) };
}

before(async () => {
  srv = await startServer();
  admin = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  await admin.request('createCollection', 'POST', '/v1/admin/collections', { name: 'notes' });
  await admin.request('rules', 'PUT', '/v1/admin/collections/notes/rules', {
    read: 'doc._openid == auth.openid',
    write: 'doc._openid == auth.openid',
  });
  alice = await signInWithCloud();
  bob = await signInApp();
  assert.notEqual(alice.openid, bob.openid);
  await alice.db.collection('notes').add({ data: { _id: 'a1', text: 'alice' } });
  await bob.db.collection('notes').add({ data: { _id: 'b1', text: 'bob' } });
});
after(() => srv?.stop());

test('a query the rule does not cover fails with -502003 and the fix', async () => {
  const e = await failure(alice.db.collection('notes').get());
  assert.ok(e instanceof CloudError);
  assert.equal(e.errCode, -502003);
  assert.match(e.errMsg, /^collection\.get:fail -502003 /);
  assert.match(e.errMsg, /add `_openid: '\{openid\}'`/);
  assert.doesNotMatch(e.errMsg, /auth\.openid/, 'the reason, not the rule');

  const c = await failure(alice.db.collection('notes').where({ text: 'bob' }).count());
  assert.equal(c.errCode, -502003);
  assert.match(c.errMsg, /^collection\.count:fail -502003 /);
});

test("'{openid}' in where() is the caller's openid", async () => {
  const { data } = await alice.db.collection('notes').where({ _openid: '{openid}' }).get();
  assert.deepEqual(data, [{ _id: 'a1', _openid: alice.openid, text: 'alice' }]);
  const mine = await bob.db.collection('notes').where({ _openid: '{openid}' }).count();
  assert.deepEqual(mine, { total: 1, errMsg: 'collection.count:ok' });
  const upd = await bob.db.collection('notes').where({ _openid: '{openid}' }).update({ data: { text: 'bob 2' } });
  assert.deepEqual(upd, { stats: { updated: 1 }, errMsg: 'collection.update:ok' });
});

test('doc(id) is checked against the stored document; one the caller may not read looks missing', async () => {
  const mine = await alice.db.collection('notes').doc('a1').get();
  assert.deepEqual(mine, { data: { _id: 'a1', _openid: alice.openid, text: 'alice' }, errMsg: 'document.get:ok' });
  const e = await failure(bob.db.collection('notes').doc('a1').get());
  const missing = await failure(bob.db.collection('notes').doc('a9').get());
  assert.equal(e.errCode, -1);
  assert.equal(e.errMsg, 'document.get:fail document with _id a1 does not exist');
  assert.equal(missing.errMsg, 'document.get:fail document with _id a9 does not exist');
  // update goes through where({_id}) (no PATCH in mini-programs); the server checks it against the stored
  // document as for doc(id): another user's looks missing, the owner's needs no _openid in the filter.
  const u = await bob.db.collection('notes').doc('a1').update({ data: { text: 'hacked' } });
  assert.deepEqual(u, await bob.db.collection('notes').doc('a9').update({ data: { text: 'hacked' } }));
  assert.deepEqual(u, { stats: { updated: 0 }, errMsg: 'document.update:ok' });
  const r = await bob.db.collection('notes').doc('a1').remove();
  assert.deepEqual(r, await bob.db.collection('notes').doc('a9').remove());
  assert.deepEqual(r, { stats: { removed: 0 }, errMsg: 'document.remove:ok' });
  const still = await alice.db.collection('notes').doc('a1').get();
  assert.equal(still.data.text, 'alice');
  const own = await alice.db.collection('notes').doc('a1').update({ data: { text: 'alice 2' } });
  assert.deepEqual(own, { stats: { updated: 1 }, errMsg: 'document.update:ok' });
  await alice.db.collection('notes').doc('a1').update({ data: { text: 'alice' } });
});
