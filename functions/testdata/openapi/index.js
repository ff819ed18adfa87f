// cloud.openapi and getOpenData step by step: each step names an API
// ("security.msgSecCheck", or "getOpenData") and its parameters; a
// parameter {base64, contentType} becomes a file {contentType, value:
// Buffer}. Each step's answer (a buffer as {isBuffer, base64}) or its
// error's errCode and errMsg is returned.
const cloud = require('wx-server-sdk')
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })

const files = (args) => {
  if (args === null || typeof args !== 'object') return args
  const out = {}
  for (const [k, v] of Object.entries(args)) {
    out[k] = v && typeof v === 'object' && v.base64 !== undefined ? { contentType: v.contentType, value: Buffer.from(v.base64, 'base64') } : v
  }
  return out
}

exports.main = async (event) => {
  const out = []
  for (const step of event.steps) {
    try {
      let r
      if (step.call === 'getOpenData') {
        r = await cloud.getOpenData(step.args)
      } else {
        const [mod, fn] = step.call.split('.')
        const api = step.options ? cloud.openapi(step.options) : cloud.openapi
        r = await api[mod][fn](files(step.args))
      }
      if (r.buffer !== undefined) r.buffer = { isBuffer: Buffer.isBuffer(r.buffer), base64: r.buffer.toString('base64') }
      out.push(r)
    } catch (e) {
      out.push({ error: true, isError: e instanceof Error, errCode: e.errCode, errMsg: e.errMsg })
    }
  }
  return out
}
