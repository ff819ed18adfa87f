'use strict';
// require('timers') and timers/promises: the global timers, and promises
// of them.

const { invalidArgType } = require('internal/errors');

function abortError(signal) {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  e.code = 'ABORT_ERR';
  e.cause = signal.reason;
  return e;
}

function later(schedule, clear) {
  return (delay, value, options) => new Promise((resolve, reject) => {
    const signal = options && options.signal;
    if (signal && signal.aborted) return reject(abortError(signal));
    const t = schedule(() => {
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(value);
    }, delay);
    if (options && options.ref === false && t && t.unref) t.unref();
    function onAbort() {
      clear(t);
      reject(abortError(signal));
    }
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
  });
}

const promises = {
  setTimeout: later((f, d) => setTimeout(f, d), clearTimeout),
  setImmediate: (value, options) => later((f) => setImmediate(f), clearImmediate)(0, value, options),
  // setInterval is an async iterator yielding value every delay ms (goja
  // has no async generators: the protocol by hand).
  setInterval(delay, value, options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) throw invalidArgType('options', 'object', options);
    let done = false;
    return {
      next: () => (done ? Promise.resolve({ value: undefined, done }) : promises.setTimeout(delay, undefined, options).then(() => ({ value, done: false }))),
      return: () => {
        done = true;
        return Promise.resolve({ value: undefined, done });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  },
  scheduler: { wait: (delay, options) => promises.setTimeout(delay, undefined, options), yield: () => promises.setImmediate() },
};

module.exports = { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, promises };
