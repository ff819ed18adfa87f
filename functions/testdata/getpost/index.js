// bench/'s one-document read (the PocketBase comparison): a post by _id
// through wx-server-sdk, from the event's id or the HTTP access path
// /fn/posts/{id}.
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
exports.main = async (event) => {
  const id = event.id || event.path.slice('/posts/'.length);
  const { data } = await db.collection('posts').doc(id).get();
  return data;
};
