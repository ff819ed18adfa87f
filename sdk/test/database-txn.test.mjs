// Transactions in the client (beyond wx.cloud, where they are server only):
// db.runTransaction and db.startTransaction over POST /v1/db/transaction,
// against a real server. Each operation is checked against the
// collection's rules; writes are applied at commit, all or nothing; a
// transaction whose reads changed before it committed runs again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import { Auth, Client, CloudError, Database, fetchAdapter, memoryKV } from '../dist/minibase.mjs';
import { failure } from './helpers/failure.mjs';

let srv, admin, alice, bob;

async function signIn() {
  const client = new Client({ endpoint: srv.endpoint, adapter: { ...fetchAdapter(), storage: memoryKV() } });
  const auth = new Auth(client);
  client.setTokenSource(auth.tokens);
  await auth.signInAnonymously();
  return new Database(client);
}

// The admin's view of a document (null when there is none).
async function stored(coll, id) {
  const r = await admin.request('get', 'POST', `/v1/db/${coll}/query`, { filter: { _id: id }, limit: 1 });
  return r.data[0] ?? null;
}

// acc: anyone signed in reads; each writes their own. alice owns a1 (100)
// and a2 (0), bob owns b1 (50).
before(async () => {
  srv = await startServer();
  admin = new Client({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  await admin.request('createCollection', 'POST', '/v1/admin/collections', { name: 'acc' });
  await admin.request('rules', 'PUT', '/v1/admin/collections/acc/rules', { read: 'auth != null', write: 'doc._openid == auth.openid' });
  alice = await signIn();
  bob = await signIn();
  await alice.collection('acc').add({ data: { _id: 'a1', balance: 100 } });
  await alice.collection('acc').add({ data: { _id: 'a2', balance: 0 } });
  await bob.collection('acc').add({ data: { _id: 'b1', balance: 50 } });
});
after(() => srv?.stop());

// transfer moves n from one of alice's accounts to the other, from the
// balances read (no _.inc), and resolves with how many runs it took.
async function transfer(db, from, to, n) {
  let runs = 0;
  await db.runTransaction(async (t) => {
    runs++;
    const acc = t.collection('acc');
    const a = (await acc.doc(from).get()).data;
    const b = (await acc.doc(to).get()).data;
    await acc.doc(from).update({ data: { balance: a.balance - n } });
    await acc.doc(to).update({ data: { balance: b.balance + n } });
  }, 100);
  return runs;
}

test('runTransaction: reads, writes, the callback result; nothing before the commit', async () => {
  const result = await alice.runTransaction(async (t) => {
    const acc = t.collection('acc');
    const a1 = await acc.doc('a1').get();
    assert.deepEqual(a1.data, { _id: 'a1', _openid: a1.data._openid, balance: 100 });
    assert.equal(a1.errMsg, 'document.get:ok');
    assert.deepEqual(await acc.doc('nosuch').get(), { data: null, errMsg: 'document.get:ok' });
    assert.deepEqual(await acc.doc('a1').update({ data: { balance: 90 } }), { stats: { updated: 1 }, errMsg: 'document.update:ok' });
    assert.deepEqual(await acc.doc('a2').update({ data: { balance: 10, at: new Date(86400000) } }), { stats: { updated: 1 }, errMsg: 'document.update:ok' });
    assert.equal((await acc.doc('a1').get()).data.balance, 90, 'reads see the writes');
    assert.deepEqual((await acc.doc('a2').get()).data.at, new Date(86400000), 'dates come back as Date');
    const added = await acc.add({ data: { balance: 0, note: 'new' } });
    assert.match(added._id, /^[0-9a-f]{32}$/);
    assert.equal((await acc.doc(added._id).get()).data.note, 'new');
    assert.equal((await stored('acc', 'a1')).balance, 100, 'nothing is written before the commit');
    return added._id;
  });
  assert.equal((await stored('acc', 'a1')).balance, 90);
  assert.equal((await stored('acc', 'a2')).balance, 10);
  const added = await stored('acc', result);
  assert.equal(added.note, 'new', 'the document added, with the _id the callback saw');
  assert.ok(added._openid, 'stamped with its owner');
});

test("one operation the rules deny fails the transaction: nothing written", async () => {
  const before = await stored('acc', 'a1');
  const e = await failure(
    alice.runTransaction(async (t) => {
      await t.collection('acc').doc('a1').update({ data: { balance: 0 } });
      await t.collection('acc').doc('b1').update({ data: { balance: 0 } }); // bob's
    }),
  );
  assert.ok(e instanceof CloudError);
  assert.equal(e.errCode, -502003);
  assert.match(e.errMsg, /^document\.update:fail -502003 /);
  assert.deepEqual(await stored('acc', 'a1'), before);
  assert.equal((await stored('acc', 'b1')).balance, 50);
});

test('rollback(reason): runTransaction rejects with the reason', async () => {
  const before = await stored('acc', 'a1');
  const e = await failure(
    alice.runTransaction(async (t) => {
      await t.collection('acc').doc('a1').update({ data: { balance: -1 } });
      await t.rollback(-100);
    }),
  );
  assert.equal(e, -100);
  assert.deepEqual(await stored('acc', 'a1'), before);
});

test('a write between a read and the commit: the callback runs again', async () => {
  let runs = 0;
  await alice.runTransaction(async (t) => {
    runs++;
    const a = (await t.collection('acc').doc('a1').get()).data;
    if (runs === 1) await alice.collection('acc').doc('a1').update({ data: { balance: a.balance + 1 } });
    await t.collection('acc').doc('a2').update({ data: { seen: a.balance } });
  });
  assert.equal(runs, 2);
  const a1 = await stored('acc', 'a1');
  assert.equal((await stored('acc', 'a2')).seen, a1.balance, 'the run that committed read the write');
});

test('retries run out: DATABASE_TRANSACTION_CONFLICT', async () => {
  let runs = 0;
  const e = await failure(
    alice.runTransaction(async (t) => {
      runs++;
      await t.collection('acc').doc('a1').get();
      await alice.collection('acc').doc('a1').update({ data: { touched: runs } });
      await t.collection('acc').doc('a2').update({ data: { never: true } });
    }, 1),
  );
  assert.equal(runs, 2);
  assert.equal(e.code, 'DATABASE_TRANSACTION_CONFLICT');
  assert.equal(e.errCode, -502001);
  assert.equal((await stored('acc', 'a2')).never, undefined);
});

test('startTransaction: commit, and nothing after it', async () => {
  const t = await alice.startTransaction();
  await t.collection('acc').doc('a2').update({ data: { manual: true } });
  assert.deepEqual(await t.commit(), {});
  assert.equal((await stored('acc', 'a2')).manual, true);
  const e = await failure(t.collection('acc').doc('a2').get());
  assert.match(e.errMsg, /^document\.get:fail the transaction was committed/);

  const r = await alice.startTransaction();
  await r.collection('acc').doc('a2').update({ data: { manual: false } });
  await r.rollback();
  assert.equal((await stored('acc', 'a2')).manual, true);
});

test('queries are not in a transaction', async () => {
  const e = await failure(alice.runTransaction((t) => t.collection('acc').where({ balance: 1 }).get()));
  assert.equal(e.errCode, -501007);
  assert.match(e.errMsg, /^collection\.get:fail not in a transaction/);
});

test('transfers running at once: every one applied once', async () => {
  await alice.collection('acc').doc('a1').update({ data: { balance: 100 } });
  await alice.collection('acc').doc('a2').update({ data: { balance: 0 } });
  const each = 20;
  const runs = await Promise.all([
    (async () => {
      let n = 0;
      for (let i = 0; i < each; i++) n += await transfer(alice, 'a1', 'a2', 1);
      return n;
    })(),
    (async () => {
      let n = 0;
      for (let i = 0; i < each; i++) n += await transfer(alice, 'a2', 'a1', 2);
      return n;
    })(),
  ]);
  const a1 = (await stored('acc', 'a1')).balance;
  const a2 = (await stored('acc', 'a2')).balance;
  assert.equal(a1 + a2, 100);
  assert.equal(a1, 100 - each + 2 * each);
  assert.ok(runs[0] >= each && runs[1] >= each);
});
