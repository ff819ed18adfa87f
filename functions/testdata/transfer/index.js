// Moves event.n from account event.from to event.to with runTransaction,
// computing the new balances from the ones read (no _.inc): a lost update
// would show in the sum. Answers the callback's result (or the rollback's
// reason) and how many times it ran.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();

exports.main = async (event) => {
  let runs = 0;
  const result = await db.runTransaction(async (t) => {
    runs++;
    const acc = t.collection('acc');
    const from = (await acc.doc(event.from).get()).data;
    const to = (await acc.doc(event.to).get()).data;
    if (from.balance < event.n) {
      await t.rollback('insufficient funds');
      return;
    }
    await acc.doc(event.from).update({ data: { balance: from.balance - event.n } });
    await acc.doc(event.to).update({ data: { balance: to.balance + event.n } });
    return 'moved';
  }, 1000).catch((reason) => ({ rejected: reason }));
  return { result, runs };
};
