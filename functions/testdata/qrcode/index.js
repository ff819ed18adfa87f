// A share code for a page, as open-source mini-programs make them: the
// 小程序码 from cloud.openapi, uploaded to storage, its fileID returned.
const cloud = require('wx-server-sdk')

cloud.init({
  env: cloud.DYNAMIC_CURRENT_ENV
})

exports.main = async (event, context) => {
  const wxContext = cloud.getWXContext()
  const result = await cloud.openapi.wxacode.getUnlimited({
    scene: event.scene || wxContext.OPENID,
    page: 'pages/share/index',
    width: 280,
    checkPath: false,
    lineColor: { r: 74, g: 124, b: 89 },
    isHyaline: true
  })
  const upload = await cloud.uploadFile({
    cloudPath: 'qrcode/' + (event.scene || 'me') + '.png',
    fileContent: result.buffer
  })
  return { fileID: upload.fileID, contentType: result.contentType, errMsg: result.errMsg, errCode: result.errCode }
}
