// An event with a "__proto__" key: a plain property, as JSON.parse makes it.
exports.main = (event) => ({
  own: Object.prototype.hasOwnProperty.call(event, '__proto__'),
  polluted: ({}).polluted === true || event.polluted === true,
  keys: Object.keys(event),
});
