// Functions that go wrong, one way per event.mode. Each must end its own
// invocation with a clear error and leave the runtime healthy.
exports.main = async (event) => {
  switch (event.mode) {
    case 'ok':
      return 'fine';
    case 'loop':
      while (true) {}
    case 'recursion': {
      const f = (n) => f(n + 1) + 1;
      return f(0);
    }
    case 'never':
      return new Promise(() => {});
    case 'hang':
      return new Promise((resolve) => setTimeout(resolve, 60000));
    case 'throw':
      throw new TypeError('bad input: ' + event.why);
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
    // The runtime's own Go code runs the function's code here — formatting
    // what it threw, writing its result or a console line — and the
    // deadline must stop it there too.
    case 'stackGetter': {
      const e = new Error('x');
      Object.defineProperty(e, 'stack', { get() { for (;;) {} } });
      throw e;
    }
    case 'messageGetter':
      throw { name: 'Error', get message() { for (;;) {} } };
    case 'toStringLoop':
      throw { toJSON() {}, toString() { for (;;) {} } };
    case 'proxyThrown':
      throw new Proxy({}, { get() { for (;;) {} } });
    case 'toJSONLoop':
      return { toJSON() { for (;;) {} } };
    case 'proxyKeysLoop':
      return new Proxy({}, { ownKeys() { for (;;) {} } });
    case 'logLoop':
      console.log({ get x() { for (;;) {} } });
      return 'not reached';
    case 'catchLoop':
      // An interrupt cannot be caught: the invocation still ends.
      for (;;) {
        try {
          while (true) {}
        } catch (e) {}
      }
  }
  throw new Error('unknown mode');
};
