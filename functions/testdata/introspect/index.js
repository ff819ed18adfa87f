// What the runtime binds, for types_test.go to compare with types.d.ts.
exports.main = (event) => {
  const modules = {};
  for (const name of event.modules) {
    try {
      modules[name] = Object.keys(require(name)).sort();
    } catch (e) {
      modules[name] = 'missing: ' + e.message;
    }
  }
  return {
    globals: Object.getOwnPropertyNames(globalThis).sort(),
    scope: [typeof module, typeof exports, typeof __filename, typeof __dirname],
    console: Object.keys(console).sort(),
    process: Object.getOwnPropertyNames(process).sort(),
    crypto: Object.keys(crypto).sort(),
    modules,
  };
};
