// Work started and not awaited, as apps write it by mistake (or on
// purpose): it still completes after main returns, as on CloudBase.
// Its timeout (config.json: 60 s) bounds that work; the tests that need
// a shorter deadline give the call one.
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();

let runs = 0; // module state: which instance ran the call

exports.main = async (event) => {
  runs++;
  const coll = db.collection('forget');
  switch (event.mode) {
    case 'remove': // the classic: remove() without await, then return
      coll.doc(event.id).remove();
      return { runs };
    case 'throw': // main fails, but the write it sent still happens
      coll.add({ data: { _id: event.id } });
      throw new Error('failed after sending a write');
    case 'chain': // a fetch the test holds open, then a write after it
      fetch(event.url)
        .then((r) => r.text())
        .then((text) => coll.add({ data: { _id: event.id, text } }))
        .then(() => console.log('saved after the answer'));
      return { runs };
    default:
      return { runs };
  }
};
