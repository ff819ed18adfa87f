// The same transfer as transfer/, with startTransaction, commit and its
// own loop over conflicts, as code written against CloudBase's
// startTransaction does. Answers how many times it ran.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();

exports.main = async (event) => {
  for (let runs = 1; ; runs++) {
    const t = await db.startTransaction();
    try {
      const acc = t.collection('acc');
      const from = (await acc.doc(event.from).get()).data;
      const to = (await acc.doc(event.to).get()).data;
      await acc.doc(event.from).update({ data: { balance: from.balance - event.n } });
      await acc.doc(event.to).update({ data: { balance: to.balance + event.n } });
      await t.commit();
      return { runs };
    } catch (e) {
      if (e.code !== 'DATABASE_TRANSACTION_CONFLICT') throw e;
      await t.rollback();
    }
  }
};
