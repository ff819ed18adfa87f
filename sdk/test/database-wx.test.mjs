// A slice of the database suite through the mini-program adapters: a fake
// wx (and Alipay my) implementing wx.request's documented contract over
// Node's http, against a real minibase. Every database call must work with
// the methods these platforms have (no PATCH).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import { fakeWx, fakeMy } from './helpers/fakewx.mjs';
import cloud from '../dist/minibase.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(() => srv?.stop());
afterEach(() => {
  delete globalThis.wx;
  delete globalThis.my;
});

for (const [name, make] of [['wx', fakeWx], ['my', fakeMy]]) {
  test(`${name}: the database API end to end through ${name}.request`, async () => {
    const platform = (globalThis[name] = make());
    cloud.init({ endpoint: srv.endpoint, accessToken: srv.adminKey, adapter: name });
    const db = cloud.database();
    const _ = db.command;
    const c = db.collection('mp_' + name);
    const due = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));

    assert.deepEqual(await c.add({ data: { _id: 't1', title: 'milk', done: false, due, tags: ['a'] } }), {
      _id: 't1',
      errMsg: 'collection.add:ok',
    });
    await c.add({ data: { _id: 't2', title: 'eggs', done: true, due: new Date(0), style: { color: 'red' } } });

    const open = await c.where({ done: false, due: _.gt(new Date(0)) }).orderBy('due', 'desc').get();
    assert.equal(open.errMsg, 'collection.get:ok');
    assert.equal(open.data.length, 1);
    assert.ok(open.data[0].due instanceof Date);
    assert.equal(open.data[0].due.getTime(), due.getTime());
    assert.deepEqual(await c.where({ style: { color: 'red' } }).count(), { total: 1, errMsg: 'collection.count:ok' });

    assert.deepEqual(await c.doc('t1').update({ data: { tags: _.push('b'), done: true } }), {
      stats: { updated: 1 },
      errMsg: 'document.update:ok',
    });
    assert.deepEqual(await c.doc('t3').set({ data: { title: 'new' } }), {
      _id: 't3',
      stats: { updated: 0, created: 1 },
      errMsg: 'document.set:ok',
    });
    assert.deepEqual(await c.where({ done: true }).update({ data: { archived: true } }), {
      stats: { updated: 2 },
      errMsg: 'collection.update:ok',
    });
    const t1 = await c.doc('t1').get();
    assert.deepEqual({ ...t1.data, due: t1.data.due.getTime() }, {
      _id: 't1', title: 'milk', done: true, due: due.getTime(), tags: ['a', 'b'], archived: true,
    });
    assert.deepEqual(await c.doc('t3').remove(), { stats: { removed: 1 }, errMsg: 'document.remove:ok' });
    assert.deepEqual(await c.where({ archived: true }).remove(), { stats: { removed: 2 }, errMsg: 'collection.remove:ok' });

    // Failures arrive as CloudErrors, through fail and complete.
    const seen = await new Promise((resolve) => {
      const log = [];
      c.doc('gone').get({ fail: (e) => log.push(e.errMsg), complete: () => resolve(log) });
    });
    assert.deepEqual(seen, ['document.get:fail document with _id gone does not exist']);
    const missing = await db.collection('none_' + name).get().catch((e) => e);
    assert.equal(missing.errCode, -502005);
    assert.match(missing.errMsg, /^collection\.get:fail -502005 database collection not exists\./);

    // Everything went through the platform's request, with methods it has.
    const methods = new Set(platform.calls.map((x) => x.options.method));
    assert.deepEqual([...methods].sort(), ['DELETE', 'GET', 'POST', 'PUT']);
    assert.equal(platform.calls.length, 12);
  });
}
