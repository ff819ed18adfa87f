// Functions that fail by themselves, one way per event.mode: each ends its
// own invocation with a clear error long before its timeout (a minute), so
// that only that error can answer, however slow the machine, and leaves the
// runtime healthy. (runaway holds the ones that only the timeout ends.)
exports.main = async (event) => {
  switch (event.mode) {
    case 'ok':
      return 'fine';
    case 'recursion': {
      const f = (n) => f(n + 1) + 1;
      return f(0);
    }
    case 'never':
      return new Promise(() => {});
    case 'throw':
      throw new TypeError('bad input: ' + event.why);
    case 'nativeThrow':
      // A throw from a function the runtime made in Go.
      return require('no-such-module-' + event.why);
    case 'throwString':
      throw 'a plain string';
    case 'reject':
      return Promise.reject(new Error('rejected on purpose'));
    case 'timerThrow':
      await new Promise((resolve) => {
        setTimeout(() => { throw new RangeError('thrown in a timer'); }, 1);
        setTimeout(resolve, 50);
      });
      return 'not reached';
    case 'bigResult':
      return 'x'.repeat(2 << 20);
    case 'repeat':
      return 'x'.repeat(1 << 30).length;
    case 'typed':
      return new Float64Array(1 << 28).length;
    case 'map':
      return new Array(1e8).map((x) => x).length;
    case 'circular': {
      const o = {};
      o.self = o;
      return o;
    }
    case 'undefined':
      return undefined;
  }
  throw new Error('unknown mode');
};
