// CommonJS as in Node: the function's own files, JSON, node_modules
// packages (package.json main, index.js, scoped), top-level state kept
// between warm invocations, a module evaluated once per instance.
const math = require('./lib/math');
const again = require('./lib/math.js');
const data = require('./data.json');
const leftpad = require('leftpad');
const scoped = require('@scope/pkg');
const counter = require('counter');

let calls = 0; // top-level state: survives between invocations of one instance
const bump = () => ++calls; // a closure over it

exports.main = async (event) => {
  let missing;
  try {
    require('not-installed');
  } catch (e) {
    // Node's error: an Error (not a GoError) whose code a caller checks.
    missing = { name: e.name, text: String(e), isError: e instanceof Error, message: e.message, code: e.code };
  }
  let host;
  try {
    require('child_process');
  } catch (e) {
    host = e.message;
  }
  return {
    sum: math.add(2, 3),
    sameModule: math === again,
    loadedOnce: math.loads,
    data,
    padded: leftpad('7', 3, '0'),
    scoped: scoped.name,
    counted: counter.next(),
    calls: bump(),
    filename: math.filename,
    missing,
    host,
  };
};
