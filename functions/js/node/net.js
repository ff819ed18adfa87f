'use strict';
// require('net'): address helpers, and sockets that cannot connect: a
// function reaches the network through fetch, http and https only.

const { Duplex } = require('stream');
const { unsupported } = require('internal/errors');

const v4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIPv4(s) {
  return typeof s === 'string' && v4.test(s);
}

function isIPv6(s) {
  if (typeof s !== 'string' || !s.includes(':') || /[^0-9a-fA-F:.%\w]/.test(s)) return false;
  const addr = s.split('%')[0];
  try {
    new URL(`http://[${addr}]/`);
    return true;
  } catch {
    return false;
  }
}

const isIP = (s) => (isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0);

const noSockets = () => unsupported('a network socket', 'use fetch, http or https');

class Socket extends Duplex {
  constructor(options) {
    super(options);
    this.connecting = false;
    this.remoteAddress = undefined;
    this.remotePort = undefined;
    this.bytesRead = 0;
    this.bytesWritten = 0;
  }
  connect() {
    process.nextTick(() => this.destroy(noSockets()));
    return this;
  }
  _read() {}
  _write(chunk, encoding, cb) {
    cb(noSockets());
  }
  setTimeout() {
    return this;
  }
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  address() {
    return {};
  }
}

function connect() {
  return new Socket().connect();
}

function Server() {
  throw unsupported('a server socket (net.Server)', 'a function is served by minibase');
}

module.exports = {
  isIP,
  isIPv4,
  isIPv6,
  Socket,
  Stream: Socket,
  connect,
  createConnection: connect,
  createServer: Server,
  Server,
  getDefaultAutoSelectFamily: () => false,
  setDefaultAutoSelectFamily() {},
};
