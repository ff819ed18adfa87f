// doc(id).get() reads at once (a read by _id does not go to a worker), but
// its promise behaves as any: reactions run after the code that called it,
// in order, found and missing alike.
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const posts = cloud.database().collection('posts');
exports.main = async (event) => {
  const seen = [];
  const found = posts.doc(event.id).get().then((r) => seen.push('found ' + r.data.title + ' ' + r.errMsg));
  const missing = posts.doc('no-such-id').get().catch((e) => seen.push('missing ' + e.errCode + ' ' + e.errMsg));
  seen.push('after both calls');
  await Promise.all([found, missing]);
  seen.push('awaited ' + (await posts.doc(event.id).get()).data.title);
  return seen;
};
