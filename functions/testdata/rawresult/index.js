// A document read from the database returned as main's result: as it was
// read, as a plain object copy, after Array.prototype.toJSON is set, after
// a field was read, assigned or deleted. Every form must give the JSON
// JSON.stringify gives for the plain copy.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();

exports.main = async (event) => {
  const { data } = await db.collection(event.coll).doc(event.id).get();
  switch (event.mode) {
    case 'plain':
      return Object.assign({}, data);
    case 'stringify':
      return JSON.parse(JSON.stringify(data));
    case 'read':
      data.title.length;
      return data;
    case 'assigned':
      data.title = 'changed';
      return data;
    case 'deleted':
      delete data.title;
      return data;
    case 'arrayToJSON':
      Array.prototype.toJSON = function () { return 'an array'; };
      try {
        return JSON.stringify(data);
      } finally {
        delete Array.prototype.toJSON;
      }
    case 'dateToISOString': {
      const iso = Date.prototype.toISOString;
      Date.prototype.toISOString = function () { return 'a date'; };
      try {
        return JSON.stringify(data);
      } finally {
        Date.prototype.toISOString = iso;
      }
    }
  }
  return data;
};
