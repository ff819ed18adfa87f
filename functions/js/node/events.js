'use strict';
// Node's events: the npm package "events" (vendor/events: the
// EventEmitter, as Node 14 had it) with what later Node versions added and
// packages use: once() with an AbortSignal, on() as an async iterator,
// errorMonitor, getEventListeners, setMaxListeners for several targets
// and addAbortListener.

const EventEmitter = require('vendor/events');
const { coded, invalidArgType } = require('internal/errors');
const { listenersOf } = require('internal/abort');

// abortError is Node's AbortError: the operation a signal cancelled.
function abortError(signal) {
  const e = coded(Error, 'ABORT_ERR', 'The operation was aborted');
  Object.defineProperty(e, 'name', { value: 'AbortError', configurable: true, writable: true });
  if (signal !== undefined) e.cause = signal.reason;
  return e;
}

function signalOf(options) {
  const signal = options == null ? undefined : options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    const e = invalidArgType('options.signal', 'AbortSignal', signal);
    e.message = e.message.replace(' argument ', ' property ');
    throw e;
  }
  return signal;
}

// listen adds listener for name to an EventEmitter or an EventTarget and
// returns what removes it.
function listen(emitter, name, listener) {
  if (typeof emitter.on === 'function') {
    emitter.on(name, listener);
    return () => emitter.removeListener(name, listener);
  }
  if (typeof emitter.addEventListener === 'function') {
    const wrap = (event) => listener(event);
    emitter.addEventListener(name, wrap);
    return () => emitter.removeEventListener(name, wrap);
  }
  throw invalidArgType('emitter', 'EventEmitter', emitter);
}

// once is a promise of the arguments of the next name event (of an
// EventTarget: [event]); an 'error' event first rejects it, and so does
// options.signal's abort, with an AbortError.
function once(emitter, name, options) {
  return new Promise((resolve, reject) => {
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const offs = [];
    const done = () => offs.forEach((off) => off());
    offs.push(listen(emitter, name, function () {
      done();
      resolve(Array.prototype.slice.call(arguments));
    }));
    if (name !== 'error' && typeof emitter.on === 'function') {
      offs.push(listen(emitter, 'error', (err) => {
        done();
        reject(err);
      }));
    }
    if (signal !== undefined) {
      const onAbort = () => {
        done();
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      offs.push(() => signal.removeEventListener('abort', onAbort));
    }
  });
}

// on is an async iterator of the arguments of every name event, from now
// until it is returned from (a for await's break), an 'error' event
// (thrown by the next next()), or options.signal's abort.
function on(emitter, name, options) {
  const signal = signalOf(options);
  if (signal !== undefined && signal.aborted) throw abortError(signal);
  const events = [];
  const waiting = [];
  let error = null;
  let finished = false;
  const offs = [];
  const stop = () => {
    finished = true;
    offs.forEach((off) => off());
    offs.length = 0;
  };
  const fail = (err) => {
    stop();
    const w = waiting.shift();
    if (w !== undefined) w.reject(err);
    else error = err;
    while (waiting.length > 0) waiting.shift().resolve({ value: undefined, done: true });
  };
  offs.push(listen(emitter, name, function () {
    const args = Array.prototype.slice.call(arguments);
    const w = waiting.shift();
    if (w !== undefined) w.resolve({ value: args, done: false });
    else events.push(args);
  }));
  if (name !== 'error' && typeof emitter.on === 'function') offs.push(listen(emitter, 'error', fail));
  if (signal !== undefined) {
    const onAbort = () => fail(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    offs.push(() => signal.removeEventListener('abort', onAbort));
  }
  const iterator = {
    next() {
      if (events.length > 0) return Promise.resolve({ value: events.shift(), done: false });
      if (error !== null) {
        const e = error;
        error = null;
        return Promise.reject(e);
      }
      if (finished) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      stop();
      events.length = 0;
      while (waiting.length > 0) waiting.shift().resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err) {
      fail(err);
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}

// errorMonitor listeners see an 'error' event before its listeners do
// (and before an unhandled one throws), without handling it.
const errorMonitor = Symbol('events.errorMonitor');
const emit = EventEmitter.prototype.emit;
EventEmitter.prototype.emit = function (type) {
  if (type === 'error' && this._events !== undefined && this._events[errorMonitor] !== undefined) {
    const args = Array.prototype.slice.call(arguments);
    args[0] = errorMonitor;
    emit.apply(this, args);
  }
  return emit.apply(this, arguments);
};

// getEventListeners is an emitter's (or an EventTarget's) listeners of name.
function getEventListeners(emitter, name) {
  if (emitter !== null && typeof emitter === 'object' && typeof emitter.listeners === 'function') return emitter.listeners(name);
  return listenersOf(emitter, name);
}

// setMaxListeners sets n on each emitter given (or, with none, the
// default); an EventTarget (an AbortSignal) has no limit to set.
function setMaxListeners(n = EventEmitter.defaultMaxListeners, ...targets) {
  if (typeof n !== 'number' || n < 0 || Number.isNaN(n)) {
    throw coded(RangeError, 'ERR_OUT_OF_RANGE', `The value of "n" is out of range. It must be a non-negative number. Received ${String(n)}`);
  }
  if (targets.length === 0) {
    EventEmitter.defaultMaxListeners = n;
    return;
  }
  for (const t of targets) {
    if (t !== null && typeof t === 'object' && typeof t.setMaxListeners === 'function') t.setMaxListeners(n);
    else if (t === null || typeof t !== 'object' || typeof t.addEventListener !== 'function') {
      throw invalidArgType('eventTargets', 'EventEmitter or EventTarget', t);
    }
  }
}

// addAbortListener calls listener once signal aborts (at once, later, if
// it already has) and returns a disposable that removes it.
function addAbortListener(signal, listener) {
  if (signal === undefined || signal === null || typeof signal !== 'object' || !('aborted' in signal)) {
    throw invalidArgType('signal', 'AbortSignal', signal);
  }
  if (typeof listener !== 'function') throw invalidArgType('listener', 'function', listener);
  let remove = () => {};
  if (signal.aborted) {
    queueMicrotask(() => listener());
  } else {
    signal.addEventListener('abort', listener, { once: true });
    remove = () => signal.removeEventListener('abort', listener);
  }
  return { [Symbol.dispose]: remove };
}

EventEmitter.once = once;
EventEmitter.on = on;
EventEmitter.errorMonitor = errorMonitor;
EventEmitter.getEventListeners = getEventListeners;
EventEmitter.setMaxListeners = setMaxListeners;
EventEmitter.addAbortListener = addAbortListener;
module.exports = EventEmitter;
