// wx-server-sdk's APIs need init() first (spec §2.3).
const cloud = require('wx-server-sdk');
exports.main = async () => {
  try {
    cloud.database();
    return 'no error';
  } catch (e) {
    return { errCode: e.errCode, message: e.message };
  }
};
