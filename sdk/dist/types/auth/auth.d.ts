/**
 * cloud.auth(): end-user sign-in against minibase's /v1/auth endpoints, with
 * the names of CloudBase's web SDK (signInAnonymously, signUp,
 * signInWithPassword, signInWithOtp, signInWithCustomTicket, getLoginState,
 * currentUser, signOut, onLoginStateChanged) plus signInWithWeChat for
 * mini-programs. Sessions live in the platform's storage (sessionKey) and
 * feed the client's TokenSource, so every module's requests carry the
 * user's access token, refreshed before it expires.
 */
import type { Client } from '../core/client';
import { SessionTokens, type AdminAccount, type AuthUser } from './index';
/** What a sign-in resolves with, and what getLoginState describes. */
export interface LoginState {
    user: AuthUser;
    loginType: string;
    isAnonymousAuth: boolean;
}
/** How a client signs in by itself on its first request: init({ autoLogin }). */
export type AutoLogin = 'wechat' | 'douyin' | 'anonymous';
/** An account: exactly one of username, email or phone. */
export interface Account {
    username?: string;
    email?: string;
    phone?: string;
}
type Listener = (state: LoginState | null) => void;
/**
 * End-user auth for one client. Made by init; cloud.auth() returns it.
 * Sign-in methods resolve with the LoginState and reject with a CloudError
 * whose errMsg is `auth.<method>:fail …` (a wrong password, an unknown
 * account and an expired code all read the same: INVALID_CREDENTIALS).
 */
export declare class Auth {
    private readonly client;
    private readonly autoLogin?;
    private readonly kv;
    private readonly key;
    private readonly listeners;
    private autoPending?;
    /** The TokenSource the client uses (installed by init unless init had a fixed accessToken). */
    readonly tokens: SessionTokens;
    constructor(client: Client, autoLogin?: AutoLogin | undefined);
    /** Signs in as a new anonymous user (POST /v1/auth/anonymous). */
    signInAnonymously(): Promise<LoginState>;
    /**
     * Mini-programs: gets a code from wx.login (tt.login on Douyin, uni.login
     * on uni-app) and signs in with it (POST /v1/auth/wechat or /douyin). The
     * same WeChat user always gets the same uid and openid.
     */
    signInWithWeChat(): Promise<LoginState>;
    /**
     * Creates an account with a password. Signed in anonymously, the
     * anonymous user becomes this account, keeping its uid and its data.
     */
    signUp(account: Account & {
        password: string;
    }): Promise<LoginState>;
    /** Signs in with a username, email or phone and its password. */
    signInWithPassword(account: Account & {
        password: string;
    }): Promise<LoginState>;
    /** CloudBase v1's name: signInWithPassword({ email, password }). */
    signInWithEmailAndPassword(email: string, password: string): Promise<LoginState>;
    /** CloudBase v1's name: signInWithPassword({ username, password }). */
    signInWithUsernameAndPassword(username: string, password: string): Promise<LoginState>;
    /**
     * Sends a one-time code to an email address or phone (POST
     * /v1/auth/otp/send); resolves with how long it is valid, in seconds. It
     * does not say whether an account exists.
     */
    sendOtp(account: {
        email?: string;
        phone?: string;
    }): Promise<{
        expiresIn: number;
    }>;
    /** Signs in with a code from sendOtp (the server may create the account on first use). */
    signInWithOtp(args: {
        email?: string;
        phone?: string;
        code: string;
    }): Promise<LoginState>;
    /** Signs in with a custom-login ticket your server made with the app's key (CloudBase's format). */
    signInWithTicket(ticket: string): Promise<LoginState>;
    /** CloudBase's custom login: getTicket() fetches a ticket from your server, then signs in with it. */
    signInWithCustomTicket(getTicket: () => Promise<string> | string): Promise<LoginState>;
    /** CloudBase v1's custom-login provider: auth.customAuthProvider().signIn(ticket). */
    customAuthProvider(): {
        signIn(ticket: string): Promise<LoginState>;
    };
    /**
     * Signs in with an admin account (POST /v1/auth/admin/login; accounts are
     * made by `minibase admin create` or setUpAdmin). The session is stored
     * and refreshed like a user's, and every request then carries the admin's
     * access token, which bypasses collection rules: for admin tools such as
     * the console, never for a mini-program. Resolves with the account;
     * hasLoginState stays null (an admin is not an end user): see currentAdmin.
     */
    signInAsAdmin(args: {
        email: string;
        password: string;
    }): Promise<AdminAccount>;
    /**
     * First-run setup: creates the first admin account (POST /v1/admin/setup)
     * with the admin key the server printed at its first start, and signs in
     * as it. The server refuses it once an admin account exists.
     */
    setUpAdmin(args: {
        adminKey: string;
        email: string;
        password: string;
    }): Promise<AdminAccount>;
    /** The signed-in admin account as last stored, or null (signed out, or signed in as an end user). */
    get currentAdmin(): AdminAccount | null;
    /** The stored login state without a network call, or null when signed out. */
    hasLoginState(): LoginState | null;
    /**
     * The login state, refreshing the access token first when it is due;
     * null when signed out (or when the server ended the session).
     */
    getLoginState(): Promise<LoginState | null>;
    /** The signed-in user as last stored, or null. */
    get currentUser(): AuthUser | null;
    /** Fetches the signed-in user from the server (GET /v1/auth/me) and stores it. */
    getUserInfo(): Promise<AuthUser>;
    /** The current access token (refreshed when due), or null when signed out. */
    getAccessToken(): Promise<{
        accessToken: string;
        env?: string;
    } | null>;
    /**
     * Signs out: the server revokes the session (POST /v1/auth/logout) and the
     * stored tokens are removed, even when the server cannot be reached.
     */
    signOut(): Promise<void>;
    /**
     * Calls listener with the login state now (asynchronously) and after
     * every sign-in and sign-out, including a session the server ended.
     * Returns a function that removes the listener.
     */
    onLoginStateChanged(listener: Listener): () => void;
    private signIn;
    private adminSignIn;
    private refreshWith;
    private signInAutomatically;
    private emit;
    private guard;
}
export {};
