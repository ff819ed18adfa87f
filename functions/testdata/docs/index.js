// Documents read through wx-server-sdk behave as plain objects: field
// order, identity, assignment, deletion, spread, JSON, nested objects,
// arrays, dates and geo values.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();

exports.main = async () => {
  const c = db.collection('shapes');
  await c.add({ data: { _id: 'd1', name: 'n', nested: { a: 1, deep: { b: [1, { c: 2 }] } }, when: new Date(86400000),
    where: db.Geo.Point(113.3, 23.1), tags: ['x', 'y'], n: 1.5, nil: null, yes: true } });
  const { data: [d] } = await c.where({ _id: 'd1' }).get();
  const one = (await c.doc('d1').get()).data;
  const keys = Object.keys(d);
  const same = d.nested === d.nested && d.tags === d.tags;
  d.added = 'new';
  d.name = 'renamed';
  delete d.nil;
  const spread = { ...d };
  const entries = Object.entries(d).map(([k]) => k);
  d.tags.push('z');
  return {
    keys, same, entries,
    has: ['name' in d, 'nil' in d, Object.prototype.hasOwnProperty.call(d, 'added'), 'missing' in d],
    nested: d.nested.deep.b[1].c,
    date: d.when instanceof Date && d.when.getTime(),
    geo: d.where instanceof db.Geo.Point && [d.where.longitude, d.where.latitude],
    tags: d.tags,
    json: JSON.parse(JSON.stringify(d)),
    spreadKeys: Object.keys(spread),
    types: [typeof d.n, typeof d.yes, Array.isArray(d.tags), Object.getPrototypeOf(d) === Object.prototype],
    sameAsDoc: JSON.stringify(one) === JSON.stringify((await c.doc('d1').get()).data),
  };
};
