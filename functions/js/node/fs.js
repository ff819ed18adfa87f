'use strict';
// require('fs'): the function's own files, read-only. Its folder is "/"
// (resolved in Go: bind_fs.go); reads work in the sync, callback and
// promise forms, with streams; every write fails with EROFS, as on a
// read-only file system. Times are the epoch: a version's files never
// change.

const { systemError, invalidArgType, coded, unsupported } = require('internal/errors');

const errnos = {
  ENOENT: [-2, 'no such file or directory'],
  EACCES: [-13, 'permission denied (a function reads only the files of its own folder)'],
  EROFS: [-30, 'read-only file system'],
  EISDIR: [-21, 'illegal operation on a directory'],
  ENOTDIR: [-20, 'not a directory'],
  EBADF: [-9, 'bad file descriptor'],
  EMFILE: [-24, 'too many open files'],
};

const constants = {
  UV_FS_SYMLINK_DIR: 1, UV_FS_SYMLINK_JUNCTION: 2, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, UV_DIRENT_UNKNOWN: 0,
  UV_DIRENT_FILE: 1, UV_DIRENT_DIR: 2, UV_DIRENT_LINK: 3, UV_DIRENT_FIFO: 4, UV_DIRENT_SOCKET: 5, UV_DIRENT_CHAR: 6,
  UV_DIRENT_BLOCK: 7, S_IFMT: 61440, S_IFREG: 32768, S_IFDIR: 16384, S_IFCHR: 8192, S_IFBLK: 24576, S_IFIFO: 4096,
  S_IFLNK: 40960, S_IFSOCK: 49152, O_CREAT: 64, O_EXCL: 128, UV_FS_O_FILEMAP: 0, O_NOCTTY: 256, O_TRUNC: 512,
  O_APPEND: 1024, O_DIRECTORY: 65536, O_NOATIME: 262144, O_NOFOLLOW: 131072, O_SYNC: 1052672, O_DSYNC: 4096,
  O_DIRECT: 16384, O_NONBLOCK: 2048, S_IRWXU: 448, S_IRUSR: 256, S_IWUSR: 128, S_IXUSR: 64, S_IRWXG: 56, S_IRGRP: 32,
  S_IWGRP: 16, S_IXGRP: 8, S_IRWXO: 7, S_IROTH: 4, S_IWOTH: 2, S_IXOTH: 1, F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1,
  UV_FS_COPYFILE_EXCL: 1, COPYFILE_EXCL: 1, UV_FS_COPYFILE_FICLONE: 2, COPYFILE_FICLONE: 2,
  UV_FS_COPYFILE_FICLONE_FORCE: 4, COPYFILE_FICLONE_FORCE: 4,
};

function fail(code, syscall, path, dest) {
  const [errno, text] = errnos[code];
  return systemError(code, errno, text, syscall, path, dest);
}

// toPath turns what Node accepts as a path (a string, a Buffer, a file:
// URL) into a string.
function toPath(p, name) {
  if (typeof p === 'string') {
    if (p.includes('\u0000')) throw coded(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument '${name || 'path'}' must be a string, Uint8Array, or URL without null bytes. Received ${JSON.stringify(p)}`);
    return p;
  }
  if (p instanceof Uint8Array) return toPath(Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString(), name);
  if (p instanceof URL) return require('url').fileURLToPath(p);
  throw invalidArgType(name || 'path', 'string or an instance of Buffer or URL', p);
}

function lookup(p, syscall) {
  const path = toPath(p);
  const r = natives.lookup(path);
  if (r.error) throw fail(r.error, syscall, path);
  return r;
}

function encodingOf(options, fallback) {
  if (typeof options === 'string') return options;
  if (options && typeof options === 'object' && options.encoding !== undefined) return options.encoding;
  return fallback;
}

function decode(buf, encoding) {
  return encoding === null || encoding === undefined || encoding === 'buffer' ? buf : buf.toString(encoding);
}

const writeFlags = /[wa+]/;

class Stats {
  constructor(r) {
    const file = !r.dir;
    this.dev = 2049;
    this.mode = file ? 0o100444 : 0o40555;
    this.nlink = 1;
    this.uid = 1000;
    this.gid = 1000;
    this.rdev = 0;
    this.blksize = 4096;
    this.ino = r.ino;
    this.size = r.size;
    this.blocks = Math.ceil(r.size / 512);
    this.atimeMs = this.mtimeMs = this.ctimeMs = this.birthtimeMs = 0;
    this.atime = new Date(0);
    this.mtime = new Date(0);
    this.ctime = new Date(0);
    this.birthtime = new Date(0);
  }
  isFile() {
    return (this.mode & constants.S_IFMT) === constants.S_IFREG;
  }
  isDirectory() {
    return (this.mode & constants.S_IFMT) === constants.S_IFDIR;
  }
  isSymbolicLink() {
    return false;
  }
  isBlockDevice() {
    return false;
  }
  isCharacterDevice() {
    return false;
  }
  isFIFO() {
    return false;
  }
  isSocket() {
    return false;
  }
}

function bigintStats(s) {
  for (const k of Object.keys(s)) if (typeof s[k] === 'number') s[k] = BigInt(Math.trunc(s[k]));
  s.atimeNs = s.mtimeNs = s.ctimeNs = s.birthtimeNs = 0n;
  return s;
}

class Dirent {
  constructor(name, dir, parentPath) {
    this.name = name;
    this.parentPath = parentPath;
    this.path = parentPath;
    Object.defineProperty(this, '_dir', { value: dir });
  }
  isFile() {
    return !this._dir;
  }
  isDirectory() {
    return this._dir;
  }
  isSymbolicLink() {
    return false;
  }
  isBlockDevice() {
    return false;
  }
  isCharacterDevice() {
    return false;
  }
  isFIFO() {
    return false;
  }
  isSocket() {
    return false;
  }
}

// ---- the synchronous forms ----

function statSync(p, options) {
  let r;
  try {
    r = lookup(p, 'stat');
  } catch (e) {
    if (options && options.throwIfNoEntry === false && e.code === 'ENOENT') return undefined;
    throw e;
  }
  const s = new Stats(r);
  return options && options.bigint ? bigintStats(s) : s;
}

function existsSync(p) {
  try {
    return !natives.lookup(toPath(p)).error;
  } catch {
    return false;
  }
}

function accessSync(p, mode) {
  const r = lookup(p, 'access');
  if (mode & constants.W_OK) throw fail('EROFS', 'access', toPath(p));
  if (mode & constants.X_OK && !r.dir) throw fail('EACCES', 'access', toPath(p));
}

function readFileSync(p, options) {
  const encoding = encodingOf(options, null);
  if (typeof p === 'number') return decode(readAll(fdEntry(p, 'read')), encoding);
  const flag = (options && typeof options === 'object' && options.flag) || 'r';
  if (writeFlags.test(flag)) throw fail('EROFS', 'open', toPath(p));
  const r = lookup(p, 'open');
  if (r.dir) throw fail('EISDIR', 'read');
  return decode(Buffer.from(natives.read(r.path, 0, r.size)), encoding);
}

function readdirSync(p, options) {
  const r = lookup(p, 'scandir');
  if (!r.dir) throw fail('ENOTDIR', 'scandir', toPath(p));
  const encoding = encodingOf(options, 'utf8');
  const withTypes = options && typeof options === 'object' && options.withFileTypes;
  const recursive = options && typeof options === 'object' && options.recursive;
  const out = [];
  const walk = (dir, prefix) => {
    for (const name of natives.list(dir)) {
      const full = dir === '/' ? '/' + name : dir + '/' + name;
      const isDir = natives.lookup(full).dir;
      const shown = prefix + name;
      if (withTypes) out.push(new Dirent(name, isDir, recursive ? (prefix ? toPath(p).replace(/\/$/, '') + '/' + prefix.slice(0, -1) : toPath(p)) : toPath(p)));
      else out.push(encoding === 'buffer' ? Buffer.from(shown) : shown);
      if (recursive && isDir) walk(full, shown + '/');
    }
  };
  walk(r.path, '');
  return out;
}

function realpathSync(p) {
  return lookup(p, 'realpath').path;
}
realpathSync.native = realpathSync;

// Open files: descriptors from 20 up (below are the process's), at most
// 1024 at once.
const fds = new Map();
let nextFd = 20;

function openSync(p, flags, mode) {
  const path = toPath(p);
  if (typeof flags === 'number' ? flags & (constants.O_WRONLY | constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND) : writeFlags.test(String(flags || 'r'))) {
    throw fail('EROFS', 'open', path);
  }
  const r = lookup(path, 'open');
  if (fds.size >= 1024) throw fail('EMFILE', 'open', path);
  while (fds.has(nextFd)) nextFd = nextFd >= 1 << 30 ? 20 : nextFd + 1;
  const fd = nextFd++;
  fds.set(fd, { r, pos: 0 });
  return fd;
}

function fdEntry(fd, syscall) {
  const e = fds.get(fd);
  if (!e) throw fail('EBADF', syscall);
  return e;
}

function readAll(e) {
  if (e.r.dir) throw fail('EISDIR', 'read');
  const b = Buffer.from(natives.read(e.r.path, e.pos, e.r.size));
  e.pos = e.r.size;
  return b;
}

function readSync(fd, buffer, offset, length, position) {
  const e = fdEntry(fd, 'read');
  if (e.r.dir) throw fail('EISDIR', 'read');
  if (offset !== null && typeof offset === 'object') ({ offset, length, position } = offset);
  if (!(buffer instanceof Uint8Array)) throw invalidArgType('buffer', 'Buffer, TypedArray, or DataView', buffer);
  offset = offset || 0;
  if (length === undefined) length = buffer.length - offset;
  const from = typeof position === 'number' && position >= 0 ? position : typeof position === 'bigint' ? Number(position) : e.pos;
  const chunk = new Uint8Array(natives.read(e.r.path, from, from + Math.min(length, buffer.length - offset)));
  buffer.set(chunk, offset);
  if (!(typeof position === 'number' && position >= 0) && typeof position !== 'bigint') e.pos += chunk.length;
  return chunk.length;
}

function fstatSync(fd, options) {
  const s = new Stats(fdEntry(fd, 'fstat').r);
  return options && options.bigint ? bigintStats(s) : s;
}

function closeSync(fd) {
  fdEntry(fd, 'close');
  fds.delete(fd);
}

// ---- writes: refused, as on a read-only file system ----

const writers = {
  writeFile: 'open', appendFile: 'open', mkdir: 'mkdir', mkdtemp: 'mkdtemp', rm: 'rm', rmdir: 'rmdir', unlink: 'unlink',
  rename: 'rename', copyFile: 'copyfile', cp: 'cp', symlink: 'symlink', link: 'link', chmod: 'chmod', lchmod: 'lchmod',
  chown: 'chown', lchown: 'lchown', utimes: 'utime', lutimes: 'lutime', truncate: 'open', opendir: null,
};

function refuseSync(syscall) {
  return (p) => {
    throw fail('EROFS', syscall, typeof p === 'string' || p instanceof Uint8Array || p instanceof URL ? toPath(p) : undefined);
  };
}

function writeSync(fd) {
  fdEntry(fd, 'write');
  throw fail('EBADF', 'write');
}

// ---- the callback forms: the synchronous work, answered on a later tick ----

function callbackify(fn, name) {
  const f = function (...args) {
    const cb = args.pop();
    if (typeof cb !== 'function') throw invalidArgType('cb', 'function', cb);
    let result;
    try {
      result = fn(...args);
    } catch (e) {
      process.nextTick(cb, e);
      return;
    }
    process.nextTick(cb, null, result);
  };
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

function exists(p, cb) {
  process.nextTick(cb, existsSync(p));
}
exists[Symbol.for('nodejs.util.promisify.custom')] = (p) => Promise.resolve(existsSync(p));

function read(fd, buffer, offset, length, position, cb) {
  const args = [fd, buffer, offset, length, position, cb];
  cb = args.filter((a) => typeof a === 'function')[0];
  if (buffer !== null && typeof buffer === 'object' && !(buffer instanceof Uint8Array)) ({ buffer, offset, length, position } = buffer);
  if (buffer === undefined || typeof buffer === 'function') buffer = Buffer.alloc(16384);
  try {
    const n = readSync(fd, buffer, typeof offset === 'function' ? 0 : offset, typeof length === 'function' ? undefined : length, typeof position === 'function' ? null : position);
    process.nextTick(cb, null, n, buffer);
  } catch (e) {
    process.nextTick(cb, e);
  }
}

// ---- streams: fs.ReadStream and fs.WriteStream, made on first use ----

let streams;
function streamClasses() {
  if (streams) return streams;
  const { Readable, Writable } = require('stream');
  class ReadStream extends Readable {
    constructor(p, options) {
      if (typeof options === 'string') options = { encoding: options };
      options = options || {};
      super({ highWaterMark: options.highWaterMark || 64 * 1024, encoding: options.encoding, emitClose: options.emitClose !== false });
      this.path = p === null || p === undefined ? undefined : toPath(p);
      this.fd = options.fd === undefined ? null : options.fd;
      this.flags = options.flags || 'r';
      this.start = options.start;
      this.end = options.end === undefined ? Infinity : options.end;
      this.pos = options.start || 0;
      this.bytesRead = 0;
      this.pending = true;
      this.autoClose = options.autoClose !== false;
    }
    _construct(cb) {
      try {
        if (this.fd === null) this.fd = openSync(this.path, this.flags);
      } catch (e) {
        return cb(e);
      }
      this.pending = false;
      process.nextTick(() => {
        this.emit('open', this.fd);
        this.emit('ready');
      });
      cb();
    }
    _read(n) {
      try {
        const size = Math.min(n || this.readableHighWaterMark, this.readableHighWaterMark, this.end + 1 - this.pos);
        if (size <= 0) return this.push(null);
        const buf = Buffer.alloc(size);
        const got = readSync(this.fd, buf, 0, size, this.pos);
        this.pos += got;
        this.bytesRead += got;
        this.push(got === 0 ? null : buf.subarray(0, got));
      } catch (e) {
        this.destroy(e);
      }
    }
    _destroy(err, cb) {
      if (this.fd !== null && this.autoClose && fds.has(this.fd)) closeSync(this.fd);
      cb(err);
    }
    close(cb) {
      if (typeof cb === 'function') this.once('close', cb);
      this.destroy();
    }
  }
  class WriteStream extends Writable {
    constructor(p) {
      super();
      this.path = toPath(p);
      this.bytesWritten = 0;
      this.pending = true;
    }
    _construct(cb) {
      cb(fail('EROFS', 'open', this.path));
    }
    close(cb) {
      if (typeof cb === 'function') this.once('close', cb);
      this.destroy();
    }
  }
  streams = { ReadStream, WriteStream };
  return streams;
}

function createReadStream(p, options) {
  return new (streamClasses().ReadStream)(p, options);
}

function createWriteStream(p) {
  return new (streamClasses().WriteStream)(p);
}

// ---- fs.promises ----

class FileHandle {
  constructor(fd) {
    this.fd = fd;
  }
  async read(buffer, offset, length, position) {
    if (buffer === undefined || (buffer !== null && typeof buffer === 'object' && !(buffer instanceof Uint8Array))) {
      ({ buffer = Buffer.alloc(16384), offset, length, position } = buffer || {});
    }
    return { bytesRead: readSync(this.fd, buffer, offset, length, position), buffer };
  }
  async readFile(options) {
    return decode(readAll(fdEntry(this.fd, 'read')), encodingOf(options, null));
  }
  async stat(options) {
    return fstatSync(this.fd, options);
  }
  async close() {
    closeSync(this.fd);
  }
  async write() {
    throw fail('EBADF', 'write');
  }
  async writeFile() {
    throw fail('EBADF', 'write');
  }
  createReadStream(options) {
    return createReadStream(null, Object.assign({}, options, { fd: this.fd }));
  }
}

const promises = {
  constants,
  readFile: async (p, options) => (p instanceof FileHandle ? p.readFile(options) : readFileSync(p, options)),
  readdir: async (p, options) => readdirSync(p, options),
  stat: async (p, options) => statSync(p, options),
  lstat: async (p, options) => statSync(p, options),
  access: async (p, mode) => accessSync(p, mode),
  realpath: async (p) => realpathSync(p),
  open: async (p, flags, mode) => new FileHandle(openSync(p, flags, mode)),
};
for (const [name, syscall] of Object.entries(writers)) {
  promises[name] = async (p) => refuseSync(syscall || 'opendir')(p);
}
promises.opendir = async () => {
  throw unsupported('fs.opendir()', 'use fs.readdir');
};

// ---- the module ----

const fs = {
  get ReadStream() {
    return streamClasses().ReadStream;
  },
  get WriteStream() {
    return streamClasses().WriteStream;
  },
  constants,
  Stats,
  Dirent,
  F_OK: 0,
  R_OK: 4,
  W_OK: 2,
  X_OK: 1,
  existsSync,
  accessSync,
  statSync,
  lstatSync: statSync,
  fstatSync,
  readFileSync,
  readdirSync,
  realpathSync,
  openSync,
  readSync,
  closeSync,
  writeSync,
  exists,
  access: callbackify((p, mode) => accessSync(p, typeof mode === 'number' ? mode : 0), 'access'),
  stat: callbackify((p, options) => statSync(p, typeof options === 'object' ? options : undefined), 'stat'),
  lstat: callbackify((p, options) => statSync(p, typeof options === 'object' ? options : undefined), 'lstat'),
  fstat: callbackify((fd, options) => fstatSync(fd, typeof options === 'object' ? options : undefined), 'fstat'),
  readFile: callbackify((p, options) => readFileSync(p, options), 'readFile'),
  readdir: callbackify((p, options) => readdirSync(p, options), 'readdir'),
  realpath: callbackify((p) => realpathSync(p), 'realpath'),
  open: callbackify((p, flags, mode) => openSync(p, typeof flags === 'function' ? undefined : flags, mode), 'open'),
  close: (fd, cb) => callbackify(closeSync, 'close')(fd, cb || (() => {})),
  write: callbackify(writeSync, 'write'),
  read,
  createReadStream,
  createWriteStream,
  promises,
  watch: () => {
    throw unsupported('fs.watch()', "a function's files do not change while it runs");
  },
  watchFile: () => {
    throw unsupported('fs.watchFile()', "a function's files do not change while it runs");
  },
  unwatchFile: () => {},
};
fs.realpath.native = fs.realpath;
for (const [name, syscall] of Object.entries(writers)) {
  if (syscall === null) continue;
  fs[name + 'Sync'] = refuseSync(syscall);
  fs[name] = (p, ...rest) => {
    const cb = rest.pop();
    process.nextTick(cb, fail('EROFS', syscall, toPath(p)));
  };
}
fs.opendirSync = () => {
  throw unsupported('fs.opendir()', 'use fs.readdir');
};
module.exports = fs;
