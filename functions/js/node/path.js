'use strict';
// require('path'): Node's path, POSIX flavor. A function's folder is "/"
// and its working directory (process.cwd()), so resolve() starts there.

const { invalidArgType } = require('internal/errors');

function check(p, name) {
  if (typeof p !== 'string') throw invalidArgType(name || 'path', 'string', p);
}

// segments returns p's segments with "." dropped and ".." applied; a ".."
// above the start is kept when the path is relative, dropped when absolute.
function segments(p, absolute) {
  const out = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s !== '..') out.push(s);
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (!absolute) out.push('..');
  }
  return out;
}

function normalize(p) {
  check(p);
  if (p === '') return '.';
  const absolute = p[0] === '/';
  let r = segments(p, absolute).join('/');
  if (r === '' && !absolute) r = '.';
  if (r !== '' && p[p.length - 1] === '/') r += '/';
  return absolute ? '/' + r : r;
}

function join(...parts) {
  const kept = [];
  for (const p of parts) {
    check(p);
    if (p !== '') kept.push(p);
  }
  return kept.length === 0 ? '.' : normalize(kept.join('/'));
}

function resolve(...parts) {
  let p = '';
  for (let i = parts.length - 1; i >= 0 && p[0] !== '/'; i--) {
    check(parts[i]);
    if (parts[i] !== '') p = p === '' ? parts[i] : parts[i] + '/' + p;
  }
  if (p[0] !== '/') p = process.cwd() + '/' + p;
  return '/' + segments(p, true).join('/');
}

function isAbsolute(p) {
  check(p);
  return p[0] === '/';
}

function relative(from, to) {
  check(from, 'from');
  check(to, 'to');
  const f = segments(resolve(from), true);
  const t = segments(resolve(to), true);
  let i = 0;
  while (i < f.length && i < t.length && f[i] === t[i]) i++;
  return [...f.slice(i).map(() => '..'), ...t.slice(i)].join('/');
}

// trimEnd drops trailing slashes, keeping a lone "/".
function trimEnd(p) {
  let end = p.length;
  while (end > 1 && p[end - 1] === '/') end--;
  return p.slice(0, end);
}

// split returns p without trailing slashes cut at its last slash: the
// directory part (before it, or -1 for none) and the base (after it).
function split(p) {
  const t = trimEnd(p);
  if (t === '/') return { t, i: 0, base: '' };
  const i = t.lastIndexOf('/');
  return { t, i, base: t.slice(i + 1) };
}

function dirname(p) {
  check(p);
  const { t, i } = split(p);
  if (i < 0) return '.';
  if (i === 0) return '/';
  if (i === 1 && t[0] === '/') return '//';
  return t.slice(0, i);
}

function basename(p, suffix) {
  check(p);
  if (suffix !== undefined) check(suffix, 'ext');
  let { base } = split(p);
  if (suffix !== undefined && suffix !== base && base.endsWith(suffix)) base = base.slice(0, base.length - suffix.length);
  return base;
}

// extOf is the extension of a base name: from its last dot, unless that
// dot starts it (".profile") or the name is "..".
function extOf(base) {
  const i = base.lastIndexOf('.');
  return i <= 0 || base === '..' ? '' : base.slice(i);
}

function extname(p) {
  check(p);
  return extOf(split(p).base);
}

function parse(p) {
  check(p);
  const root = p[0] === '/' ? '/' : '';
  const { t, i, base } = split(p);
  const ext = extOf(base);
  const dir = i > 0 ? t.slice(0, i) : root;
  return { root, dir, base, ext, name: base.slice(0, base.length - ext.length) };
}

function format(obj) {
  if (obj === null || typeof obj !== 'object') throw invalidArgType('pathObject', 'object', obj);
  const dir = obj.dir || obj.root;
  let ext = obj.ext || '';
  if (ext !== '' && ext[0] !== '.') ext = '.' + ext;
  const base = obj.base || (obj.name || '') + ext;
  if (!dir) return base;
  return dir === obj.root ? dir + base : dir + '/' + base;
}

const path = {
  sep: '/',
  delimiter: ':',
  normalize,
  join,
  resolve,
  isAbsolute,
  relative,
  dirname,
  basename,
  extname,
  parse,
  format,
  toNamespacedPath: (p) => p,
};
path.posix = path;
module.exports = path;
