// One database operation per call through wx-server-sdk's builder, as
// event.op says: what bench_test.go measures operation by operation. The
// result is kept small so that the operation, not the result's JSON, is
// what is measured.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();
const _ = db.command;

exports.main = async (event) => {
  const c = db.collection(event.coll);
  switch (event.op) {
    case 'get':
      return (await c.doc(event.id).get()).data._id;
    case 'query':
      return (await c.where({ author: event.author }).limit(20).get()).data.length;
    case 'count':
      return (await c.where({ author: event.author }).count()).total;
    case 'add':
      return (await c.add({ data: { author: event.author, n: 1 } }))._id;
    case 'update':
      return (await c.doc(event.id).update({ data: { n: _.inc(1) } })).stats.updated;
    case 'set':
      return (await c.doc(event.id).set({ data: { author: event.author, n: 0 } })).stats.updated;
    case 'whereUpdate':
      return (await c.where({ _id: event.id }).update({ data: { n: _.inc(1) } })).stats.updated;
    case 'remove':
      return (await c.doc('missing').remove()).stats.removed;
    case 'txn': // two updates in a transaction: a transfer
      return db.runTransaction(async (t) => {
        await t.collection(event.coll).doc(event.id).update({ data: { n: _.inc(-1) } });
        await t.collection(event.coll).doc(event.id2).update({ data: { n: _.inc(1) } });
        return 1;
      });
  }
  throw new Error('unknown op ' + event.op);
};
