/** The server's own admin endpoints: info and figures, settings (console-contract.md). */
import { call } from './client';

export interface Info {
  envId?: string;
  version?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  publicURL?: string;
  backends?: { db?: string; storage?: string };
  domains?: { request?: string[]; uploadFile?: string[]; downloadFile?: string[]; socket?: string[] };
  domainsNote?: string;
  figures?: Partial<Record<'collections' | 'documents' | 'users' | 'functions' | 'files' | 'storageBytes', number>>;
  series?: { minutes?: number; requests?: number[]; errors?: number[]; invocations?: number[]; functionErrors?: number[] };
}

/** A setting's value; secrets come back masked. */
export type SettingValue = boolean | number | string | string[] | { set: boolean; last4?: string };
export interface Settings {
  settings: Record<string, SettingValue>;
  sources: Record<string, 'env' | 'db' | 'default' | string>;
}

export const info = () => call<Info>('GET', '/v1/admin/info');
export const health = () => call<{ status: string; version?: string }>('GET', '/v1/health');
export const getSettings = () => call<Settings>('GET', '/v1/admin/settings');
export const patchSettings = (patch: Record<string, unknown>) => call<Settings>('PATCH', '/v1/admin/settings', patch);
