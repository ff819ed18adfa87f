/**
 * The console's one connection to the server: minibase-sdk, initialised for
 * the origin the console is served from. Admin sign-in, session refresh and
 * sign-out are the SDK's (cloud.auth()); admin endpoints go through the
 * SDK's client (its bearer token, time limit and error shapes), with the
 * server's failure turned into an ApiError that keeps the server's code and
 * message for the toasts.
 */
import cloud, { client, CloudError, type Method } from 'minibase-sdk';

cloud.init({ endpoint: location.origin, timeout: 30_000 });

export { cloud };

/** A failed call: the server's code (DATABASE_PERMISSION_DENIED…) and its message, as the server wrote it. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly errCode: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server's own message inside an SDK errMsg: `api:fail -502003 TEXT. message`. */
export function serverMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof CloudError) {
    const m = /^[^:]*:fail (?:-?\d+ [^.]*\. )?(.*)$/s.exec(e.errMsg);
    return (m ? m[1] : e.errMsg).trim() || e.errMsg;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Turns any failure into an ApiError (network failures keep the SDK's words). */
export function apiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof CloudError) return new ApiError(serverMessage(e), e.code ?? String(e.errCode), e.errCode, e.requestId);
  return new ApiError(e instanceof Error ? e.message : String(e), 'UNKNOWN', -1);
}

/** Sends method path (under /v1) with body as the signed-in admin; rejects with an ApiError. */
export async function call<T = unknown>(method: Method, path: string, body?: unknown, timeout?: number): Promise<T> {
  try {
    return await client().request<T>('console', method, path, body, timeout ? { timeout } : undefined);
  } catch (e) {
    throw apiError(e);
  }
}

/** Sends without credentials (the setup check, which anyone may ask). */
export async function callPublic<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
  try {
    return await client().request<T>('console', method, path, body, { auth: false });
  } catch (e) {
    throw apiError(e);
  }
}

/** Encodes one path segment (a collection or index name). */
export const seg = (s: string) => encodeURIComponent(s);
