'use strict';
// require('tty'): a function has no terminal.

const net = require('net');

class ReadStream extends net.Socket {
  constructor() {
    super();
    this.isRaw = false;
    this.isTTY = false;
  }
  setRawMode() {
    return this;
  }
}

class WriteStream extends net.Socket {
  constructor() {
    super();
    this.isTTY = false;
    this.columns = 80;
    this.rows = 24;
  }
  getColorDepth() {
    return 1;
  }
  hasColors() {
    return false;
  }
  getWindowSize() {
    return [80, 24];
  }
}

module.exports = { isatty: () => false, ReadStream, WriteStream };
