// CloudBase's example: an async main using wx-server-sdk's context.
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

exports.main = async (event, context) => {
  const { OPENID, APPID, ENV, SOURCE } = cloud.getWXContext();
  return { sum: event.a + event.b, OPENID, APPID, ENV, SOURCE, requestID: context.request_id };
};
