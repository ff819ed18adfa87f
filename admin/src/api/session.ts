/**
 * The signed-in admin: a signal the app renders from. Sign-in, first-run
 * setup and sign-out are the SDK's; when the server ends the session (a
 * refresh refused: expired, revoked, the account disabled) the SDK drops
 * it and the console goes back to the sign-in page.
 */
import { signal } from '@preact/signals';
import type { AdminAccount } from 'minibase-sdk';
import { callPublic, cloud } from './client';

/** The admin signed in, or null. */
export const admin = signal<AdminAccount | null>(cloud.auth().currentAdmin);

cloud.auth().onLoginStateChanged(() => {
  admin.value = cloud.auth().currentAdmin;
});

/** Whether the server still needs its first admin account (GET /v1/admin/setup). */
export async function setupNeeded(): Promise<boolean> {
  const r = await callPublic<{ needed?: boolean }>('GET', '/v1/admin/setup');
  return r.needed === true;
}

export async function signIn(email: string, password: string): Promise<void> {
  admin.value = await cloud.auth().signInAsAdmin({ email, password });
}

export async function setUp(adminKey: string, email: string, password: string): Promise<void> {
  admin.value = await cloud.auth().setUpAdmin({ adminKey, email, password });
}

export async function signOut(): Promise<void> {
  await cloud.auth().signOut();
  admin.value = null;
}

/**
 * Asks the server who is signed in (GET /v1/auth/me): refreshes the
 * session when due, and signs out locally when the server refuses it.
 */
export async function checkSession(): Promise<void> {
  if (!cloud.auth().currentAdmin) return;
  await cloud.auth().getAccessToken();
  admin.value = cloud.auth().currentAdmin;
}
