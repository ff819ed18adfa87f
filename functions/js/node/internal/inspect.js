'use strict';
// util.inspect: values as Node prints them, for messages and logs. It
// follows Node's format for what functions print (primitives, arrays,
// objects, class instances, Map, Set, Date, RegExp, Error, Buffer, typed
// arrays, functions, circular references, depth); long arrays are not
// grouped in columns, and an object goes on one line when it fits in
// breakLength, else one entry a line.

const types = require('internal/types');

const custom = Symbol.for('nodejs.util.inspect.custom');
const defaultOptions = {
  showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false,
  maxArrayLength: 100, maxStringLength: 10000, breakLength: 80, compact: 3, sorted: false, getters: false,
};

const identifier = /^[A-Za-z_$][\w$]*$/;

function quote(s) {
  const q = !s.includes("'") ? "'" : !s.includes('"') ? '"' : !s.includes('`') ? '`' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).toUpperCase().padStart(2, '0');
    else out += ch;
  }
  return q + out + q;
}

function keyText(k) {
  if (typeof k === 'symbol') return `[${k.toString()}]`;
  return identifier.test(k) ? k : quote(k);
}

function primitive(v, ctx) {
  switch (typeof v) {
    case 'string': {
      const max = ctx.maxStringLength;
      if (max !== null && v.length > max) return quote(v.slice(0, max)) + `... ${v.length - max} more character${v.length - max > 1 ? 's' : ''}`;
      return quote(v);
    }
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'symbol':
      return v.toString();
    default:
      return String(v);
  }
}

function functionBase(fn) {
  const src = Function.prototype.toString.call(fn);
  if (src.startsWith('class') && /^class\b/.test(src)) return `[class ${fn.name || '(anonymous)'}]`;
  let kind = 'Function';
  if (types.isAsyncFunction(fn)) kind = 'AsyncFunction';
  else if (types.isGeneratorFunction(fn)) kind = 'GeneratorFunction';
  return `[${kind}${fn.name ? ': ' + fn.name : ' (anonymous)'}]`;
}

function constructorName(o) {
  let p = o;
  while (p !== null) {
    const d = Object.getOwnPropertyDescriptor(p, 'constructor');
    if (d && typeof d.value === 'function' && d.value.name !== '') return d.value.name;
    p = Object.getPrototypeOf(p);
  }
  return null;
}

function prefix(name, tag, fallback, size) {
  if (name === null) return `[${fallback}: null prototype] `;
  let s = name;
  if (size !== undefined) s += `(${size})`;
  if (tag && tag !== name) s += ` [${tag}]`;
  return s === fallback && size === undefined ? '' : s + ' ';
}

function inspectValue(v, ctx, depth) {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return primitive(v, ctx);
  if (ctx.customInspect) {
    const f = v[custom];
    if (typeof f === 'function' && f !== inspect) {
      const r = f.call(v, ctx.depth - depth, Object.assign({}, ctx, { stylize: (s) => s }), inspect);
      if (r !== v) return typeof r === 'string' ? r : inspectValue(r, ctx, depth);
    }
  }
  if (ctx.seen.includes(v)) {
    let i = ctx.circular.get(v);
    if (i === undefined) ctx.circular.set(v, (i = ctx.circular.size + 1));
    return `[Circular *${i}]`;
  }
  return formatObject(v, ctx, depth);
}

function ownEntries(o, ctx, skip) {
  const out = [];
  const keys = ctx.showHidden ? Reflect.ownKeys(o) : Object.keys(o).concat(Object.getOwnPropertySymbols(o).filter((s) => Object.prototype.propertyIsEnumerable.call(o, s)));
  if (ctx.sorted) keys.sort();
  for (const k of keys) {
    if (skip && skip(k)) continue;
    out.push([k, Object.getOwnPropertyDescriptor(o, k)]);
  }
  return out;
}

function property(k, d, ctx, depth, arrayItem) {
  let text;
  if (d.get || d.set) text = d.get && d.set ? '[Getter/Setter]' : d.get ? '[Getter]' : '[Setter]';
  else text = inspectValue(d.value, ctx, depth + 1);
  if (arrayItem) return text;
  return `${d.enumerable ? keyText(k) : `[${keyText(k)}]`}: ${text}`;
}

function formatObject(o, ctx, depth) {
  const name = constructorName(o);
  const tag = o[Symbol.toStringTag];
  let base = '';
  let braces = ['{', '}'];
  let items = [];
  let skip = null;
  if (typeof o === 'function') {
    base = functionBase(o);
    skip = (k) => k === 'prototype';
    if (Object.keys(o).length === 0) return base;
  } else if (Array.isArray(o)) {
    braces = [prefix(name, tag, 'Array', o.length !== 0 && name !== 'Array' ? o.length : undefined) + '[', ']'];
    if (braces[0] === '[' && o.length === 0 && Object.keys(o).length === 0) return '[]';
    skip = (k) => typeof k === 'string' && /^(0|[1-9]\d*)$/.test(k);
  } else if (typeof Buffer === 'function' && o instanceof Buffer) {
    const n = Math.min(o.length, 50);
    let hex = '';
    for (let i = 0; i < n; i++) hex += ' ' + o[i].toString(16).padStart(2, '0');
    return `<${name || 'Buffer'}${hex}${o.length > 50 ? ` ... ${o.length - 50} more byte${o.length > 51 ? 's' : ''}` : ''}>`;
  } else if (types.isTypedArray(o)) {
    braces = [`${name || tag}(${o.length}) [`, ']'];
    skip = (k) => typeof k === 'string' && /^(0|[1-9]\d*)$/.test(k);
  } else if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o);
    base = Number.isNaN(t) ? 'Invalid Date' : Date.prototype.toISOString.call(o);
    if (Object.keys(o).length === 0) return base;
  } else if (types.isRegExp(o)) {
    base = RegExp.prototype.toString.call(o);
    if (Object.keys(o).length === 0) return base;
  } else if (o instanceof Error) {
    base = errorBase(o);
    skip = (k) => k === 'stack' || k === 'message';
    if (ownEntries(o, ctx, skip).length === 0) return base;
  } else if (types.isMap(o)) {
    braces = [prefix(name, tag, 'Map', o.size) + '{', '}'];
  } else if (types.isSet(o)) {
    braces = [prefix(name, tag, 'Set', o.size) + '{', '}'];
  } else if (types.isArrayBuffer(o)) {
    braces = [`${name || 'ArrayBuffer'} {`, '}'];
  } else if (types.isPromise(o)) {
    braces = [prefix(name, tag, 'Promise') + '{', '}'];
    if (braces[0] === '{') braces[0] = 'Promise {';
  } else if (types.isBoxedPrimitive(o)) {
    const p = o.valueOf();
    base = `[${typeof p === 'bigint' ? 'BigInt' : name}: ${primitive(p, ctx)}]`;
    skip = (k) => typeof o === 'object' && typeof p === 'string' && /^(0|[1-9]\d*)$/.test(k) || k === 'length';
    if (ownEntries(o, ctx, skip).length === 0) return base;
  } else if (types.isArgumentsObject(o)) {
    braces = ['[Arguments] [', ']'];
    skip = (k) => typeof k === 'string' && /^(0|[1-9]\d*)$/.test(k);
  } else {
    const p = prefix(name, tag, 'Object');
    braces = [p + '{', '}'];
    if (p === '' && ownEntries(o, ctx).length === 0) return '{}';
  }
  if (depth > ctx.depth) {
    if (Array.isArray(o)) return '[Array]';
    return `[${name || tag || 'Object'}]`;
  }
  ctx.seen.push(o);
  try {
    if (Array.isArray(o) || types.isTypedArray(o) || types.isArgumentsObject(o)) items = listItems(o, ctx, depth);
    else if (types.isMap(o)) items = mapItems(o, ctx, depth);
    else if (types.isSet(o)) items = setItems(o, ctx, depth);
    else if (types.isArrayBuffer(o)) items = bufferItems(o);
    else if (types.isPromise(o)) items = [promiseState(o, ctx, depth)];
    for (const [k, d] of ownEntries(o, ctx, skip)) items.push(property(k, d, ctx, depth, false));
  } finally {
    ctx.seen.pop();
  }
  const ref = ctx.circular.get(o);
  if (ref !== undefined) {
    const mark = `<ref *${ref}> `;
    if (base !== '') base = mark + base;
    else braces[0] = mark + braces[0];
  }
  return join(base, braces, items, ctx, depth);
}

function errorBase(e) {
  const stack = e.stack;
  if (typeof stack === 'string' && stack !== '') return stack;
  return Error.prototype.toString.call(e);
}

function listItems(o, ctx, depth) {
  const out = [];
  const n = o.length;
  const max = Math.min(n, ctx.maxArrayLength);
  let holes = 0;
  for (let i = 0; i < max; i++) {
    if (!Object.prototype.hasOwnProperty.call(o, i)) {
      holes++;
      continue;
    }
    if (holes > 0) {
      out.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
      holes = 0;
    }
    out.push(inspectValue(o[i], ctx, depth + 1));
  }
  if (holes > 0) out.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
  if (n > max) out.push(`... ${n - max} more item${n - max > 1 ? 's' : ''}`);
  return out;
}

function mapItems(m, ctx, depth) {
  const out = [];
  for (const [k, v] of m) {
    if (out.length >= ctx.maxArrayLength) {
      out.push(`... ${m.size - out.length} more item${m.size - out.length > 1 ? 's' : ''}`);
      break;
    }
    out.push(`${inspectValue(k, ctx, depth + 1)} => ${inspectValue(v, ctx, depth + 1)}`);
  }
  return out;
}

function setItems(s, ctx, depth) {
  const out = [];
  for (const v of s) {
    if (out.length >= ctx.maxArrayLength) {
      out.push(`... ${s.size - out.length} more item${s.size - out.length > 1 ? 's' : ''}`);
      break;
    }
    out.push(inspectValue(v, ctx, depth + 1));
  }
  return out;
}

function bufferItems(ab) {
  const bytes = new Uint8Array(ab);
  let hex = '';
  for (let i = 0; i < Math.min(bytes.length, 50); i++) hex += (i ? ' ' : '') + bytes[i].toString(16).padStart(2, '0');
  if (bytes.length > 50) hex += ` ... ${bytes.length - 50} more byte${bytes.length > 51 ? 's' : ''}`;
  return [`[Uint8Contents]: <${hex}>`, `byteLength: ${bytes.length}`];
}

function promiseState(p, ctx, depth) {
  const s = natives.promiseState(p);
  if (s.state === 'pending') return '<pending>';
  const v = inspectValue(s.value, ctx, depth + 1);
  return s.state === 'rejected' ? `<rejected> ${v}` : v;
}

function join(base, braces, items, ctx, depth) {
  const indent = ' '.repeat(depth * 2);
  if (items.length === 0) {
    if (base !== '') return `${base} ${braces[0]}${braces[1]}`.replace(/ \{\}$/, ' {}');
    return `${braces[0]}${braces[1]}`;
  }
  const head = base !== '' ? `${base} ${braces[0]}` : braces[0];
  let total = items.length + head.length + indent.length;
  for (const it of items) total += it.length;
  if (ctx.compact !== false && total + items.length <= ctx.breakLength && !items.some((s) => s.includes('\n')) && !base.includes('\n')) {
    return `${head} ${items.join(', ')} ${braces[1]}`;
  }
  const nl = '\n' + indent;
  return `${head}${nl}  ${items.join(`,${nl}  `)}${nl}${braces[1]}`;
}

function inspect(value, opts) {
  const ctx = Object.assign({}, defaultOptions, inspect.defaultOptions);
  if (typeof opts === 'boolean') ctx.showHidden = opts;
  else if (opts !== null && typeof opts === 'object') Object.assign(ctx, opts);
  if (arguments.length > 2 && arguments[2] !== undefined) ctx.depth = arguments[2];
  if (ctx.depth === null) ctx.depth = Infinity;
  if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
  ctx.seen = [];
  ctx.circular = new Map();
  return inspectValue(value, ctx, 0);
}
inspect.custom = custom;
inspect.defaultOptions = Object.assign({}, defaultOptions);
inspect.colors = Object.create(null);
inspect.styles = Object.create(null);

module.exports = { inspect, quote };
