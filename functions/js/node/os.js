'use strict';
// require('os'): fixed, harmless values, nothing of the host. A function
// sees one CPU, its memorySize as the machine's memory, and Linux (what
// CloudBase runs).

const signals = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17, SIGSTKFLT: 16,
  SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
  SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31,
};
const errno = {
  E2BIG: 7, EACCES: 13, EADDRINUSE: 98, EADDRNOTAVAIL: 99, EAGAIN: 11, EALREADY: 114, EBADF: 9, EBUSY: 16,
  ECANCELED: 125, ECONNABORTED: 103, ECONNREFUSED: 111, ECONNRESET: 104, EEXIST: 17, EHOSTUNREACH: 113, EINTR: 4,
  EINVAL: 22, EIO: 5, EISCONN: 106, EISDIR: 21, ELOOP: 40, EMFILE: 24, ENAMETOOLONG: 36, ENETDOWN: 100,
  ENETUNREACH: 101, ENFILE: 23, ENOENT: 2, ENOMEM: 12, ENOSPC: 28, ENOSYS: 38, ENOTCONN: 107, ENOTDIR: 20,
  ENOTEMPTY: 39, ENOTSOCK: 88, ENOTSUP: 95, EPERM: 1, EPIPE: 32, EROFS: 30, ESPIPE: 29, ETIMEDOUT: 110, EXDEV: 18,
};
const priority = { PRIORITY_LOW: 19, PRIORITY_BELOW_NORMAL: 10, PRIORITY_NORMAL: 0, PRIORITY_ABOVE_NORMAL: -7, PRIORITY_HIGH: -14, PRIORITY_HIGHEST: -20 };
const home = '/home/user';

module.exports = {
  EOL: '\n',
  devNull: '/dev/null',
  constants: { signals, errno, priority, dlopen: {}, UV_UDP_REUSEADDR: 4 },
  arch: () => 'x64',
  machine: () => 'x86_64',
  platform: () => 'linux',
  type: () => 'Linux',
  release: () => '5.15.0',
  version: () => '#1 SMP',
  hostname: () => 'localhost',
  homedir: () => home,
  tmpdir: () => '/tmp',
  endianness: () => 'LE',
  availableParallelism: () => 1,
  cpus: () => [{ model: 'minibase', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }],
  totalmem: () => natives.memory,
  freemem: () => natives.memory,
  uptime: () => Math.floor(process.uptime()),
  loadavg: () => [0, 0, 0],
  networkInterfaces: () => ({}),
  userInfo: (opts) => {
    const enc = (s) => (opts && opts.encoding === 'buffer' ? Buffer.from(s) : s);
    return { uid: 1000, gid: 1000, username: enc('user'), homedir: enc(home), shell: null };
  },
  getPriority: () => 0,
  setPriority: () => {},
};
