// Transactions through wx-server-sdk, one case per event.action: their
// answers, rollback, errors, conflicts and retries.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();
const _ = db.command;

const failure = (e) => (e instanceof Error ? { errCode: e.errCode, errMsg: e.errMsg || e.message, code: e.code } : { thrown: e === undefined ? 'undefined' : e });

const cases = {
  // Every operation's answer, in wx-server-sdk's shapes; reads see the
  // transaction's writes; nothing is visible outside before the commit.
  async shapes() {
    const t = await db.startTransaction();
    const acc = t.collection('acc');
    const out = {};
    out.get = await acc.doc('a').get();
    out.missing = await acc.doc('zz').get();
    out.field = await acc.doc('a').field({ balance: true }).get();
    out.add = await t.collection('log').add({ data: { _id: 'l1', at: db.serverDate(), what: 'open' } });
    out.addMany = await t.collection('log').add({ data: [{ what: 'x' }, { what: 'y' }] });
    out.set = await acc.doc('c').set({ data: { balance: 5 } });
    out.update = await acc.doc('a').update({ data: { balance: _.inc(-10), seen: true } });
    out.after = (await acc.doc('a').get()).data;
    out.whereUpdate = await acc.where({ balance: _.gte(5) }).update({ data: { vip: true } });
    out.removed = await acc.doc('b').remove();
    out.whereRemove = await t.collection('log').where({ what: _.in(['x', 'y']) }).remove();
    out.gone = (await acc.doc('b').get()).data;
    out.outside = (await db.collection('acc').doc('a').get()).data.balance;
    out.logDate = (await t.collection('log').doc('l1').get()).data.at instanceof Date;
    out.commit = Object.keys(await t.commit());
    out.committed = (await db.collection('acc').doc('a').get()).data;
    out.vip = (await db.collection('acc').where({ vip: true }).count()).total;
    try {
      await acc.doc('a').get();
    } catch (e) {
      out.afterCommit = failure(e);
    }
    return out;
  },
  // rollback(reason): runTransaction rejects with reason; nothing written.
  async rollback() {
    try {
      await db.runTransaction(async (t) => {
        await t.collection('acc').doc('a').update({ data: { balance: 0 } });
        await t.rollback({ code: 'NO_MONEY' });
      });
    } catch (e) {
      return { rejected: e, balance: (await db.collection('acc').doc('a').get()).data.balance };
    }
  },
  // rollback() with no reason rejects with undefined, as CloudBase's does.
  async rollbackBare() {
    try {
      await db.runTransaction(async (t) => t.rollback());
      return 'resolved';
    } catch (e) {
      return failure(e);
    }
  },
  // What the callback throws, runTransaction rejects with, writing nothing.
  async throws() {
    try {
      await db.runTransaction(async (t) => {
        await t.collection('acc').doc('a').update({ data: { balance: 0 } });
        throw new Error('boom');
      });
    } catch (e) {
      return { message: e.message, balance: (await db.collection('acc').doc('a').get()).data.balance };
    }
  },
  // The first run conflicts (another write lands between its read and its
  // commit), the second commits; the callback's result is the answer.
  async retried() {
    let runs = 0;
    const result = await db.runTransaction(async (t) => {
      runs++;
      const a = (await t.collection('acc').doc('a').get()).data;
      if (runs === 1) await db.collection('acc').doc('a').update({ data: { balance: _.inc(1) } });
      await t.collection('acc').doc('a').update({ data: { balance: a.balance * 2 } });
      return 'done';
    });
    return { result, runs, balance: (await db.collection('acc').doc('a').get()).data.balance };
  },
  // Every run conflicts: after times more runs it rejects with the conflict.
  async exhausted(event) {
    let runs = 0;
    try {
      await db.runTransaction(async (t) => {
        runs++;
        await t.collection('acc').doc('a').get();
        await db.collection('acc').doc('a').update({ data: { balance: _.inc(1) } });
        await t.collection('acc').doc('b').update({ data: { balance: _.inc(1) } });
      }, event.times);
    } catch (e) {
      return { runs, ...failure(e), b: (await db.collection('acc').doc('b').get()).data.balance };
    }
  },
  // Increments over another writer's, between the operations and before
  // the commit: the callback saw nothing that changed, so it runs once.
  async increments() {
    const balance = async (id) => (await db.collection('acc').doc(id).get()).data.balance;
    const a = await balance('a');
    const b = await balance('b');
    let runs = 0;
    await db.runTransaction(async (t) => {
      runs++;
      await t.collection('acc').doc('a').update({ data: { balance: _.inc(-1) } });
      await db.collection('acc').doc('a').update({ data: { balance: _.inc(10) } });
      await t.collection('acc').doc('b').update({ data: { balance: _.inc(1) } });
      await db.collection('acc').doc('b').update({ data: { balance: _.inc(10) } });
    });
    return { runs, a: (await balance('a')) - a, b: (await balance('b')) - b };
  },
  // Queries are not part of a transaction: a clear error.
  async query() {
    const t = await db.startTransaction();
    const out = {};
    for (const [name, run] of [
      ['get', () => t.collection('acc').where({ balance: 1 }).get()],
      ['count', () => t.collection('acc').count()],
    ]) {
      try {
        await run();
      } catch (e) {
        out[name] = failure(e);
      }
    }
    await t.rollback();
    return out;
  },
  // A failed operation (a taken _id) writes nothing, and the transaction
  // goes on.
  async failedOp() {
    const t = await db.startTransaction();
    const out = {};
    try {
      await t.collection('acc').add({ data: { _id: 'a' } });
    } catch (e) {
      out.add = failure(e);
    }
    out.update = await t.collection('acc').doc('b').update({ data: { balance: 7 } });
    await t.commit();
    out.b = (await db.collection('acc').doc('b').get()).data.balance;
    return out;
  },
};

exports.main = async (event) => cases[event.action](event);
