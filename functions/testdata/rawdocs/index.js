// Documents as the database sends them, read field by field: escapes,
// Unicode, numbers, nested objects and values of every kind.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();

exports.main = async (event) => {
  const { data: [d] } = await db.collection(event.coll).where({ _id: event.id }).get();
  const out = { keys: Object.keys(d), fields: {} };
  for (const k of Object.keys(d)) {
    const v = d[k];
    out.fields[k] = v instanceof Date ? { date: v.toISOString() } : v;
  }
  out.nestedDate = d.nested.when instanceof Date;
  out.nestedKeys = Object.keys(d.nested);
  out.json = JSON.parse(JSON.stringify(d));
  return out;
};
