/**
 * Backups for the console: the list with how backups are set up, making
 * one now (it can take minutes: no short time limit), downloading one (the
 * admin's token goes with the request; the archive comes back as a Blob)
 * and deleting one.
 */
import { call, cloud, seg, ApiError } from './client';

export interface Backup {
  name: string;
  size: number;
  created: string;
  where: 'local' | 's3';
  scheduled: boolean;
}

/** How backups are set up: MINIBASE_BACKUP_* settings, read-only here. */
export interface BackupSettings {
  schedule: string; // "" when there is none
  timezone?: string;
  keep: number;
  where: 'local' | 's3';
  bucket?: string;
  prefix?: string;
}

export async function listBackups(): Promise<{ backups: Backup[]; settings: BackupSettings }> {
  return await call('GET', '/v1/admin/backups');
}

/** Makes a backup now (one at a time: a second is BACKUP_IN_PROGRESS). */
export async function createBackup(): Promise<Backup> {
  return await call<Backup>('POST', '/v1/admin/backups', undefined, 60 * 60_000);
}

export async function deleteBackup(name: string): Promise<void> {
  await call('DELETE', '/v1/admin/backups/' + seg(name));
}

/** The archive's bytes, fetched with the admin's token. */
export async function downloadBackup(name: string): Promise<Blob> {
  const tok = await cloud.auth().getAccessToken();
  const res = await fetch(`${location.origin}/v1/admin/backups/${seg(name)}`, {
    headers: tok ? { Authorization: 'Bearer ' + tok.accessToken } : {},
  });
  if (!res.ok) {
    const text = await res.text();
    let body: { code?: string; errCode?: number; message?: string } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(body.message ?? (text || `HTTP ${res.status}`), body.code ?? 'HTTP_' + res.status, body.errCode ?? -1);
  }
  return await res.blob();
}

/** Saves blob as a file named name through a temporary link. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
