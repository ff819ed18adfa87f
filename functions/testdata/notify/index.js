// A subscribe message to the caller, as real mini-programs send them
// (templateId and miniprogramState in camelCase, the template's keys as
// WeChat names them).
const cloud = require('wx-server-sdk')
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })

exports.main = async (event, context) => {
  const { OPENID } = cloud.getWXContext()
  try {
    const result = await cloud.openapi.subscribeMessage.send({
      touser: OPENID,
      page: 'pages/order/detail?id=' + event.orderId,
      lang: 'zh_CN',
      data: {
        thing1: { value: event.title },
        time2: { value: '2026-05-01 10:00' },
        character_string3: { value: event.orderId },
        phrase4: { value: '已发货' }
      },
      templateId: 'TEMPLATE_ID_SHIPPED',
      miniprogramState: 'formal'
    })
    return result
  } catch (err) {
    return { failed: true, errCode: err.errCode, errMsg: err.errMsg }
  }
}
