import type { CloudError } from './errors';

/** wx's callback trio; when any of them is given, the call returns no Promise. */
export interface CallbackOptions<T> {
  success?(r: T): void;
  fail?(e: CloudError): void;
  complete?(r: T | CloudError): void;
}

/**
 * Runs run and reports its outcome the wx way. When opts has a success, fail
 * or complete function, they are called (success or fail, then complete,
 * each at most once) and undefined is returned: no Promise, so a failure
 * reported to fail is never also an unhandled rejection. Otherwise run's
 * Promise is returned. With always (wx-server-sdk, which never switches to
 * callback style), the callbacks are called and the Promise is returned
 * too, so `await` waits for the call whatever options it was given.
 *
 * run is called synchronously: what it throws synchronously (a builder's
 * validation error) reaches the caller as a throw, as in wx.cloud.
 *
 * An exception thrown by a user callback is rethrown from a fresh task
 * (setTimeout), as wx's own APIs do: it surfaces as an uncaught error (the
 * mini-program's onError, the browser console, Node's uncaughtException)
 * instead of vanishing or becoming an unhandled rejection, and it does not
 * turn a success into a call to fail.
 */
export function promiseOrCallback<T>(
  opts: CallbackOptions<T> | undefined,
  run: () => Promise<T>,
  always = false,
): Promise<T> | undefined {
  const success = fn(opts, 'success');
  const fail = fn(opts, 'fail');
  const complete = fn(opts, 'complete');
  if (!success && !fail && !complete) return run();
  const p = run();
  p.then(
    (r) => {
      invoke(success, r);
      invoke(complete, r);
    },
    (e: CloudError) => {
      invoke(fail, e);
      invoke(complete, e);
    },
  );
  return always ? p : undefined;
}

function fn<T>(opts: CallbackOptions<T> | undefined, key: keyof CallbackOptions<T>): ((v: any) => void) | undefined {
  const f = opts != null && typeof opts === 'object' ? opts[key] : undefined;
  return typeof f === 'function' ? f.bind(opts) : undefined;
}

function invoke(cb: ((v: any) => void) | undefined, v: unknown): void {
  if (!cb) return;
  try {
    cb(v);
  } catch (err) {
    setTimeout(() => {
      throw err;
    }, 0);
  }
}
