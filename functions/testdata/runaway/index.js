// Functions that only their timeout (1 s) ends, one way per event.mode.
// Each must end its own invocation with the timeout's error and leave the
// runtime healthy. (failing holds the ones that end by themselves.)
exports.main = async (event) => {
  switch (event.mode) {
    case 'ok':
      return 'fine';
    case 'loop':
      while (true) {}
    case 'hang':
      return new Promise((resolve) => setTimeout(resolve, 60000));
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
