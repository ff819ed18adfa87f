// A todo list as CloudBase apps write it: wx-server-sdk's database in
// dialect B, run as an admin, owned by the caller's OPENID.
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;
const todos = db.collection('todos');

exports.main = async (event) => {
  const { OPENID } = cloud.getWXContext();
  switch (event.action) {
    case 'add':
      return todos.add({ data: { _openid: OPENID, title: event.title, done: false, due: new Date(event.due || 0), createdAt: db.serverDate() } });
    case 'addMany':
      return todos.add({ data: event.titles.map((title) => ({ _openid: OPENID, title, done: false })) });
    case 'list': {
      const res = await todos.where({ _openid: OPENID }).orderBy('title', 'asc').get();
      return { ...res, dueIsDate: res.data.every((t) => !('due' in t) || t.due instanceof Date) };
    }
    case 'get':
      return todos.doc(event.id).get();
    case 'getMissing':
      try {
        await todos.doc('no-such-id').get();
        return 'no error';
      } catch (e) {
        return { errCode: e.errCode, errMsg: e.errMsg };
      }
    case 'done':
      return todos.doc(event.id).update({ data: { done: true, tags: _.push('finished') } });
    case 'open':
      return todos.where({ _openid: OPENID, done: false }).count();
    case 'set':
      return todos.doc(event.id).set({ data: { title: event.title, done: true } });
    case 'removeDone':
      return todos.where({ done: true }).remove();
    case 'removeOne':
      return todos.doc(event.id).remove();
    case 'defaultLimit': {
      const many = Array.from({ length: 150 }, (_, i) => ({ n: i }));
      await db.collection('many').add({ data: many });
      const all = await db.collection('many').get();
      const capped = await db.collection('many').limit(5000).get();
      return { defaultLimit: all.data.length, capped: capped.data.length };
    }
    case 'report': {
      const $ = _.aggregate;
      return todos
        .aggregate()
        .match({ _openid: OPENID })
        .group({ _id: '$done', n: $.sum(1), titles: $.push('$title'), due: $.max('$due') })
        .sort({ _id: 1 })
        .end();
    }
    case 'aggregateLimit': {
      const many = db.collection('many');
      const dflt = await many.aggregate().project({ n: 1 }).end();
      const more = await many.aggregate().sort({ n: 1 }).limit(150).end();
      return { defaultLimit: dflt.list.length, limited: more.list.length, errMsg: more.errMsg };
    }
    case 'createCollection':
      return db.createCollection(event.name);
    case 'missingCollection':
      try {
        await db.collection('nope').doc('x').update({ data: { a: 1 } });
        const r = await db.collection('nope').get();
        return r;
      } catch (e) {
        return { errCode: e.errCode, errMsg: e.errMsg };
      }
    case 'badQuery':
      try {
        todos.where('not an object');
        return 'no error';
      } catch (e) {
        return { message: e.message };
      }
    case 'watch':
      try {
        todos.watch({ onChange() {}, onError() {} });
        return 'no error';
      } catch (e) {
        return { errCode: e.errCode, errMsg: e.errMsg };
      }
  }
  throw new Error('unknown action ' + event.action);
};
