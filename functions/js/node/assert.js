'use strict';
// require('assert'): Node's assert (legacy and strict modes), throwing
// AssertionError with code ERR_ASSERTION, actual, expected and operator.

const { inspect } = require('internal/inspect');
const { isDeepStrictEqual, isDeepEqual } = require('internal/compare');
const { invalidArgType, coded } = require('internal/errors');
const types = require('internal/types');

const show = (v) => inspect(v, { depth: 1000, compact: false });

const headers = {
  deepStrictEqual: 'Expected values to be strictly deep-equal:',
  strictEqual: 'Expected values to be strictly equal:',
  deepEqual: 'Expected values to be loosely deep-equal:',
  equal: 'Expected values to be loosely equal:',
  notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
  notStrictEqual: 'Expected "actual" to be strictly unequal to:',
  notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
  notEqual: 'Expected "actual" to be loosely unequal to:',
};

class AssertionError extends Error {
  constructor(options) {
    if (options === null || typeof options !== 'object') throw invalidArgType('options', 'object', options);
    const { message, actual, expected, operator } = options;
    let text = message;
    if (text === undefined || text === null) {
      if (headers[operator] && operator.startsWith('not')) {
        const a = show(actual);
        text = a.includes('\n') ? `${headers[operator]}\n\n${a}\n` : `${headers[operator]} ${a}`;
      }
      else if (headers[operator]) text = `${headers[operator]}\n\n${show(actual)}\n\nshould equal\n\n${show(expected)}\n`;
      else text = `${show(actual)} ${operator} ${show(expected)}`;
    }
    super(String(text));
    this.generatedMessage = message === undefined || message === null;
    this.code = 'ERR_ASSERTION';
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
    Object.defineProperty(this, 'name', { value: 'AssertionError', writable: true, configurable: true, enumerable: false });
  }
}

function fail(opts) {
  if (opts.message instanceof Error) throw opts.message;
  throw new AssertionError(opts);
}

function ok(...args) {
  if (args.length === 0) fail({ message: 'No value argument passed to `assert.ok()`', actual: undefined, expected: true, operator: '==' });
  const [value, message] = args;
  if (!value) {
    fail({
      message: message === undefined ? `The expression evaluated to a falsy value:\n\n  assert.ok(${show(value)})\n` : message,
      actual: value, expected: true, operator: '==',
    });
  }
}

function compare(operator, test) {
  return function (actual, expected, message) {
    if (arguments.length < 2) throw coded(TypeError, 'ERR_MISSING_ARGS', 'The "actual" and "expected" arguments must be specified');
    if (!test(actual, expected)) fail({ actual, expected, message, operator });
  };
}

const equal = compare('equal', (a, b) => a == b || (a !== a && b !== b)); // eslint-disable-line eqeqeq
const notEqual = compare('notEqual', (a, b) => !(a == b || (a !== a && b !== b))); // eslint-disable-line eqeqeq
const strictEqual = compare('strictEqual', Object.is);
const notStrictEqual = compare('notStrictEqual', (a, b) => !Object.is(a, b));
const deepEqual = compare('deepEqual', isDeepEqual);
const notDeepEqual = compare('notDeepEqual', (a, b) => !isDeepEqual(a, b));
const deepStrictEqual = compare('deepStrictEqual', isDeepStrictEqual);
const notDeepStrictEqual = compare('notDeepStrictEqual', (a, b) => !isDeepStrictEqual(a, b));

function assertFail(message) {
  if (message instanceof Error) throw message;
  throw new AssertionError({ message: message === undefined ? 'Failed' : message, operator: 'fail' });
}

// matches checks a thrown error against what throws/rejects expects: a
// class, a RegExp (its string), a validation function or an object of
// properties (RegExps test string properties).
function matches(err, expected, message, fn) {
  if (expected === undefined) return;
  if (types.isRegExp(expected)) {
    if (!expected.test(String(err))) fail({ actual: err, expected, message: message || `The input did not match the regular expression ${String(expected)}. Input:\n\n${show(String(err))}\n`, operator: fn });
    return;
  }
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && err instanceof expected) return;
    if (Error.isPrototypeOf(expected) || expected === Error) {
      fail({ actual: err, expected, message: message || `The error is expected to be an instance of "${expected.name}". Received "${err && err.constructor && err.constructor.name}"`, operator: fn });
    }
    if (expected.call({}, err) !== true) {
      fail({ actual: err, expected, message: message || `The ${expected.name ? `"${expected.name}" ` : ''}validation function is expected to return "true". Received ${show(expected.call({}, err))}`, operator: fn });
    }
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    const keys = Object.keys(expected);
    if (expected instanceof Error) keys.push('name', 'message');
    for (const k of keys) {
      const want = expected[k];
      const got = err === null || err === undefined ? undefined : err[k];
      const good = types.isRegExp(want) && typeof got === 'string' ? want.test(got) : isDeepStrictEqual(got, want);
      if (!good) fail({ actual: err, expected, message: message || `Expected values to be strictly deep-equal:\n\n${k}: ${show(got)}\n\nshould equal\n\n${k}: ${show(want)}\n`, operator: fn });
    }
    return;
  }
  throw invalidArgType('expected', 'Function or RegExp', expected);
}

const NO_EXCEPTION = Symbol('no exception');

function throws(fn, expected, message) {
  if (typeof fn !== 'function') throw invalidArgType('fn', 'function', fn);
  if (typeof expected === 'string') [expected, message] = [undefined, expected];
  let err = NO_EXCEPTION;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (err === NO_EXCEPTION) fail({ actual: undefined, expected, operator: 'throws', message: message || `Missing expected exception${expected && expected.name ? ` (${expected.name})` : ''}.` });
  matches(err, expected, message, 'throws');
}

async function rejects(promiseFn, expected, message) {
  if (typeof expected === 'string') [expected, message] = [undefined, expected];
  let err = NO_EXCEPTION;
  try {
    await (typeof promiseFn === 'function' ? promiseFn() : promiseFn);
  } catch (e) {
    err = e;
  }
  if (err === NO_EXCEPTION) fail({ actual: undefined, expected, operator: 'rejects', message: message || `Missing expected rejection${expected && expected.name ? ` (${expected.name})` : ''}.` });
  matches(err, expected, message, 'rejects');
}

function doesNotThrow(fn, expected, message) {
  if (typeof expected === 'string') message = expected;
  try {
    fn();
  } catch (e) {
    fail({ actual: e, expected, operator: 'doesNotThrow', message: `Got unwanted exception${message ? ': ' + message : '.'}\nActual message: "${e && e.message}"` });
  }
}

async function doesNotReject(promiseFn, expected, message) {
  if (typeof expected === 'string') message = expected;
  try {
    await (typeof promiseFn === 'function' ? promiseFn() : promiseFn);
  } catch (e) {
    fail({ actual: e, expected, operator: 'doesNotReject', message: `Got unwanted rejection${message ? ': ' + message : '.'}\nActual message: "${e && e.message}"` });
  }
}

function ifError(err) {
  if (err === null || err === undefined) return;
  let message = 'ifError got unwanted exception: ';
  message += err && typeof err.message === 'string' ? (err.message === '' && err.constructor ? err.constructor.name : err.message) : show(err);
  const e = new AssertionError({ actual: err, expected: null, operator: 'ifError', message });
  e.generatedMessage = true;
  throw e;
}

function match(string, regexp, message) {
  if (!types.isRegExp(regexp)) throw invalidArgType('regexp', 'RegExp', regexp);
  if (typeof string !== 'string' || !regexp.test(string)) {
    fail({ actual: string, expected: regexp, operator: 'match',
      message: message || (typeof string !== 'string' ? `The "string" argument must be of type string. Received type ${typeof string} (${show(string)})` : `The input did not match the regular expression ${String(regexp)}. Input:\n\n${show(string)}\n`) });
  }
}

function doesNotMatch(string, regexp, message) {
  if (!types.isRegExp(regexp)) throw invalidArgType('regexp', 'RegExp', regexp);
  if (typeof string !== 'string' || regexp.test(string)) {
    fail({ actual: string, expected: regexp, operator: 'doesNotMatch',
      message: message || `The input was expected to not match the regular expression ${String(regexp)}. Input:\n\n${show(string)}\n` });
  }
}

function define(target, strict) {
  Object.assign(target, {
    AssertionError, ok, fail: assertFail, throws, rejects, doesNotThrow, doesNotReject, ifError, match, doesNotMatch,
    strictEqual, notStrictEqual, deepStrictEqual, notDeepStrictEqual,
    equal: strict ? strictEqual : equal,
    notEqual: strict ? notStrictEqual : notEqual,
    deepEqual: strict ? deepStrictEqual : deepEqual,
    notDeepEqual: strict ? notDeepStrictEqual : notDeepEqual,
  });
  return target;
}

const assert = define(function assert(...args) {
  ok(...args);
}, false);
assert.strict = define(function strict(...args) {
  ok(...args);
}, true);
assert.strict.strict = assert.strict;
module.exports = assert;
