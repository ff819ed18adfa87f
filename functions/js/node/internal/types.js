'use strict';
// Brand checks (util.types): what a value is, not what it claims to be.

const proto = Object.getPrototypeOf;
const getter = (o, name) => Object.getOwnPropertyDescriptor(o, name).get;
const brand = (fn) => (v) => {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  try {
    fn(v);
    return true;
  } catch {
    return false;
  }
};

const typedArrayTag = getter(proto(Uint8Array.prototype), Symbol.toStringTag);
const tagOf = (v) => (ArrayBuffer.isView(v) ? typedArrayTag.call(v) : undefined);
const isTypedArray = (v) => tagOf(v) !== undefined;
const typed = (name) => (v) => tagOf(v) === name;
const AsyncFunction = proto(async function () {});
const GeneratorFunction = proto(function* () {});
const Generator = proto(function* () {}.prototype);
const toString = (v) => Object.prototype.toString.call(v);
const mapIterator = proto(new Map().entries());
const setIterator = proto(new Set().values());

module.exports = {
  isDate: brand((v) => Date.prototype.getTime.call(v)),
  isRegExp: brand((v) => getter(RegExp.prototype, 'source').call(v === RegExp.prototype ? null : v)),
  isMap: brand((v) => Map.prototype.has.call(v)),
  isSet: brand((v) => Set.prototype.has.call(v)),
  isWeakMap: brand((v) => WeakMap.prototype.has.call(v, {})),
  isWeakSet: brand((v) => WeakSet.prototype.has.call(v, {})),
  isMapIterator: (v) => v !== null && typeof v === 'object' && proto(v) === mapIterator,
  isSetIterator: (v) => v !== null && typeof v === 'object' && proto(v) === setIterator,
  isPromise: (v) => v instanceof Promise,
  isArrayBuffer: brand((v) => getter(ArrayBuffer.prototype, 'byteLength').call(v)),
  isAnyArrayBuffer: brand((v) => getter(ArrayBuffer.prototype, 'byteLength').call(v)),
  isSharedArrayBuffer: () => false,
  isArrayBufferView: (v) => ArrayBuffer.isView(v),
  isDataView: (v) => ArrayBuffer.isView(v) && !isTypedArray(v),
  isTypedArray,
  isUint8Array: typed('Uint8Array'),
  isUint8ClampedArray: typed('Uint8ClampedArray'),
  isUint16Array: typed('Uint16Array'),
  isUint32Array: typed('Uint32Array'),
  isInt8Array: typed('Int8Array'),
  isInt16Array: typed('Int16Array'),
  isInt32Array: typed('Int32Array'),
  isFloat32Array: typed('Float32Array'),
  isFloat64Array: typed('Float64Array'),
  isBigInt64Array: typed('BigInt64Array'),
  isBigUint64Array: typed('BigUint64Array'),
  isNativeError: (v) => v instanceof Error || toString(v) === '[object Error]',
  isAsyncFunction: (v) => typeof v === 'function' && proto(v) === AsyncFunction,
  isGeneratorFunction: (v) => typeof v === 'function' && proto(v) === GeneratorFunction,
  isGeneratorObject: (v) => v !== null && typeof v === 'object' && proto(proto(v) || {}) === Generator,
  isArgumentsObject: (v) => toString(v) === '[object Arguments]',
  isBoxedPrimitive: (v) => ['Number', 'String', 'Boolean', 'BigInt', 'Symbol'].some((t) => boxed[t](v)),
  isNumberObject: brand((v) => typeof v === 'object' && Number.prototype.valueOf.call(v)),
  isStringObject: brand((v) => typeof v === 'object' && String.prototype.valueOf.call(v)),
  isBooleanObject: brand((v) => typeof v === 'object' && Boolean.prototype.valueOf.call(v)),
  isBigIntObject: brand((v) => typeof v === 'object' && BigInt.prototype.valueOf.call(v)),
  isSymbolObject: brand((v) => typeof v === 'object' && Symbol.prototype.valueOf.call(v)),
  isProxy: () => false,
  isExternal: () => false,
  isModuleNamespaceObject: () => false,
  isKeyObject: () => false,
  isCryptoKey: () => false,
  isWeakRef: () => false,
};
const boxed = {
  Number: module.exports.isNumberObject,
  String: module.exports.isStringObject,
  Boolean: module.exports.isBooleanObject,
  BigInt: module.exports.isBigIntObject,
  Symbol: module.exports.isSymbolObject,
};
