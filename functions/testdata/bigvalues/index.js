// Values the runtime's Go code must refuse quickly, with a clear error,
// rather than walk for minutes or until memory runs out: the timeout is
// long, so only that refusal can answer in time.
const deep = (n) => {
  let v = [];
  for (let i = 0; i < n; i++) v = [v];
  return v;
};
// An array whose only element is another such array, made as it is read:
// nested without end.
const endless = () => new Proxy([], { get: (t, k) => (k === 'length' ? 1 : k === '0' ? endless() : Reflect.get(t, k)) });
const sparse = () => {
  const a = [];
  a.length = 2 ** 32 - 1;
  return a;
};

exports.main = async (event) => {
  switch (event.mode) {
    case 'ok':
      return 'fine';
    case 'deep':
      return deep(2e4);
    case 'endless':
      return endless();
    case 'sparse': // 4 billion "null"s: tens of GB
      return sparse();
    case 'proxySparse':
      return new Proxy(sparse(), {});
    case 'stringifyDeep':
      return JSON.stringify(deep(2e4)).length;
    case 'stringifySparse':
      return JSON.stringify(sparse(), null, 10).length;
    case 'parseDeep':
      return JSON.parse('['.repeat(1e7) + ']'.repeat(1e7)).length; // goja's: 10^7 levels of Go recursion, past Go's stack limit
    case 'logDeep':
      console.log(deep(2e4));
      console.log('%j', sparse());
      return 'logged';
  }
  throw new Error('unknown mode');
};
