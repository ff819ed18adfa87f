// Writes through wx-server-sdk's builder, one per event.action:
// wxsdk_test.go checks what each does to the stored documents.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();
const _ = db.command;

exports.main = async (event) => {
  const c = db.collection(event.coll);
  try {
    switch (event.action) {
      case 'docUpdate':
        return await c.doc(event.id).update({ data: { n: _.inc(1), tags: _.push('new'), style: { color: 'red' }, gone: _.remove() } });
      case 'docSet':
        return await c.doc(event.id).set({ data: { only: 'this' } });
      case 'whereUpdate':
        return await c.where({ kind: event.kind }).update({ data: { seen: true } });
      case 'docRemove':
        return await c.doc(event.id).remove();
      case 'docGet':
        return await c.doc(event.id).get();
    }
  } catch (e) {
    return { errCode: e.errCode, errMsg: e.errMsg };
  }
  throw new Error('unknown action ' + event.action);
};
