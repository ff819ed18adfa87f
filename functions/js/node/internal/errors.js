'use strict';
// Errors as Node's built-in modules make them: a message in Node's words
// and a code (err.code) that packages test.

function coded(Ctor, code, message) {
  const e = new Ctor(message);
  Object.defineProperty(e, 'code', { value: code, writable: true, enumerable: true, configurable: true });
  return e;
}

// received says what a wrong argument was, as Node's messages end.
function received(v) {
  if (v === null || v === undefined) return ` Received ${v}`;
  if (typeof v === 'function') return ` Received function ${v.name || '<anonymous>'}`;
  if (typeof v === 'object') {
    const name = v.constructor && v.constructor.name;
    return name ? ` Received an instance of ${name}` : ' Received [object]';
  }
  let s = typeof v === 'string' ? `'${v.length > 25 ? v.slice(0, 25) + '...' : v}'` : String(v);
  if (typeof v === 'bigint') s += 'n';
  return ` Received type ${typeof v} (${s})`;
}

exports.coded = coded;

exports.invalidArgType = (name, type, value) =>
  coded(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${/^[A-Z]/.test(type) ? 'an instance of' : 'of type'} ${type}.${received(value)}`);

exports.invalidArgValue = (name, value, reason) =>
  coded(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument '${name}' ${reason || 'is invalid'}.${received(value)}`);

exports.outOfRange = (name, range, value) =>
  coded(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${String(value)}`);

// unsupported is what a function gets for what minibase's runtime does not
// do (a server socket, a child process): an Error naming it.
exports.unsupported = (what, instead) =>
  coded(Error, 'ERR_MINIBASE_UNSUPPORTED', `${what} is not available in minibase's cloud functions${instead ? ': ' + instead : ''}`);

// systemError is a failed system call as Node reports it:
// "ENOENT: no such file or directory, open '/x'" with errno, code, syscall
// and path.
exports.systemError = (code, errno, text, syscall, path, dest) => {
  let message = `${code}: ${text}, ${syscall}`;
  if (path !== undefined) message += ` '${path}'`;
  if (dest !== undefined) message += ` -> '${dest}'`;
  const e = coded(Error, code, message);
  e.errno = errno;
  e.syscall = syscall;
  if (path !== undefined) e.path = path;
  if (dest !== undefined) e.dest = dest;
  return e;
};
