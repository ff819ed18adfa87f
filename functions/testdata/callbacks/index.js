// wx-server-sdk's calls return a Promise even when success, fail or
// complete are passed (and call them too): `await` waits either way.
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;

exports.main = async () => {
  const calls = [];
  const note = (...what) => calls.push(what.join(' '));
  const todos = db.collection('cbtodos');

  const added = await todos.add({ data: { n: 1 }, success: (r) => note('add success', r.errMsg), complete: () => note('add complete') });
  const pending = todos.doc(added._id).update({ data: { n: _.inc(1) }, success: (r) => note('update success', r.stats.updated) });
  const isPromise = pending instanceof Promise;
  const updated = await pending;
  const got = await todos.doc(added._id).get({ success: () => note('get success') });
  const counted = await todos.where({ n: 2 }).count({ complete: (r) => note('count complete', r.total) });
  const grouped = await todos.aggregate().group({ _id: null, n: _.aggregate.sum('$n') }).end({ success: (r) => note('aggregate success', r.list.length) });

  let rejected = null;
  try {
    await todos.doc('no-such-id').get({ fail: (e) => note('get fail', e.errCode) });
  } catch (e) {
    rejected = e.errMsg;
  }

  const up = await cloud.uploadFile({ cloudPath: 'cb/a.txt', fileContent: 'hi', success: (r) => note('uploadFile success', r.errMsg) });
  const down = await cloud.downloadFile({ fileID: up.fileID, complete: () => note('downloadFile complete') });
  const urls = await cloud.getTempFileURL({ fileList: [up.fileID], success: (r) => note('getTempFileURL success', r.fileList.length) });
  const sum = await cloud.callFunction({ name: 'sum', data: { a: 1, b: 2 }, success: (r) => note('callFunction success', r.result.sum) });
  const removed = await cloud.deleteFile({ fileList: [up.fileID], success: (r) => note('deleteFile success', r.fileList[0].status) });

  return {
    isPromise,
    updated: updated.stats.updated,
    n: got.data.n,
    total: counted.total,
    grouped: grouped.list[0].n,
    rejected,
    text: down.fileContent.toString(),
    url: urls.fileList[0].status,
    sum: sum.result.sum,
    deleted: removed.fileList[0].status,
    calls,
  };
};
