'use strict';
// require('querystring'): Node's legacy query string parser and writer.

function escape(s) {
  return encodeURIComponent(String(s).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

// unescape decodes %XX sequences; when they are not UTF-8 it decodes
// them byte by byte (invalid sequences become U+FFFD) and keeps malformed
// escapes, as Node's fallback does.
function unescape(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return unescapeBuffer(s).toString();
  }
}

function unescapeBuffer(s) {
  s = String(s);
  const parts = [];
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      parts.push(Buffer.from(s.slice(last, i)), Buffer.from([parseInt(s.slice(i + 1, i + 3), 16)]));
      last = i + 3;
      i += 2;
    }
  }
  parts.push(Buffer.from(s.slice(last)));
  return Buffer.concat(parts);
}

function stringifyPrimitive(v) {
  if (typeof v === 'string') return v;
  if ((typeof v === 'number' && isFinite(v)) || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return '';
}

function stringify(obj, sep, eq, options) {
  sep = sep || '&';
  eq = eq || '=';
  const encode = (options && typeof options.encodeURIComponent === 'function') ? options.encodeURIComponent : qs.escape;
  if (obj === null || typeof obj !== 'object') return '';
  const out = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const key = encode(stringifyPrimitive(k)) + eq;
    if (Array.isArray(v)) for (const item of v) out.push(key + encode(stringifyPrimitive(item)));
    else out.push(key + encode(stringifyPrimitive(v)));
  }
  return out.join(sep);
}

function parse(str, sep, eq, options) {
  const obj = Object.create(null);
  if (typeof str !== 'string' || str.length === 0) return obj;
  sep = sep || '&';
  eq = eq || '=';
  let maxKeys = 1000;
  if (options && typeof options.maxKeys === 'number') maxKeys = options.maxKeys;
  const decode = (options && typeof options.decodeURIComponent === 'function') ? options.decodeURIComponent : qs.unescape;
  let parts = str.split(sep);
  if (maxKeys > 0 && parts.length > maxKeys) parts = parts.slice(0, maxKeys);
  for (const part of parts) {
    if (part === '') continue;
    const i = part.indexOf(eq);
    const rawKey = i >= 0 ? part.slice(0, i) : part;
    const rawValue = i >= 0 ? part.slice(i + eq.length) : '';
    const key = tryDecode(rawKey.replace(/\+/g, ' '), decode);
    const value = tryDecode(rawValue.replace(/\+/g, ' '), decode);
    if (!(key in obj)) obj[key] = value;
    else if (Array.isArray(obj[key])) obj[key].push(value);
    else obj[key] = [obj[key], value];
  }
  return obj;
}

function tryDecode(s, decode) {
  try {
    return decode(s);
  } catch {
    return qs.unescape(s);
  }
}

const qs = { escape, unescape, unescapeBuffer, stringify, parse, encode: stringify, decode: parse };
module.exports = qs;
