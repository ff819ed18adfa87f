// tcb-admin-node, node-sdk's predecessor: the module is an app, and
// failures resolve as {code, message} instead of throwing.
const tcb = require('tcb-admin-node');
tcb.init({ env: tcb.SYMBOL_CURRENT_ENV });
const db = tcb.database();

exports.main = async () => {
  const added = await db.collection('legacy').add({ n: 1 });
  const got = await db.collection('legacy').doc(added.id).get();
  const failed = await db.collection('nope').doc('x').update({ n: 2 });
  const call = await tcb.callFunction({ name: 'sum', data: { a: 1, b: 1 } });
  return { id: typeof added.id, n: got.data[0].n, failed: { code: failed.code, hasMessage: !!failed.message }, sum: call.result.sum, env: tcb.getCurrentEnv() };
};
