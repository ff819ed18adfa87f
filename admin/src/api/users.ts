/** End users for the console: list with search and paging, view, disable, delete, revoke sessions. */
import { call, seg } from './client';

export interface EndUser {
  uid: string;
  openid: string;
  loginType: string;
  username?: string;
  email?: string;
  phone?: string;
  emailVerified?: boolean;
  phoneVerified?: boolean;
  unionid?: string;
  customUserId?: string;
  claims?: Record<string, unknown>;
  hasPassword: boolean;
  disabled?: boolean;
  createdAt: string;
  lastLoginAt?: string;
}

export async function listUsers(q: string, limit: number, offset: number): Promise<{ data: EndUser[]; total: number }> {
  const p = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  if (q) p.set('q', q);
  const r = await call<{ data: EndUser[]; total: number }>('GET', '/v1/admin/users?' + p);
  return { data: r.data ?? [], total: r.total ?? 0 };
}

export async function getUser(uid: string): Promise<EndUser> {
  return (await call<{ user: EndUser }>('GET', '/v1/admin/users/' + seg(uid))).user;
}

export async function patchUser(uid: string, p: { disabled?: boolean; claims?: Record<string, unknown> }): Promise<EndUser> {
  return (await call<{ user: EndUser }>('PATCH', '/v1/admin/users/' + seg(uid), p)).user;
}

export async function deleteUser(uid: string): Promise<void> {
  await call('DELETE', '/v1/admin/users/' + seg(uid));
}

/** Ends every session of uid; resolves to how many were revoked. */
export async function revokeUser(uid: string): Promise<number> {
  return (await call<{ revoked: number }>('POST', '/v1/admin/users/' + seg(uid) + '/revoke')).revoked ?? 0;
}
