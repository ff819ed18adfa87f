/**
 * End-user sessions: where a signed-in user's tokens are stored
 * (sessionKey, in the adapter's KV: wx.setStorageSync, localStorage or
 * memory) and how a stored session becomes the client's TokenSource
 * (SessionTokens: the access token until shortly before it expires, one
 * refresh shared by concurrent requests, and a refresh on a 401
 * ACCESS_TOKEN_EXPIRED or ACCESS_TOKEN_REVOKED, after which the client
 * retries once; a revoked sign-in's refresh is refused, which signs the
 * session out). The sign-in
 * methods are in auth.ts.
 */
import type { KV } from '../adapters/types';
import type { TokenSource } from '../core/client';
import type { CloudError } from '../core/errors';

/** The user a session belongs to, as the server describes it (GET /v1/auth/me). */
export interface AuthUser {
  uid: string;
  openid: string;
  loginType: string;
  username?: string;
  email?: string;
  phone?: string;
  unionid?: string;
  customUserId?: string;
  claims?: Record<string, unknown>;
  hasPassword?: boolean;
  createdAt?: string;
  lastLoginAt?: string;
}

/** An admin account, as the server describes it (admin sign-in and GET /v1/auth/me). */
export interface AdminAccount {
  id: string;
  email: string;
  createdAt?: string;
  lastLoginAt?: string;
}

/**
 * A signed-in user's (or admin's) tokens. expiresAt is the access token's expiry in ms
 * since the epoch; refreshAt, when set, is when to refresh it ahead of that.
 */
export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  refreshAt?: number;
  user?: AuthUser;
  /** Set instead of user for an admin account's session (Auth.signInAsAdmin). */
  admin?: AdminAccount;
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
      const out: Session = { accessToken: s.accessToken, refreshToken: s.refreshToken, expiresAt: s.expiresAt };
      if (typeof s.refreshAt === 'number') out.refreshAt = s.refreshAt;
      if (s.user && typeof s.user === 'object' && typeof s.user.uid === 'string') out.user = s.user;
      if (s.admin && typeof s.admin === 'object' && typeof s.admin.id === 'string') out.admin = s.admin;
      return out;
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

/** How long before expiry SessionTokens refreshes (ms), unless the session sets refreshAt. */
export const REFRESH_AHEAD = 60_000;

/** The server's answers that mean a refresh token is dead for good: the user must sign in again. */
const DEAD = new Set(['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_EXPIRED']);

/**
 * A TokenSource over the session stored in kv under key. token() returns the
 * access token, refreshing first when it is due (refreshAt, else within
 * REFRESH_AHEAD ms of expiry); onUnauthorized refreshes and resolves true
 * when that worked. Concurrent callers share one refresh. When the server
 * refuses the refresh token (INVALID_REFRESH_TOKEN, REFRESH_TOKEN_EXPIRED)
 * the session is removed: the user is signed out and onChange is told. A
 * refresh that fails otherwise (network, timeout) keeps the session, and
 * the request goes with the token it has. A refresh that ends after the
 * user signed out or signed in again changes nothing.
 */
export class SessionTokens implements TokenSource {
  private refreshing?: Promise<Session | undefined>;
  /** Called with the new session after a refresh, and with undefined when the server ended it. */
  onChange?: (s: Session | undefined) => void;

  constructor(
    private readonly kv: KV,
    private readonly key: string,
    private readonly refresh: Refresher,
    private readonly now: () => number = Date.now,
  ) {}

  async token(): Promise<string | undefined> {
    const s = loadSession(this.kv, this.key);
    if (!s) return undefined;
    const due = s.refreshAt ?? s.expiresAt - REFRESH_AHEAD;
    if (due > this.now()) return s.accessToken;
    const fresh = await this.renew(s);
    return fresh ? fresh.accessToken : loadSession(this.kv, this.key)?.accessToken;
  }

  async onUnauthorized(): Promise<boolean> {
    const s = loadSession(this.kv, this.key);
    return s !== undefined && (await this.renew(s)) !== undefined;
  }

  private renew(s: Session): Promise<Session | undefined> {
    if (!this.refreshing) {
      this.refreshing = this.refresh(s.refreshToken).then(
        (fresh) => {
          // Signed out, or signed in afresh, while the refresh was on its way:
          // the stored session is not the one refreshed, and it stays.
          if (!this.current(s)) return undefined;
          if (fresh.user === undefined && s.user) fresh.user = s.user;
          saveSession(this.kv, this.key, fresh);
          this.onChange?.(fresh);
          return fresh;
        },
        (e: CloudError) => {
          if (e && typeof e.code === 'string' && DEAD.has(e.code) && this.current(s)) {
            saveSession(this.kv, this.key, undefined);
            this.onChange?.(undefined);
          }
          return undefined;
        },
      );
      const clear = () => (this.refreshing = undefined);
      this.refreshing.then(clear, clear);
    }
    return this.refreshing;
  }

  // current reports whether s is still the stored session (same refresh token).
  private current(s: Session): boolean {
    return loadSession(this.kv, this.key)?.refreshToken === s.refreshToken;
  }
}
