'use strict';
// The Web platform's Event, EventTarget, AbortController, AbortSignal and
// DOMException, which Node has as globals (the prelude binds them on first
// use).

const codes = { IndexSizeError: 1, InvalidCharacterError: 5, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12,
  InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, TimeoutError: 23,
  DataCloneError: 25 };

class DOMException extends Error {
  constructor(message = '', options = 'Error') {
    super(String(message));
    const name = typeof options === 'object' && options !== null ? String(options.name || 'Error') : String(options);
    Object.defineProperty(this, 'name', { value: name, configurable: true, writable: true });
    if (typeof options === 'object' && options !== null && 'cause' in options) this.cause = options.cause;
  }
  get code() {
    return codes[this.name] || 0;
  }
}

class Event {
  constructor(type, init) {
    if (arguments.length === 0) throw new TypeError('The "type" argument must be specified');
    this.type = String(type);
    this.bubbles = !!(init && init.bubbles);
    this.cancelable = !!(init && init.cancelable);
    this.composed = !!(init && init.composed);
    this.defaultPrevented = false;
    this.timeStamp = Date.now();
    this.isTrusted = false;
    this.target = null;
    this.currentTarget = null;
    Object.defineProperty(this, '_stop', { value: false, writable: true });
  }
  preventDefault() {
    if (this.cancelable) this.defaultPrevented = true;
  }
  stopPropagation() {}
  stopImmediatePropagation() {
    this._stop = true;
  }
  get srcElement() {
    return this.target;
  }
  composedPath() {
    return this.currentTarget ? [this.currentTarget] : [];
  }
}

const listeners = Symbol('listeners');

class EventTarget {
  constructor() {
    Object.defineProperty(this, listeners, { value: new Map() });
  }
  addEventListener(type, listener, options) {
    if (listener === null || listener === undefined) return;
    const once = typeof options === 'object' && options !== null && !!options.once;
    const signal = typeof options === 'object' && options !== null ? options.signal : undefined;
    if (signal && signal.aborted) return;
    let list = this[listeners].get(type);
    if (!list) this[listeners].set(type, (list = []));
    if (list.some((l) => l.listener === listener)) return;
    const entry = { listener, once };
    list.push(entry);
    if (signal) signal.addEventListener('abort', () => this.removeEventListener(type, listener), { once: true });
  }
  removeEventListener(type, listener) {
    const list = this[listeners].get(type);
    if (!list) return;
    const i = list.findIndex((l) => l.listener === listener);
    if (i >= 0) list.splice(i, 1);
  }
  dispatchEvent(event) {
    if (!(event instanceof Event)) throw new TypeError('The "event" argument must be an instance of Event');
    event.target = this;
    event.currentTarget = this;
    const list = (this[listeners].get(event.type) || []).slice();
    for (const entry of list) {
      if (entry.once) this.removeEventListener(event.type, entry.listener);
      const l = entry.listener;
      try {
        if (typeof l === 'function') l.call(this, event);
        else if (l && typeof l.handleEvent === 'function') l.handleEvent(event);
      } catch (e) {
        // A listener's exception is reported, as in Node, and the others run.
        setImmediate(() => {
          throw e;
        });
      }
      if (event._stop) break;
    }
    event.currentTarget = null;
    return !event.defaultPrevented;
  }
}

const abortReason = () => new DOMException('This operation was aborted', 'AbortError');

class AbortSignal extends EventTarget {
  constructor() {
    super();
    this.aborted = false;
    this.reason = undefined;
    this.onabort = null;
  }
  throwIfAborted() {
    if (this.aborted) throw this.reason;
  }
  static abort(reason) {
    const s = new AbortSignal();
    s.aborted = true;
    s.reason = reason === undefined ? abortReason() : reason;
    return s;
  }
  static timeout(ms) {
    const s = new AbortSignal();
    const t = setTimeout(() => abort(s, new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
    if (t && t.unref) t.unref();
    return s;
  }
  static any(signals) {
    const s = new AbortSignal();
    for (const each of signals) {
      if (each.aborted) {
        abort(s, each.reason);
        return s;
      }
    }
    for (const each of signals) each.addEventListener('abort', () => abort(s, each.reason), { once: true });
    return s;
  }
}

function abort(signal, reason) {
  if (signal.aborted) return;
  signal.aborted = true;
  signal.reason = reason === undefined ? abortReason() : reason;
  const event = new Event('abort');
  if (typeof signal.onabort === 'function') signal.onabort.call(signal, event);
  signal.dispatchEvent(event);
}

class AbortController {
  constructor() {
    this.signal = new AbortSignal();
  }
  abort(reason) {
    abort(this.signal, reason);
  }
}

// listenersOf is what events.getEventListeners shows of an EventTarget:
// its listeners of type.
function listenersOf(target, type) {
  const list = target instanceof EventTarget ? target[listeners].get(type) : undefined;
  return list ? list.map((l) => l.listener) : [];
}

module.exports = { DOMException, Event, EventTarget, AbortSignal, AbortController, listenersOf };
