// getWXContext() of the caller; the module's constants.
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
exports.main = async (event) => ({
  ctx: cloud.getWXContext(),
  userInfo: event.userInfo || null,
  dynamicEnvIsSymbol: typeof cloud.DYNAMIC_CURRENT_ENV === 'symbol',
  version: cloud.version,
});
