// Transactions through @cloudbase/node-sdk, one case per event.action:
// their answers in @cloudbase/database@1.4.3's transaction shapes,
// rollback, errors, conflicts and retries.
const tcb = require('@cloudbase/node-sdk');
const app = tcb.init({ env: tcb.SYMBOL_CURRENT_ENV });
const db = app.database();
const _ = db.command;

// shape is an answer with its keys listed and its requestId's type.
const shape = (r) => Object.assign({}, r, { keys: Object.keys(r).sort(), requestId: typeof r.requestId });
const failure = (e) => (e instanceof Error ? { code: e.code, message: e.message, isError: true } : { thrown: e === undefined ? 'undefined' : e });
const balance = async (id) => (await db.collection('acc').doc(id).get()).data[0].balance;

const cases = {
  // Every operation's answer; reads see the transaction's own writes;
  // nothing is visible outside before the commit.
  async shapes() {
    const transaction = await db.startTransaction();
    const acc = transaction.collection('acc');
    const out = {};
    out.get = shape(await acc.doc('a').get());
    out.missing = shape(await acc.doc('zz').get());
    out.field = (await acc.doc('a').field({ balance: true }).get()).data;
    out.add = shape(await transaction.collection('log').add({ _id: 'l1', at: db.serverDate(), what: 'open' }));
    out.addMany = shape(await transaction.collection('log').add([{ what: 'x' }, { what: 'y' }]));
    out.setNew = shape(await acc.doc('c').set({ balance: 5 }));
    out.setOld = await acc.doc('c').set({ balance: 6 });
    out.setOld = { updated: out.setOld.updated, upserted: out.setOld.upserted.length, id: out.setOld.upserted[0]._id === undefined };
    out.update = shape(await acc.doc('a').update({ balance: _.inc(-10), seen: true }));
    out.after = (await acc.doc('a').get()).data;
    out.deleted = shape(await acc.doc('b').delete());
    out.removed = shape(await acc.doc('c').remove());
    out.gone = (await acc.doc('b').get()).data;
    out.outside = await balance('a');
    out.logDate = (await transaction.collection('log').doc('l1').get()).data.at instanceof Date;
    out.commit = shape(await transaction.commit());
    out.committed = (await db.collection('acc').doc('a').get()).data;
    try {
      await acc.doc('a').get();
    } catch (e) {
      out.afterCommit = failure(e);
    }
    return out;
  },
  // rollback(reason) resolves with {requestId}; runTransaction rejects with
  // reason; nothing is written.
  async rollback() {
    let rolledBack;
    try {
      await db.runTransaction(async (transaction) => {
        await transaction.collection('acc').doc('a').update({ balance: 0 });
        rolledBack = shape(await transaction.rollback(-100));
      });
      return 'resolved';
    } catch (e) {
      return { rejected: e, rolledBack, balance: await balance('a') };
    }
  },
  // startTransaction's rollback(): the writes are dropped.
  async startRollback() {
    const transaction = await db.startTransaction();
    await transaction.collection('acc').doc('a').update({ balance: 1 });
    await transaction.collection('log').add({ what: 'dropped' });
    const r = shape(await transaction.rollback());
    return { rolledBack: r, aborted: transaction.aborted, balance: await balance('a'), log: (await db.collection('log').count()).total };
  },
  // What the callback throws, runTransaction rejects with, writing nothing.
  async throws() {
    try {
      await db.runTransaction(async (transaction) => {
        await transaction.collection('acc').doc('a').update({ balance: 0 });
        throw new Error('boom');
      });
      return 'resolved';
    } catch (e) {
      return { message: e.message, balance: await balance('a') };
    }
  },
  // The first run conflicts (another write lands between its read and its
  // commit), the second commits; runTransaction resolves with the
  // callback's result.
  async retried() {
    let runs = 0;
    const result = await db.runTransaction(async (transaction) => {
      runs++;
      const a = (await transaction.collection('acc').doc('a').get()).data;
      if (runs === 1) await db.collection('acc').doc('a').update({ balance: _.inc(1) });
      await transaction.collection('acc').doc('a').update({ balance: a.balance * 2 });
      return 'done';
    });
    return { result, runs, balance: await balance('a') };
  },
  // Every run conflicts: after times retries runTransaction rejects with
  // the conflict, and writes nothing.
  async exhausted(event) {
    let runs = 0;
    try {
      await db.runTransaction(async (transaction) => {
        runs++;
        await transaction.collection('acc').doc('a').get();
        await db.collection('acc').doc('a').update({ balance: _.inc(1) });
        await transaction.collection('acc').doc('b').update({ balance: _.inc(1) });
      }, event.times);
      return 'resolved';
    } catch (e) {
      return Object.assign({ runs, b: await balance('b') }, failure(e));
    }
  },
  // Queries read more than documents by id: refused in a transaction.
  async query() {
    const transaction = await db.startTransaction();
    const acc = transaction.collection('acc');
    const out = {};
    for (const [k, f] of Object.entries({ get: () => acc.where({ balance: 1 }).get(), count: () => acc.count(), aggregate: () => acc.aggregate().end() })) {
      try {
        await f();
        out[k] = 'resolved';
      } catch (e) {
        out[k] = failure(e);
      }
    }
    return out;
  },
  // setThrowOnCode(false): an operation's failure resolves as {code,
  // message, requestId}; a conflict at the commit still rejects.
  async resolved() {
    tcb.setThrowOnCode(false);
    try {
      const transaction = await db.startTransaction();
      const dup = await transaction.collection('acc').add({ _id: 'a', balance: 1 });
      await transaction.collection('acc').doc('a').get();
      await db.collection('acc').doc('a').update({ balance: _.inc(1) });
      await transaction.collection('acc').doc('b').update({ balance: 1 });
      let commit;
      try {
        commit = await transaction.commit();
      } catch (e) {
        commit = failure(e);
      }
      return { dup: { code: dup.code, requestId: typeof dup.requestId }, commit };
    } finally {
      tcb.setThrowOnCode(true);
    }
  },
};

exports.main = async (event) => cases[event.action](event);
