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
export declare function sessionKey(endpoint: string, env?: string): string;
/** The session stored under key, or undefined when none is or it is malformed. */
export declare function loadSession(kv: KV, key: string): Session | undefined;
/** Stores s under key, or removes the entry when s is undefined (sign-out). */
export declare function saveSession(kv: KV, key: string, s: Session | undefined): void;
/** Exchanges a refresh token for a new session; rejects when the refresh token is no longer valid. */
export type Refresher = (refreshToken: string) => Promise<Session>;
/** How long before expiry SessionTokens refreshes (ms), unless the session sets refreshAt. */
export declare const REFRESH_AHEAD = 60000;
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
export declare class SessionTokens implements TokenSource {
    private readonly kv;
    private readonly key;
    private readonly refresh;
    private readonly now;
    private refreshing?;
    /** Called with the new session after a refresh, and with undefined when the server ended it. */
    onChange?: (s: Session | undefined) => void;
    constructor(kv: KV, key: string, refresh: Refresher, now?: () => number);
    token(): Promise<string | undefined>;
    onUnauthorized(): Promise<boolean>;
    private renew;
    private current;
}
