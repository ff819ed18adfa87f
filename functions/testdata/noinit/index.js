// wx-server-sdk's APIs need init() first, and say so as it does.
const cloud = require('wx-server-sdk');
exports.main = async () => {
  try {
    cloud.database();
    return 'no error';
  } catch (e) {
    return { errCode: e.errCode, message: e.message };
  }
};
