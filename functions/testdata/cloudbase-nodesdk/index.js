// A cloud function as CloudBase's templates write it with
// @cloudbase/node-sdk (npm install puts it in node_modules/; the runtime
// answers the require itself): bare payloads, results such as
// {id, requestId} and {updated, requestId}, an app for storage and
// functions.
const tcb = require('@cloudbase/node-sdk');

const app = tcb.init({ env: tcb.SYMBOL_CURRENT_ENV });
const db = app.database();
const _ = db.command;

exports.main = async (event, context) => {
  const books = db.collection('books');
  const added = await books.add({ title: '红楼梦', stock: 2, createdAt: db.serverDate() });
  const batch = await books.add([{ title: '西游记', stock: 1 }, { title: '水浒传', stock: 0 }]);
  const borrowed = await books.doc(added.id).update({ stock: _.inc(-1) });
  const one = await books.doc(added.id).get();
  const inStock = await books.where({ stock: _.gt(0) }).orderBy('title', 'asc').field({ title: true, stock: true }).get();
  const counted = await books.where({ stock: _.gt(0) }).count();
  const removed = await books.where({ stock: 0 }).remove();

  const uploaded = await app.uploadFile({ cloudPath: 'covers/hongloumeng.txt', fileContent: Buffer.from('a cover') });
  const urls = await app.getTempFileURL({ fileList: [uploaded.fileID] });
  const downloaded = await app.downloadFile({ fileID: uploaded.fileID });
  const deleted = await app.deleteFile({ fileList: [uploaded.fileID] });

  const called = await app.callFunction({ name: 'sum', data: { a: 1, b: 2 } });
  let failed;
  try {
    await books.doc(added.id).set({ stock: _.inc(1) });
  } catch (e) {
    failed = { code: e.code, message: e.message };
  }
  return {
    added, batch, borrowed, one, inStock, counted, removed,
    uploaded, urls, downloaded: { text: downloaded.fileContent.toString() }, deleted,
    called, failed, user: app.auth().getUserInfo(),
  };
};
