'use strict';
// require('util'): Node's util — format, inspect, promisify, callbackify,
// inherits, deprecate, debuglog, isDeepStrictEqual, types and the legacy
// is* predicates.

const { invalidArgType, coded } = require('internal/errors');
const { inspect } = require('internal/inspect');
const types = require('internal/types');
const { isDeepStrictEqual } = require('internal/compare');

function formatWithOptions(opts, ...args) {
  const first = args[0];
  let out = '';
  let next = 0;
  const show = (v) => (typeof v === 'string' ? v : inspect(v, Object.assign({}, opts, { depth: opts.depth === undefined ? 2 : opts.depth })));
  if (typeof first === 'string') {
    next = 1;
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first[i] !== '%') continue;
      const c = first[i + 1];
      let text;
      if (c === '%') {
        out += first.slice(last, i) + '%';
        last = i + 2;
        i++;
        continue;
      }
      if (next >= args.length || !'sdifjoOc'.includes(c)) continue;
      const a = args[next];
      switch (c) {
        case 's':
          if (typeof a === 'bigint') text = `${a}n`;
          else if (typeof a === 'symbol' || (typeof a === 'object' && a !== null && !hasOwnToString(a))) text = inspect(a, Object.assign({}, opts, { depth: 0 }));
          else text = String(a);
          break;
        case 'd':
          text = typeof a === 'bigint' ? `${a}n` : typeof a === 'symbol' ? 'NaN' : formatNumber(Number(a));
          break;
        case 'i':
          text = typeof a === 'bigint' ? `${a}n` : typeof a === 'symbol' ? 'NaN' : formatNumber(parseInt(a));
          break;
        case 'f':
          text = typeof a === 'symbol' ? 'NaN' : formatNumber(parseFloat(a));
          break;
        case 'j':
          try {
            text = JSON.stringify(a);
          } catch (e) {
            text = '[Circular]';
          }
          break;
        case 'o':
          text = inspect(a, Object.assign({}, opts, { showHidden: true, depth: 4 }));
          break;
        case 'O':
          text = inspect(a, opts);
          break;
        case 'c':
          text = '';
          break;
      }
      out += first.slice(last, i) + text;
      last = i + 2;
      i++;
      next++;
    }
    out += first.slice(last);
  }
  for (let i = next; i < args.length; i++) out += (i > 0 ? ' ' : '') + show(args[i]);
  return out;
}

const builtinPrototypes = new Set([Object, Array, Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError,
  URIError, Date, RegExp, Function, Map, Set, WeakMap, WeakSet, Promise, Number, String, Boolean, Symbol, BigInt,
  Object.getPrototypeOf(Uint8Array)].map((c) => c.prototype));

// hasOwnToString reports an object with a toString of its own making (%s
// prints it with String), not only a built-in's (%s inspects it).
function hasOwnToString(o) {
  for (let p = o; p !== null; p = Object.getPrototypeOf(p)) {
    if (Object.prototype.hasOwnProperty.call(p, 'toString') && !builtinPrototypes.has(p)) return true;
  }
  return false;
}

const formatNumber = (n) => (Object.is(n, -0) ? '-0' : String(n));

function format(...args) {
  return formatWithOptions({}, ...args);
}

const promisifyCustom = Symbol.for('nodejs.util.promisify.custom');

function promisify(original) {
  if (typeof original !== 'function') throw invalidArgType('original', 'function', original);
  const custom = original[promisifyCustom];
  if (custom !== undefined) {
    if (typeof custom !== 'function') throw invalidArgType('util.promisify.custom', 'function', custom);
    return Object.defineProperty(custom, promisifyCustom, { value: custom, configurable: true });
  }
  function fn(...args) {
    return new Promise((resolve, reject) => {
      original.call(this, ...args, (err, ...values) => (err ? reject(err) : resolve(values[0])));
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, promisifyCustom, { value: fn, configurable: true });
  return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = promisifyCustom;

function callbackify(original) {
  if (typeof original !== 'function') throw invalidArgType('original', 'function', original);
  function callbackified(...args) {
    const cb = args.pop();
    if (typeof cb !== 'function') throw invalidArgType('last argument', 'function', cb);
    const onError = (reason) => {
      if (!reason) {
        const e = coded(Error, 'ERR_FALSY_VALUE_REJECTION', 'Promise was rejected with falsy value');
        e.reason = reason;
        reason = e;
      }
      process.nextTick(cb, reason);
    };
    Reflect.apply(original, this, args).then((v) => process.nextTick(cb, null, v), onError);
  }
  Object.defineProperties(callbackified, Object.getOwnPropertyDescriptors(original));
  return callbackified;
}

function inherits(ctor, superCtor) {
  if (typeof ctor !== 'function') throw invalidArgType('ctor', 'function', ctor);
  if (typeof superCtor !== 'function') throw invalidArgType('superCtor', 'function', superCtor);
  if (superCtor.prototype === undefined) throw invalidArgType('superCtor.prototype', 'object', superCtor.prototype);
  Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

const warned = new Set();
function deprecate(fn, msg, code) {
  if (typeof fn !== 'function') throw invalidArgType('fn', 'function', fn);
  function deprecated(...args) {
    const key = code || msg;
    if (!warned.has(key)) {
      warned.add(key);
      process.emitWarning(msg, 'DeprecationWarning', code);
    }
    return new.target ? Reflect.construct(fn, args, new.target) : Reflect.apply(fn, this, args);
  }
  Object.setPrototypeOf(deprecated, fn);
  if (fn.prototype) deprecated.prototype = fn.prototype;
  return deprecated;
}

// debuglog logs when the function's NODE_DEBUG environment variable names
// the section (commas, * wildcards), as Node does with the process's.
function debuglog(section, cb) {
  const name = String(section).toUpperCase();
  const list = String(process.env.NODE_DEBUG || '').split(/[\s,]+/).filter(Boolean);
  const enabled = list.some((p) => new RegExp('^' + p.toUpperCase().replace(/[|\\{}()[\]^$+?.]/g, '\\$&').replace(/\*/g, '.*') + '$').test(name));
  const log = enabled ? (...args) => console.error('%s %d: %s', name, process.pid, format(...args)) : () => {};
  Object.defineProperty(log, 'enabled', { value: enabled });
  if (typeof cb === 'function') cb(log);
  return log;
}

function stripVTControlCharacters(s) {
  if (typeof s !== 'string') throw invalidArgType('str', 'string', s);
  return s.replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, '');
}

function toUSVString(s) {
  return String(s).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

const isPrimitive = (v) => v === null || (typeof v !== 'object' && typeof v !== 'function');

module.exports = {
  format,
  formatWithOptions,
  inspect,
  promisify,
  callbackify,
  inherits,
  deprecate,
  debuglog,
  debug: debuglog,
  isDeepStrictEqual,
  stripVTControlCharacters,
  toUSVString,
  types,
  TextEncoder,
  TextDecoder,
  isArray: Array.isArray,
  isBoolean: (v) => typeof v === 'boolean',
  isBuffer: (v) => Buffer.isBuffer(v),
  isDate: types.isDate,
  isError: (v) => types.isNativeError(v),
  isFunction: (v) => typeof v === 'function',
  isNull: (v) => v === null,
  isNullOrUndefined: (v) => v === null || v === undefined,
  isNumber: (v) => typeof v === 'number',
  isObject: (v) => v !== null && typeof v === 'object',
  isPrimitive,
  isRegExp: types.isRegExp,
  isString: (v) => typeof v === 'string',
  isSymbol: (v) => typeof v === 'symbol',
  isUndefined: (v) => v === undefined,
};
