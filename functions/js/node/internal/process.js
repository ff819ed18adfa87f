'use strict';
// What Node packages read of process beyond env and nextTick, with
// harmless values: made for an instance when it first reads one of them
// (bind_process.go's processProto serves these as process's inherited
// properties). natives: pid, hrtime() (nanoseconds since the instance
// started), exit(code).

const { unsupported } = require('internal/errors');

const proc = process;
const hrtime = natives.hrtime;

function hr(prev) {
  const ns = hrtime();
  let s = Math.floor(ns / 1e9);
  let n = ns % 1e9;
  if (prev) {
    s -= prev[0];
    n -= prev[1];
    if (n < 0) {
      s--;
      n += 1e9;
    }
  }
  return [s, n];
}
hr.bigint = () => BigInt(hrtime());

// process is an event emitter; its events are the function's own (the
// runtime emits none).
const events = new Map();
const on = (prepend, once) => function (name, listener) {
  if (typeof listener !== 'function') throw new TypeError('The "listener" argument must be of type function');
  const list = events.get(name) || [];
  const entry = { listener, once };
  events.set(name, prepend ? [entry, ...list] : [...list, entry]);
  return proc;
};
const off = (name, listener) => {
  events.set(name, (events.get(name) || []).filter((e) => e.listener !== listener));
  return proc;
};
const listeners = (name) => (events.get(name) || []).map((e) => e.listener);

// stdout and stderr write to the invocation's log, a line per write.
const stream = (fd, log) => ({
  fd,
  isTTY: false,
  writable: true,
  write(chunk, encoding, cb) {
    log(String(chunk).replace(/\n$/, ''));
    if (typeof encoding === 'function') cb = encoding;
    if (typeof cb === 'function') queueMicrotask(cb);
    return true;
  },
  end() {},
  on() {
    return this;
  },
  once() {
    return this;
  },
  off() {
    return this;
  },
  removeListener() {
    return this;
  },
  emit() {
    return false;
  },
});
let stdout;
let stderr;

module.exports = {
  version: 'v18.15.0',
  versions: { node: '18.15.0', v8: '10.2.154.26-node.25', uv: '1.44.2', zlib: '1.2.13', brotli: '1.0.9', modules: '108', unicode: '15.0' },
  release: { name: 'node', lts: 'Hydrogen' },
  arch: 'x64',
  platform: 'linux',
  title: 'node',
  argv: ['/usr/bin/node', '/index.js'],
  argv0: 'node',
  execArgv: [],
  execPath: '/usr/bin/node',
  pid: natives.pid,
  ppid: 1,
  exitCode: undefined,
  features: { inspector: false, debug: false, uv: true, ipv6: true, tls_alpn: true, tls_sni: true, tls_ocsp: true, tls: true },
  config: { target_defaults: {}, variables: {} },
  allowedNodeEnvironmentFlags: new Set(),
  cwd: () => '/',
  chdir() {
    throw unsupported('process.chdir()');
  },
  umask: () => 0o22,
  getuid: () => 1000,
  geteuid: () => 1000,
  getgid: () => 1000,
  getegid: () => 1000,
  uptime: () => hrtime() / 1e9,
  hrtime: hr,
  memoryUsage: Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 }),
  cpuUsage: () => ({ user: 0, system: 0 }),
  // exit and abort end the invocation (and its instance), as they end a
  // Node container.
  exit: (code) => natives.exit(code === undefined ? proc.exitCode : code),
  abort: () => natives.exit(undefined, true),
  kill() {
    throw unsupported('process.kill()');
  },
  dlopen() {
    throw unsupported('process.dlopen()');
  },
  binding() {
    throw unsupported('process.binding()');
  },
  emitWarning(warning, type, code) {
    if (type !== null && typeof type === 'object') ({ type, code } = type);
    const e = typeof warning === 'string' ? Object.assign(new Error(warning), { name: type || 'Warning' }) : warning;
    if (code !== undefined) e.code = code;
    if (!proc.emit('warning', e)) console.warn(`(node:${natives.pid}) ${e.code ? `[${e.code}] ` : ''}${e.name}: ${e.message}`);
  },
  on: on(false, false),
  addListener: on(false, false),
  prependListener: on(true, false),
  once: on(false, true),
  prependOnceListener: on(true, true),
  off,
  removeListener: off,
  removeAllListeners(name) {
    if (name === undefined) events.clear();
    else events.delete(name);
    return proc;
  },
  emit(name, ...args) {
    const list = events.get(name) || [];
    for (const e of list) {
      if (e.once) off(name, e.listener);
      e.listener.apply(proc, args);
    }
    return list.length > 0;
  },
  listeners,
  rawListeners: listeners,
  listenerCount: (name) => (events.get(name) || []).length,
  eventNames: () => [...events.keys()].filter((k) => events.get(k).length > 0),
  setMaxListeners: () => proc,
  getMaxListeners: () => 10,
  get stdout() {
    return stdout || (stdout = stream(1, console.log));
  },
  get stderr() {
    return stderr || (stderr = stream(2, console.error));
  },
};
