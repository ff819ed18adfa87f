// The answers of wx-server-sdk's database operations as they reach the
// builder, before it shapes its results: db._ops is the builder's own
// transport (natives.db, DbOps in sdk/src/database/ops.ts), called here with
// event.args. bind_db_test.go compares them with the HTTP API's answers;
// {names: true} lists the operations.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();

// A transaction's operations (event.args[0].ops) are run in one
// transaction of natives.db.transaction() and committed: {results}.
const transaction = async ({ ops }) => {
  const t = db._ops.transaction();
  const results = [];
  for (const op of ops) results.push(await t.run(op.op, op));
  await t.commit('commit');
  return { results };
};

exports.main = async (event) => {
  if (event.names) return Object.keys(db._ops);
  try {
    if (event.op === 'transaction') return { answer: await transaction(...event.args) };
    return { answer: await db._ops[event.op](event.op, ...event.args) };
  } catch (e) {
    return { error: { code: e.code, errCode: e.errCode, errMsg: e.errMsg } };
  }
};
