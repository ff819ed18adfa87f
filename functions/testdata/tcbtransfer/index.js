// A transfer written as CloudBase's transaction guide writes it with
// @cloudbase/node-sdk: read both accounts in the transaction, roll back
// when the payer cannot pay, else two _.inc updates. Moves event.n from
// event.from to event.to; answers {success, balance} (the payer's balance
// after the transfer) or {success: false, error}.
const tcb = require('@cloudbase/node-sdk');
const app = tcb.init({ env: tcb.SYMBOL_CURRENT_ENV });
const db = app.database();
const _ = db.command;

exports.main = async (event) => {
  try {
    const result = await db.runTransaction(async (transaction) => {
      const fromRes = await transaction.collection('acc').doc(event.from).get();
      const toRes = await transaction.collection('acc').doc(event.to).get();
      if (fromRes.data && toRes.data && fromRes.data.balance >= event.n) {
        await transaction.collection('acc').doc(event.from).update({ balance: _.inc(-event.n) });
        await transaction.collection('acc').doc(event.to).update({ balance: _.inc(event.n) });
        return { balance: fromRes.data.balance - event.n };
      }
      await transaction.rollback('insufficient funds');
    });
    return { success: true, balance: result.balance };
  } catch (e) {
    return { success: false, error: e instanceof Error ? { code: e.code, message: e.message } : e };
  }
};
