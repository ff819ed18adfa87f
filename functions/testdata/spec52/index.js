const cloud = require('wx-server-sdk')
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })   // or env: 'env-id' | { database, functions, storage }
exports.main = async (event, context) => {       // handler "index.main"
  const { OPENID, APPID, UNIONID, ENV, SOURCE } = cloud.getWXContext()
  return { sum: event.a + event.b }               // any JSON-able value
}
