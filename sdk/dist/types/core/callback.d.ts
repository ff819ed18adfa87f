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
export declare function promiseOrCallback<T>(opts: CallbackOptions<T> | undefined, run: () => Promise<T>, always?: boolean): Promise<T> | undefined;
