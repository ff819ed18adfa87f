'use strict';
// require('dns'): lookups by Go's resolver (bind_node.go), in the callback
// and promise forms. Knowing an address gives no way to it: connections
// go through fetch, http and https, which check the address they dial.
// A name's addresses are looked up within the fetch timeout.

const net = require('net');
const { invalidArgType, coded } = require('internal/errors');

const ADDRCONFIG = 1024;
const V4MAPPED = 2048;
const ALL = 256;

function notFound(syscall, hostname) {
  const e = coded(Error, 'ENOTFOUND', `${syscall} ENOTFOUND ${hostname}`);
  e.errno = -3008;
  e.syscall = syscall;
  e.hostname = hostname;
  return e;
}

async function addresses(hostname, family, syscall) {
  if (typeof hostname !== 'string') throw invalidArgType('hostname', 'string', hostname);
  const ip = net.isIP(hostname);
  let all;
  if (ip) all = [{ address: hostname, family: ip }];
  else {
    const found = await natives.lookup(hostname).catch(() => []);
    all = found.map((address) => ({ address, family: net.isIP(address) }));
  }
  if (family === 4 || family === 6) all = all.filter((a) => a.family === family);
  if (all.length === 0) throw notFound(syscall, hostname);
  return all;
}

function lookupPromise(hostname, options) {
  if (typeof options === 'number') options = { family: options };
  options = options || {};
  const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
  return addresses(hostname, family, 'getaddrinfo').then((all) => (options.all ? all : all[0]));
}

function lookup(hostname, options, cb) {
  if (typeof options === 'function') [options, cb] = [{}, options];
  if (typeof cb !== 'function') throw invalidArgType('callback', 'function', cb);
  lookupPromise(hostname, options).then(
    (r) => (Array.isArray(r) ? cb(null, r) : cb(null, r.address, r.family)),
    (e) => cb(e),
  );
}

const resolvePromise = (family) => (hostname, options) =>
  addresses(hostname, family, family === 4 ? 'queryA' : 'queryAaaa').then((all) =>
    all.map((a) => (options && options.ttl ? { address: a.address, ttl: 0 } : a.address)));

function callbackForm(promiseFn) {
  return (hostname, options, cb) => {
    if (typeof options === 'function') [options, cb] = [undefined, options];
    promiseFn(hostname, options).then((r) => cb(null, r), (e) => cb(e));
  };
}

const promises = {
  lookup: lookupPromise,
  resolve: (hostname, rrtype) => resolvePromise(rrtype === 'AAAA' ? 6 : 4)(hostname),
  resolve4: resolvePromise(4),
  resolve6: resolvePromise(6),
  getServers: () => [],
  setServers() {},
  setDefaultResultOrder() {},
};

class Resolver {
  cancel() {}
  getServers() {
    return [];
  }
  setServers() {}
  setLocalAddress() {}
}
for (const name of ['resolve', 'resolve4', 'resolve6']) {
  Resolver.prototype[name] = function (...args) {
    return (this instanceof PromiseResolver ? promises[name] : callbackForm(promises[name]))(...args);
  };
}
class PromiseResolver extends Resolver {}
promises.Resolver = PromiseResolver;

module.exports = {
  ADDRCONFIG,
  V4MAPPED,
  ALL,
  NODATA: 'ENODATA',
  NOTFOUND: 'ENOTFOUND',
  TIMEOUT: 'ETIMEOUT',
  lookup,
  resolve: callbackForm(promises.resolve),
  resolve4: callbackForm(promises.resolve4),
  resolve6: callbackForm(promises.resolve6),
  getServers: () => [],
  setServers() {},
  setDefaultResultOrder() {},
  getDefaultResultOrder: () => 'verbatim',
  Resolver,
  promises,
};
