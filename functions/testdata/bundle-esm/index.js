// A CloudBase function using an npm package written as ES modules
// (node_modules/tiny-esm): bundled at deploy. wx-server-sdk and crypto stay
// require()s, which the runtime supplies.
const cloud = require('wx-server-sdk')
const crypto = require('crypto')
const { sum, VERSION } = require('tiny-esm')

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })

exports.main = async (event) => ({
  sum: sum(event.a, event.b),
  version: VERSION,
  md5: crypto.createHash('md5').update('a').digest('hex'),
  env: cloud.getWXContext().ENV,
})
