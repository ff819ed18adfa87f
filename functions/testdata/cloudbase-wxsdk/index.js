// A cloud function as WeChat DevTools' CloudBase template writes it: one
// function answering several actions by event.type, with wx-server-sdk
// from package.json (npm install puts it in node_modules/; the runtime
// answers the require itself).
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;

const getOpenId = async () => {
  const wxContext = cloud.getWXContext();
  return { openid: wxContext.OPENID, appid: wxContext.APPID, unionid: wxContext.UNIONID };
};

const createCollection = async () => {
  try {
    await db.createCollection('sales');
    await db.collection('sales').add({ data: { region: '华东', city: '上海', sales: 11 } });
    await db.collection('sales').add({ data: { region: '华南', city: '广州', sales: 22 } });
    return { success: true };
  } catch (e) {
    return { success: true, data: 'create collection success' };
  }
};

const selectRecord = async () => db.collection('sales').get();

const updateRecord = async (event) => {
  for (const r of event.data) {
    await db.collection('sales').where({ _id: r._id }).update({ data: { sales: _.inc(r.sales) } });
  }
  return { success: true, data: event.data };
};

const deleteRecord = async (event) => {
  await db.collection('sales').where({ _id: event.data._id }).remove();
  return { success: true };
};

exports.main = async (event, context) => {
  switch (event.type) {
    case 'getOpenId':
      return await getOpenId();
    case 'createCollection':
      return await createCollection();
    case 'selectRecord':
      return await selectRecord();
    case 'updateRecord':
      return await updateRecord(event);
    case 'deleteRecord':
      return await deleteRecord(event);
  }
};
