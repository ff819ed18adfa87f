'use strict';
// require('tls'): constants and helpers; no sockets (https requests go
// through require('https'), whose TLS is Go's).

const net = require('net');
const { unsupported } = require('internal/errors');

class TLSSocket extends net.Socket {
  constructor(socket, options) {
    super(options);
    this.encrypted = true;
    this.authorized = false;
    this.alpnProtocol = false;
  }
  getPeerCertificate() {
    return {};
  }
  getCipher() {
    return null;
  }
  getProtocol() {
    return null;
  }
}

function connect() {
  return new TLSSocket().connect();
}

function Server() {
  throw unsupported('a TLS server (tls.Server)', 'a function is served by minibase');
}

module.exports = {
  CLIENT_RENEG_LIMIT: 3,
  CLIENT_RENEG_WINDOW: 600,
  DEFAULT_CIPHERS: 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256',
  DEFAULT_ECDH_CURVE: 'auto',
  DEFAULT_MIN_VERSION: 'TLSv1.2',
  DEFAULT_MAX_VERSION: 'TLSv1.3',
  rootCertificates: Object.freeze([]),
  getCiphers: () => ['aes128-gcm-sha256', 'aes256-gcm-sha384', 'chacha20-poly1305', 'ecdhe-ecdsa-aes128-gcm-sha256', 'ecdhe-rsa-aes128-gcm-sha256'],
  checkServerIdentity: () => undefined,
  createSecureContext: (options) => ({ context: {}, options }),
  SecureContext: function SecureContext() {},
  TLSSocket,
  connect,
  createServer: Server,
  Server,
};
