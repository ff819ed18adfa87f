// One indexed read and one write through wx-server-sdk: the benchmark's
// "function doing real work".
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();

exports.main = async (event) => {
  const { data } = await db.collection(event.coll).where({ author: event.author }).orderBy('created', 'desc').limit(20).get();
  const { _id } = await db.collection(event.coll + '_log').add({ data: { author: event.author, seen: data.length } });
  return { seen: data.length, _id };
};
