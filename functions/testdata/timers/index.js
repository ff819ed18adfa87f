// The event loop: microtasks and nextTick before timers and immediates;
// intervals and clearing; unref'd timers do not keep main waiting; timers
// are Node's Timeout objects.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

exports.main = async (event) => {
  const order = [];
  setTimeout(() => order.push('timeout'), 0);
  setImmediate(() => order.push('immediate'));
  process.nextTick(() => order.push('nextTick'));
  queueMicrotask(() => order.push('microtask'));
  Promise.resolve().then(() => order.push('promise'));
  order.push('sync');
  await sleep(20);

  let ticks = 0;
  await new Promise((resolve) => {
    const iv = setInterval(() => {
      if (++ticks === 3) {
        clearInterval(iv);
        resolve();
      }
    }, 1);
  });

  let cleared = 'not run';
  const t = setTimeout(() => (cleared = 'ran'), 5);
  clearTimeout(t);
  await sleep(15);

  const u = setTimeout(() => {}, 60000).unref(); // would otherwise hold the invocation
  const args = await new Promise((resolve) => setTimeout((a, b) => resolve([a, b]), 1, 'x', 'y'));

  if (event.leaveTimer) setTimeout(() => { throw new Error('a timer of an ended invocation ran'); }, 30);
  // Microtasks run before any timer; setTimeout(0) and setImmediate come
  // after them in either order (as in Node, where that order is not fixed).
  const microtasks = order.slice(0, 4);
  const macrotasks = order.slice(4).sort();
  return { microtasks, macrotasks, ticks, cleared, hasRef: u.hasRef(), isNumber: typeof +t === 'number', args };
};
