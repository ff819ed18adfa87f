// wx-server-sdk's other forms of init: an env id, or one per service. minibase has
// one environment, so each works unchanged.
const cloud = require('wx-server-sdk')

exports.main = async (event) => {
  cloud.init({ env: event.form === 'id' ? 'cloud1-2gdy1j135e1bd916' : { database: 'db-env', functions: 'fn-env', storage: 'st-env' } })
  const db = cloud.database()
  const { _id } = await db.collection('init_forms').add({ data: { form: event.form } })
  const { data } = await db.collection('init_forms').doc(_id).get()
  const { result } = await cloud.callFunction({ name: 'spec52', data: { a: 1, b: 2 } })
  const { fileID } = await cloud.uploadFile({ cloudPath: 'forms/' + event.form + '.txt', fileContent: Buffer.from(event.form) })
  return { form: data.form, result, fileID, ENV: cloud.getWXContext().ENV }
}
