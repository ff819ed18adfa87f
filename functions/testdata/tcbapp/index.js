// A function written the way CloudBase's templates write it, with
// @cloudbase/node-sdk (dialect C): bare payloads, {data, requestId}-style
// results, errors with a string code.
const tcb = require('@cloudbase/node-sdk');
const app = tcb.init({ env: tcb.SYMBOL_CURRENT_ENV });
const db = app.database();
const _ = db.command;

const steps = {
  async aggregate() {
    const sales = db.collection('tcbsales');
    await sales.add([{ city: 'Shanghai', n: 11 }, { city: 'Guangzhou', n: 22 }, { city: 'Shanghai', n: 5 }]);
    const $ = _.aggregate;
    const byCity = await sales.aggregate().group({ _id: '$city', total: $.sum('$n') }).sort({ total: -1 }).end();
    const raw = await sales.aggregate([{ $match: { n: { $gt: 6 } } }, { $count: 'big' }]).end();
    let failed;
    try {
      await db.collection('tcbsales').aggregate().group({ _id: '$city', x: { $nope: 1 } }).end();
    } catch (e) {
      failed = { code: e.code, isError: e instanceof Error };
    }
    return { keys: Object.keys(byCity).sort(), byCity: byCity.data, raw: raw.data, failed };
  },
  async crud() {
    const books = db.collection('books');
    const added = await books.add({ title: 'Dream of the Red Chamber', stock: 2, at: db.serverDate() });
    const many = await books.add([{ title: 'Journey to the West', stock: 1 }, { title: 'Water Margin', stock: 0 }]);
    const inc = await books.doc(added.id).update({ stock: _.inc(3) });
    const one = await books.doc(added.id).get();
    const missing = await books.doc('no-such-id').get();
    const inStock = await books.where({ stock: _.gt(0) }).orderBy('stock', 'desc').field({ title: true, stock: true }).get();
    const count = await books.where({ stock: _.gt(0) }).count();
    const restocked = await books.where({ stock: 0 }).update({ stock: 5 });
    const set = await books.doc('fixed-id').set({ title: 'Romance of the Three Kingdoms', stock: 7 });
    const reset = await books.doc('fixed-id').set({ title: 'Romance of the Three Kingdoms', stock: 8 });
    const one2 = await books.options({ multiple: false }).where({ stock: _.gte(5) }).remove();
    const removed = await books.where({ stock: _.gte(1) }).remove();
    const gone = await books.doc(added.id).remove();
    return {
      added: { idLength: added.id.length, requestId: typeof added.requestId, keys: Object.keys(added).sort() },
      many: { ids: many.ids.length, keys: Object.keys(many).sort() },
      inc,
      one: { length: one.data.length, stock: one.data[0].stock, isDate: one.data[0].at instanceof Date, keys: Object.keys(one).sort() },
      missing: missing.data,
      inStock: inStock.data.map((d) => [d.title, d.stock, Object.keys(d).sort().join(',')]),
      count: count.total,
      restocked: restocked.updated,
      set: { updated: set.updated, upsertedId: set.upsertedId },
      reset: { updated: reset.updated, upsertedId: reset.upsertedId === undefined ? 'none' : reset.upsertedId },
      one2: one2.deleted,
      removed: removed.deleted,
      gone: gone.deleted,
    };
  },
  async errors() {
    const out = {};
    try {
      await db.collection('nope').doc('x').update({ a: 1 });
    } catch (e) {
      out.thrown = { code: e.code, message: e.message, isError: e instanceof Error, requestId: typeof e.requestId };
    }
    try {
      await db.collection('books').doc('x').set({ n: _.inc(1) });
    } catch (e) {
      out.setWithCommand = { code: e.code, message: e.message };
    }
    try {
      await db.collection('books').add('not an object');
    } catch (e) {
      out.badAdd = { code: e.code, message: e.message };
    }
    try {
      db.collection('books').where('x');
    } catch (e) {
      out.badWhere = e.message;
    }
    tcb.setThrowOnCode(false);
    out.resolved = await db.collection('nope').doc('x').update({ a: 1 });
    out.resolved.requestId = typeof out.resolved.requestId;
    tcb.setThrowOnCode(true);
    return out;
  },
  async files() {
    const up = await app.uploadFile({ cloudPath: 'tcb/hello.txt', fileContent: Buffer.from('hello tcb') });
    const down = await app.downloadFile({ fileID: up.fileID });
    const urls = await app.getTempFileURL({ fileList: [up.fileID, { fileID: 'cloud://minibase.default/none.txt', maxAge: 60 }] });
    const del = await app.deleteFile({ fileList: [up.fileID] });
    let bad;
    try {
      await app.getTempFileURL({ fileList: [{ fileID: up.fileID }] });
    } catch (e) {
      bad = { code: e.code, message: e.message };
    }
    return {
      up: { fileID: up.fileID, requestId: typeof up.requestId },
      down: { text: down.fileContent.toString(), message: down.message },
      urls: urls.fileList.map((f) => ({ code: f.code, fileID: f.fileID, url: f.tempFileURL !== '', maxAge: f.maxAge })),
      urlsRequestId: typeof urls.requestId,
      del: del.fileList,
      bad,
    };
  },
  async call() {
    const r = await app.callFunction({ name: 'sum', data: { a: 2, b: 3 } });
    let failed;
    try {
      await app.callFunction({ name: 'no-such-function', data: {} });
    } catch (e) {
      failed = { code: e.code, isError: e instanceof Error };
    }
    return { result: r.result, keys: Object.keys(r).sort(), requestId: typeof r.requestId, failed };
  },
  async auth() {
    const auth = app.auth();
    return { user: auth.getUserInfo(), ip: auth.getClientIP(), end: await auth.getEndUserInfo() };
  },
};

exports.main = async (event) => steps[event.step]();
