// Throws an error whose stack getter tells event.url it runs, then never
// returns: it keeps the runtime formatting the error until something stops
// it (its timeout is long).
exports.main = async (event) => {
  const e = new Error('stuck');
  Object.defineProperty(e, 'stack', {
    get() {
      fetch(event.url);
      for (;;) {}
    },
  });
  throw e;
};
