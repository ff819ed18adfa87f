'use strict';
// Deep equality as Node's assert and util.isDeepStrictEqual compare:
// strict (Object.is for primitives, the same prototypes and type tags) or
// loose (== for primitives, prototypes ignored). Own enumerable keys,
// array elements, Map and Set contents (in any order), dates, regular
// expressions, errors' name and message, boxed primitives, typed arrays'
// and ArrayBuffers' bytes; cycles end the comparison of a pair as equal.

const types = require('internal/types');

const tag = (v) => Object.prototype.toString.call(v);

function primitiveEqual(a, b, strict) {
  if (strict) return Object.is(a, b);
  // eslint-disable-next-line eqeqeq
  return a == b || (a !== a && b !== b);
}

function deepEqual(a, b, strict, memo) {
  if (a === b) return a !== 0 || !strict || Object.is(a, b);
  const objA = a !== null && typeof a === 'object';
  const objB = b !== null && typeof b === 'object';
  if (!objA || !objB) {
    if (objA || objB) return false;
    if (typeof a === 'function' || typeof b === 'function') return false;
    return primitiveEqual(a, b, strict);
  }
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (tag(a) !== tag(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (types.isDate(a)) {
    if (!types.isDate(b) || a.getTime() !== b.getTime()) return false;
  } else if (types.isRegExp(a)) {
    if (!types.isRegExp(b) || a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false;
  } else if (a instanceof Error || b instanceof Error) {
    if (a.message !== b.message || a.name !== b.name) return false;
  } else if (types.isBoxedPrimitive(a)) {
    if (!types.isBoxedPrimitive(b) || !Object.is(a.valueOf(), b.valueOf())) return false;
  } else if (ArrayBuffer.isView(a) || types.isArrayBuffer(a)) {
    if (!bytesEqual(a, b)) return false;
  }
  memo = memo || { a: new Map(), b: new Map() };
  const seenA = memo.a.get(a);
  if (seenA !== undefined) {
    const seenB = memo.b.get(b);
    if (seenB !== undefined) return seenA === seenB;
  }
  const n = memo.a.size;
  memo.a.set(a, n);
  memo.b.set(b, n);
  try {
    return keysEqual(a, b, strict, memo) && contentsEqual(a, b, strict, memo);
  } finally {
    memo.a.delete(a);
    memo.b.delete(b);
  }
}

function bytesEqual(a, b) {
  if (!(ArrayBuffer.isView(b) || types.isArrayBuffer(b))) return false;
  const x = ArrayBuffer.isView(a) ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : new Uint8Array(a);
  const y = ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function ownKeys(o, strict) {
  const keys = Object.keys(o);
  if (strict) for (const s of Object.getOwnPropertySymbols(o)) if (Object.prototype.propertyIsEnumerable.call(o, s)) keys.push(s);
  return keys;
}

function keysEqual(a, b, strict, memo) {
  const ka = ownKeys(a, strict);
  const kb = ownKeys(b, strict);
  if (ka.length !== kb.length) return false;
  const typed = ArrayBuffer.isView(a);
  for (const k of ka) {
    if (!Object.prototype.propertyIsEnumerable.call(b, k)) return false;
    if (typed && /^\d+$/.test(String(k))) continue; // compared as bytes
    if (!deepEqual(a[k], b[k], strict, memo)) return false;
  }
  return true;
}

function contentsEqual(a, b, strict, memo) {
  if (Array.isArray(a) && a.length !== b.length) return false;
  if (types.isSet(a)) return setEqual(a, b, strict, memo);
  if (types.isMap(a)) return mapEqual(a, b, strict, memo);
  return true;
}

function setEqual(a, b, strict, memo) {
  if (!types.isSet(b) || a.size !== b.size) return false;
  const rest = [];
  for (const v of a) {
    if (v !== null && typeof v === 'object') rest.push(v);
    else if (!b.has(v) && !(!strict && [...b].some((w) => primitiveEqual(v, w, false)))) return false;
  }
  if (rest.length === 0) return true;
  const pool = [...b].filter((w) => w !== null && typeof w === 'object');
  for (const v of rest) {
    const i = pool.findIndex((w) => deepEqual(v, w, strict, memo));
    if (i < 0) return false;
    pool.splice(i, 1);
  }
  return true;
}

function mapEqual(a, b, strict, memo) {
  if (!types.isMap(b) || a.size !== b.size) return false;
  const rest = [];
  for (const [k, v] of a) {
    if (k !== null && typeof k === 'object') rest.push([k, v]);
    else if (!b.has(k) || !deepEqual(v, b.get(k), strict, memo)) return false;
  }
  if (rest.length === 0) return true;
  const pool = [...b].filter(([k]) => k !== null && typeof k === 'object');
  for (const [k, v] of rest) {
    const i = pool.findIndex(([k2, v2]) => deepEqual(k, k2, strict, memo) && deepEqual(v, v2, strict, memo));
    if (i < 0) return false;
    pool.splice(i, 1);
  }
  return true;
}

module.exports = {
  isDeepStrictEqual: (a, b) => deepEqual(a, b, true),
  isDeepEqual: (a, b) => deepEqual(a, b, false),
};
