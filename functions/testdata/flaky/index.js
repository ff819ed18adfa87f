// Fails until it has been called event.failures times (counted in the
// database), then succeeds: for asynchronous retries.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();

exports.main = async (event) => {
  const counters = db.collection('flaky');
  let n = 0;
  try {
    n = (await counters.doc(event.key).get()).data.calls;
  } catch (e) {
    // the first call: no counter yet
  }
  await counters.doc(event.key).set({ data: { calls: n + 1 } });
  if (n < event.failures) throw new Error('attempt ' + (n + 1) + ' fails');
  return { attempts: n + 1 };
};
