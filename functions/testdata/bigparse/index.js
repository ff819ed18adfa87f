// Builds 24 MB of JSON (three million small objects), tells event.url it
// is about to parse it, and parses it: goja's JSON.parse is one Go call
// that takes many seconds for this, which no deadline could stop.
exports.main = async (event) => {
  const text = '[' + '{"a":1},'.repeat(3e6) + '0]';
  fetch(event.url);
  return JSON.parse(text).length;
};
