// Logs event.lines lines of event.size characters (console and
// cloud.logger()), then fails when event.fail is set.
const cloud = require('wx-server-sdk');

exports.main = async (event) => {
  for (let i = 0; i < (event.lines || 0); i++) {
    console.log(String(i).padStart(6, '0') + ' ' + 'x'.repeat(event.size || 10));
  }
  if (event.logger) cloud.logger().info({ said: event.logger });
  if (event.warn) console.warn(event.warn);
  if (event.fail) throw new Error(event.fail);
  return { lines: event.lines || 0 };
};
