/**
 * End-user auth: the plumbing the auth issue fills in. Not on the cloud
 * object yet, because the server has no /v1/auth endpoints yet: nothing here
 * signs anyone in.
 *
 * What is settled here: where a session is stored (sessionKey, in the
 * adapter's KV: wx.setStorageSync, localStorage or memory) and how a stored
 * session becomes the client's TokenSource (SessionTokens: the access token
 * until shortly before it expires, one refresh shared by concurrent
 * requests, and a refresh on a 401 ACCESS_TOKEN_EXPIRED, after which the
 * client retries once). The auth issue supplies the refresh function
 * (POST /v1/auth/refresh) and the sign-in methods that save sessions.
 */
import type { KV } from '../adapters/types';
import type { TokenSource } from '../core/client';

/** A signed-in user's tokens; expiresAt is the access token's expiry in ms since the epoch. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/**
 * The storage key of the session for one server and environment, so two
 * servers (or envs) used from one mini-program never share tokens.
 */
export function sessionKey(endpoint: string, env?: string): string {
  return `minibase:session:${endpoint}#${env ?? ''}`;
}

/** The session stored under key, or undefined when none is or it is malformed. */
export function loadSession(kv: KV, key: string): Session | undefined {
  const raw = kv.get(key);
  if (!raw) return undefined;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.accessToken === 'string' && typeof s.refreshToken === 'string' && typeof s.expiresAt === 'number') {
      return { accessToken: s.accessToken, refreshToken: s.refreshToken, expiresAt: s.expiresAt };
    }
  } catch {
    // a corrupt entry is no session
  }
  return undefined;
}

/** Stores s under key, or removes the entry when s is undefined (sign-out). */
export function saveSession(kv: KV, key: string, s: Session | undefined): void {
  if (s) kv.set(key, JSON.stringify(s));
  else kv.remove(key);
}

/** Exchanges a refresh token for a new session; rejects when the refresh token is no longer valid. */
export type Refresher = (refreshToken: string) => Promise<Session>;

/** How long before expiry SessionTokens refreshes (ms). */
export const REFRESH_AHEAD = 60_000;

/**
 * A TokenSource over the session stored in kv under key. token() returns the
 * access token, refreshing first when it expires within REFRESH_AHEAD ms;
 * onUnauthorized refreshes and resolves true when that worked. Concurrent
 * callers share one refresh. A failed refresh removes the session (the user
 * is signed out) and the request goes without a token.
 */
export class SessionTokens implements TokenSource {
  private refreshing?: Promise<Session | undefined>;

  constructor(
    private readonly kv: KV,
    private readonly key: string,
    private readonly refresh: Refresher,
    private readonly now: () => number = Date.now,
  ) {}

  async token(): Promise<string | undefined> {
    const s = loadSession(this.kv, this.key);
    if (!s) return undefined;
    if (s.expiresAt - REFRESH_AHEAD > this.now()) return s.accessToken;
    return (await this.renew(s))?.accessToken;
  }

  async onUnauthorized(): Promise<boolean> {
    const s = loadSession(this.kv, this.key);
    return s !== undefined && (await this.renew(s)) !== undefined;
  }

  private renew(s: Session): Promise<Session | undefined> {
    if (!this.refreshing) {
      this.refreshing = this.refresh(s.refreshToken).then(
        (fresh) => {
          saveSession(this.kv, this.key, fresh);
          return fresh;
        },
        () => {
          saveSession(this.kv, this.key, undefined);
          return undefined;
        },
      );
      const clear = () => (this.refreshing = undefined);
      this.refreshing.then(clear, clear);
    }
    return this.refreshing;
  }
}
