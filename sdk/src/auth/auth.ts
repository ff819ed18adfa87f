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
import { CloudError, ErrCode, cloudError } from '../core/errors';
import { memoryKV } from '../adapters/fetch';
import type { KV } from '../adapters/types';
import { REFRESH_AHEAD, SessionTokens, loadSession, saveSession, sessionKey, type AdminAccount, type AuthUser, type Session } from './index';

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

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user?: AuthUser;
  admin?: AdminAccount;
}

type Listener = (state: LoginState | null) => void;

/** The server's mini-program login endpoint for each adapter that has a login. */
const PLATFORM_PROVIDER: Record<string, 'wechat' | 'douyin'> = { wx: 'wechat', uni: 'wechat', tt: 'douyin' };

/**
 * End-user auth for one client. Made by init; cloud.auth() returns it.
 * Sign-in methods resolve with the LoginState and reject with a CloudError
 * whose errMsg is `auth.<method>:fail …` (a wrong password, an unknown
 * account and an expired code all read the same: INVALID_CREDENTIALS).
 */
export class Auth {
  private readonly kv: KV;
  private readonly key: string;
  private readonly listeners = new Set<Listener>();
  private autoPending?: Promise<unknown>;
  /** The TokenSource the client uses (installed by init unless init had a fixed accessToken). */
  readonly tokens: SessionTokens;

  constructor(
    private readonly client: Client,
    private readonly autoLogin?: AutoLogin,
  ) {
    this.kv = client.adapter.storage ?? memoryKV();
    this.key = sessionKey(client.endpoint, client.env);
    this.tokens = new SessionTokens(this.kv, this.key, (rt) => this.refreshWith(rt));
    this.tokens.onChange = (s) => {
      if (!s) this.emit();
    };
    const token = this.tokens.token.bind(this.tokens);
    // With autoLogin, a request made while signed out signs in first.
    this.tokens.token = async () => (await token()) ?? (await this.signInAutomatically());
  }

  /** Signs in as a new anonymous user (POST /v1/auth/anonymous). */
  signInAnonymously(): Promise<LoginState> {
    return this.signIn('auth.signInAnonymously', '/v1/auth/anonymous', {});
  }

  /**
   * Mini-programs: gets a code from wx.login (tt.login on Douyin, uni.login
   * on uni-app) and signs in with it (POST /v1/auth/wechat or /douyin). The
   * same WeChat user always gets the same uid and openid.
   */
  async signInWithWeChat(): Promise<LoginState> {
    const api = 'auth.signInWithWeChat';
    const login = this.client.adapter.login;
    const provider = PLATFORM_PROVIDER[this.client.adapter.name];
    if (!login || !provider) {
      throw cloudError(api, ErrCode.INVALID_PARAM, `needs a mini-program platform with a login API (wx, tt, uni); this is '${this.client.adapter.name}'`);
    }
    let code: string;
    try {
      code = await login.call(this.client.adapter, this.client.timeout);
    } catch (e) {
      throw cloudError(api, ErrCode.UNKNOWN, `${this.client.adapter.name}.login failed: ${(e as Error).message}`);
    }
    return this.signIn(api, `/v1/auth/${provider}`, { code });
  }

  /**
   * Creates an account with a password. Signed in anonymously, the
   * anonymous user becomes this account, keeping its uid and its data.
   */
  signUp(account: Account & { password: string }): Promise<LoginState> {
    const api = 'auth.signUp';
    return this.guard(api, async () => {
      const body = credentials(api, account, true);
      const s = loadSession(this.kv, this.key);
      // Upgrading needs the anonymous user's token; anyone else signs up afresh.
      const upgrade = s?.user?.loginType === 'ANONYMOUS';
      if (upgrade) await this.tokens.token();
      return this.signIn(api, '/v1/auth/signup', body, upgrade);
    });
  }

  /** Signs in with a username, email or phone and its password. */
  signInWithPassword(account: Account & { password: string }): Promise<LoginState> {
    const api = 'auth.signInWithPassword';
    return this.guard(api, () => this.signIn(api, '/v1/auth/login', credentials(api, account, true)));
  }

  /** CloudBase v1's name: signInWithPassword({ email, password }). */
  signInWithEmailAndPassword(email: string, password: string): Promise<LoginState> {
    return this.signInWithPassword({ email, password });
  }

  /** CloudBase v1's name: signInWithPassword({ username, password }). */
  signInWithUsernameAndPassword(username: string, password: string): Promise<LoginState> {
    return this.signInWithPassword({ username, password });
  }

  /**
   * Sends a one-time code to an email address or phone (POST
   * /v1/auth/otp/send); resolves with how long it is valid, in seconds. It
   * does not say whether an account exists.
   */
  sendOtp(account: { email?: string; phone?: string }): Promise<{ expiresIn: number }> {
    const api = 'auth.sendOtp';
    return this.guard(api, async () => {
      const r = await this.client.request<{ expires_in: number }>(api, 'POST', '/v1/auth/otp/send', credentials(api, account, false), { auth: false });
      return { expiresIn: r.expires_in };
    });
  }

  /** Signs in with a code from sendOtp (the server may create the account on first use). */
  signInWithOtp(args: { email?: string; phone?: string; code: string }): Promise<LoginState> {
    const api = 'auth.signInWithOtp';
    return this.guard(api, () => {
      const body = credentials(api, args, false);
      if (typeof args.code !== 'string' || args.code === '') throw cloudError(api, ErrCode.INVALID_PARAM, 'code is required');
      return this.signIn(api, '/v1/auth/otp/verify', { ...body, code: args.code });
    });
  }

  /** Signs in with a custom-login ticket your server made with the app's key (CloudBase's format). */
  signInWithTicket(ticket: string): Promise<LoginState> {
    const api = 'auth.signInWithTicket';
    if (typeof ticket !== 'string' || ticket === '') {
      return Promise.reject(cloudError(api, ErrCode.INVALID_PARAM, 'ticket must be a non-empty string'));
    }
    return this.signIn(api, '/v1/auth/ticket', { ticket });
  }

  /** CloudBase's custom login: getTicket() fetches a ticket from your server, then signs in with it. */
  async signInWithCustomTicket(getTicket: () => Promise<string> | string): Promise<LoginState> {
    return this.signInWithTicket(await getTicket());
  }

  /** CloudBase v1's custom-login provider: auth.customAuthProvider().signIn(ticket). */
  customAuthProvider(): { signIn(ticket: string): Promise<LoginState> } {
    return { signIn: (ticket) => this.signInWithTicket(ticket) };
  }

  /**
   * Signs in with an admin account (POST /v1/auth/admin/login; accounts are
   * made by `minibase admin create` or setUpAdmin). The session is stored
   * and refreshed like a user's, and every request then carries the admin's
   * access token, which bypasses collection rules: for admin tools such as
   * the console, never for a mini-program. Resolves with the account;
   * hasLoginState stays null (an admin is not an end user): see currentAdmin.
   */
  signInAsAdmin(args: { email: string; password: string }): Promise<AdminAccount> {
    const api = 'auth.signInAsAdmin';
    return this.guard(api, () => {
      const body = adminCredentials(api, args);
      return this.adminSignIn(api, '/v1/auth/admin/login', body);
    });
  }

  /**
   * First-run setup: creates the first admin account (POST /v1/admin/setup)
   * with the admin key the server printed at its first start, and signs in
   * as it. The server refuses it once an admin account exists.
   */
  setUpAdmin(args: { adminKey: string; email: string; password: string }): Promise<AdminAccount> {
    const api = 'auth.setUpAdmin';
    return this.guard(api, () => {
      const body = adminCredentials(api, args);
      if (typeof args.adminKey !== 'string' || args.adminKey.trim() === '') {
        throw cloudError(api, ErrCode.INVALID_PARAM, 'adminKey is required: the admin key the server printed at its first start');
      }
      return this.adminSignIn(api, '/v1/admin/setup', { ...body, adminKey: args.adminKey.trim() });
    });
  }

  /** The signed-in admin account as last stored, or null (signed out, or signed in as an end user). */
  get currentAdmin(): AdminAccount | null {
    return loadSession(this.kv, this.key)?.admin ?? null;
  }

  /** The stored login state without a network call, or null when signed out. */
  hasLoginState(): LoginState | null {
    return state(loadSession(this.kv, this.key));
  }

  /**
   * The login state, refreshing the access token first when it is due;
   * null when signed out (or when the server ended the session).
   */
  async getLoginState(): Promise<LoginState | null> {
    await this.tokens.token();
    return this.hasLoginState();
  }

  /** The signed-in user as last stored, or null. */
  get currentUser(): AuthUser | null {
    return loadSession(this.kv, this.key)?.user ?? null;
  }

  /** Fetches the signed-in user from the server (GET /v1/auth/me) and stores it. */
  async getUserInfo(): Promise<AuthUser> {
    const api = 'auth.getUserInfo';
    const r = await this.client.request<{ user?: AuthUser }>(api, 'GET', '/v1/auth/me');
    if (!r.user) throw cloudError(api, ErrCode.INVALID_PARAM, 'not signed in as an end user');
    const s = loadSession(this.kv, this.key);
    if (s) saveSession(this.kv, this.key, { ...s, user: r.user });
    return r.user;
  }

  /** The current access token (refreshed when due), or null when signed out. */
  async getAccessToken(): Promise<{ accessToken: string; env?: string } | null> {
    const t = await this.tokens.token();
    return t ? { accessToken: t, env: this.client.env } : null;
  }

  /**
   * Signs out: the server revokes the session (POST /v1/auth/logout) and the
   * stored tokens are removed, even when the server cannot be reached.
   */
  async signOut(): Promise<void> {
    const s = loadSession(this.kv, this.key);
    saveSession(this.kv, this.key, undefined);
    if (s) this.emit();
    if (!s) return;
    try {
      await this.client.request('auth.signOut', 'POST', '/v1/auth/logout', { refresh_token: s.refreshToken }, { auth: false });
    } catch {
      // signed out locally; the refresh token dies at its expiry at the latest
    }
  }

  /**
   * Calls listener with the login state now (asynchronously) and after
   * every sign-in and sign-out, including a session the server ended.
   * Returns a function that removes the listener.
   */
  onLoginStateChanged(listener: Listener): () => void {
    if (typeof listener !== 'function') throw new TypeError('onLoginStateChanged needs a function');
    this.listeners.add(listener);
    Promise.resolve().then(() => this.listeners.has(listener) && call(listener, this.hasLoginState()));
    return () => {
      this.listeners.delete(listener);
    };
  }

  private async signIn(api: string, path: string, body: object, withToken = false): Promise<LoginState> {
    const r = await this.client.request<TokenAnswer>(api, 'POST', path, body, { auth: withToken });
    const s = toSession(api, r, Date.now());
    saveSession(this.kv, this.key, s);
    this.emit();
    return state(s)!;
  }

  private async adminSignIn(api: string, path: string, body: object): Promise<AdminAccount> {
    const r = await this.client.request<TokenAnswer>(api, 'POST', path, body, { auth: false });
    const s = toSession(api, r, Date.now());
    if (!s.admin) throw cloudError(api, ErrCode.SYS_ERR, 'the server answered without the admin account');
    saveSession(this.kv, this.key, s);
    this.emit();
    return s.admin;
  }

  private async refreshWith(refreshToken: string): Promise<Session> {
    const api = 'auth.refresh';
    const r = await this.client.request<TokenAnswer>(api, 'POST', '/v1/auth/refresh', { refresh_token: refreshToken }, { auth: false });
    return toSession(api, r, Date.now());
  }

  // signInAutomatically runs init's autoLogin once for concurrent requests;
  // a failure leaves the request unauthenticated (the server then says why).
  private async signInAutomatically(): Promise<string | undefined> {
    if (!this.autoLogin) return undefined;
    if (!this.autoPending) {
      const run =
        this.autoLogin === 'anonymous'
          ? this.signInAnonymously()
          : this.autoLogin === 'wechat' || this.autoLogin === 'douyin'
            ? this.signInWithWeChat()
            : Promise.resolve();
      this.autoPending = run.then(
        () => undefined,
        (e) => console.warn(`minibase-sdk: autoLogin '${this.autoLogin}' failed: ${(e as Error).message}`),
      );
      this.autoPending.then(() => (this.autoPending = undefined));
    }
    await this.autoPending;
    return loadSession(this.kv, this.key)?.accessToken;
  }

  private emit(): void {
    const st = this.hasLoginState();
    for (const l of [...this.listeners]) call(l, st);
  }

  // guard turns a synchronous validation throw into a rejection, so every
  // sign-in method fails the same way.
  private async guard<T>(api: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof CloudError) throw e;
      throw cloudError(api, ErrCode.UNKNOWN, (e as Error)?.message ?? String(e));
    }
  }
}

function call(l: Listener, st: LoginState | null): void {
  try {
    l(st);
  } catch (e) {
    setTimeout(() => {
      throw e;
    });
  }
}

function state(s: Session | undefined): LoginState | null {
  if (!s?.user) return null;
  return { user: s.user, loginType: s.user.loginType, isAnonymousAuth: s.user.loginType === 'ANONYMOUS' };
}

// toSession checks the server's token answer and schedules the refresh: a
// minute ahead of expiry, or at four fifths of a short token's life.
function toSession(api: string, r: TokenAnswer, now: number): Session {
  if (typeof r?.access_token !== 'string' || typeof r.refresh_token !== 'string' || typeof r.expires_in !== 'number') {
    throw cloudError(api, ErrCode.SYS_ERR, 'the server answered without tokens');
  }
  const life = r.expires_in * 1000;
  const s: Session = {
    accessToken: r.access_token,
    refreshToken: r.refresh_token,
    expiresAt: now + life,
    refreshAt: now + life - Math.min(REFRESH_AHEAD, life / 5),
  };
  if (r.user) s.user = r.user;
  if (r.admin) s.admin = r.admin;
  return s;
}

// adminCredentials validates an admin sign-in body: an email and a password.
function adminCredentials(api: string, a: { email?: unknown; password?: unknown } | undefined): { email: string; password: string } {
  if (a === null || typeof a !== 'object') throw cloudError(api, ErrCode.INVALID_PARAM, 'expects an object { email, password }');
  if (typeof a.email !== 'string' || a.email.trim() === '') throw cloudError(api, ErrCode.INVALID_PARAM, 'email is required');
  if (typeof a.password !== 'string' || a.password === '') throw cloudError(api, ErrCode.INVALID_PARAM, 'password is required');
  return { email: a.email.trim(), password: a.password };
}

// credentials validates an account body: exactly one identifier (username
// only where a password goes with it), and the password when needed.
function credentials(api: string, a: (Account & { password?: string }) | undefined, password: boolean): Record<string, string> {
  if (a === null || typeof a !== 'object') throw cloudError(api, ErrCode.INVALID_PARAM, 'expects an object');
  const ids = (password ? ['username', 'email', 'phone'] : ['email', 'phone']) as (keyof Account)[];
  const given = ids.filter((k) => a[k] !== undefined && a[k] !== '');
  if (given.length !== 1) throw cloudError(api, ErrCode.INVALID_PARAM, `needs exactly one of ${ids.join(', ')}`);
  const k = given[0];
  if (typeof a[k] !== 'string') throw cloudError(api, ErrCode.INVALID_PARAM, `${k} must be a string`);
  const body: Record<string, string> = { [k]: a[k] as string };
  if (password) {
    if (typeof a.password !== 'string' || a.password === '') throw cloudError(api, ErrCode.INVALID_PARAM, 'password is required');
    body.password = a.password;
  }
  return body;
}
