/**
 * Cloud functions for the console: list, detail (config, files, triggers),
 * deploy ({files, config}), versions, files of a version, rollback, delete,
 * the run panel (POST /v1/admin/functions/:name/run) and the logs (query,
 * stats and the live tail's WebSocket).
 */
import { ApiError, call, cloud, seg } from './client';

export interface FnRoute {
  path: string;
  methods?: string[];
}

export interface FnInfo {
  name: string;
  version?: string;
  number: number;
  updatedAt: string;
  timeout?: number;
  memorySize?: number;
  http?: FnRoute[];
  timer?: { name: string; config: string };
  database?: { name: string; collection: string; events: string[] }[];
  bundled: boolean;
  error?: string;
}

export interface FnDetail extends FnInfo {
  config: Record<string, unknown>;
  files: { path: string; size: number }[];
  /** The contract's triggers (next cron runs); absent on servers without it. */
  triggers?: {
    http?: FnRoute[];
    cron?: { expr: string; next?: string[] }[];
    db?: { name: string; collection: string; events: string[] }[];
  };
}

export interface FnVersion {
  number: number;
  version: string;
  deployedAt: string;
  origin: string;
  from?: number;
  files: number;
  bytes: number;
  bundled: boolean;
  unchanged?: boolean;
}

export interface RunResult {
  result?: unknown;
  error?: string | { code?: string; message?: string; errCode?: number };
  logs: { level: string; msg: string; time: string }[];
  ms: number;
  requestID: string;
  /** 'invoke' when the server had no run endpoint (see runFunction). */
  via?: 'invoke';
}

export interface LogEntry {
  id: string;
  requestId: string;
  function: string;
  version?: string;
  openid?: string;
  source: string;
  start: string;
  duration: number;
  status: 'ok' | 'error';
  error?: string;
  errCode?: number;
  coldStart: boolean;
  memory: number;
  memoryLimit?: number;
  logs?: { time: string; level: string; message: string }[];
}

export interface LogFilter {
  function?: string;
  requestId?: string;
  openid?: string;
  status?: '' | 'ok' | 'error';
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

const fn = (name: string) => '/v1/admin/functions/' + seg(name);

export async function listFunctions(): Promise<FnInfo[]> {
  return (await call<{ data: FnInfo[] }>('GET', '/v1/admin/functions')).data ?? [];
}

export async function getFunction(name: string): Promise<FnDetail> {
  return await call<FnDetail>('GET', fn(name));
}

/** A file's text (of version when given, else the live one). */
export async function readFnFile(name: string, path: string, version?: number): Promise<string> {
  const p = path.split('/').map(seg).join('/');
  // Files are served as they are stored: ask as text through the SDK's transport.
  const tok = await cloud.auth().getAccessToken();
  const res = await fetch(`${location.origin}${fn(name)}/files/${p}${version ? '?version=' + version : ''}`, {
    headers: tok ? { Authorization: 'Bearer ' + tok.accessToken } : {},
  });
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try {
      msg = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: keep the text
    }
    throw new Error(msg || `HTTP ${res.status}`);
  }
  return text;
}

export async function deployFunction(name: string, files: Record<string, string>, config?: Record<string, unknown>): Promise<FnVersion & { name: string }> {
  return await call('PUT', fn(name), config ? { files, config } : { files }, 120_000);
}

export async function listVersions(name: string): Promise<FnVersion[]> {
  return (await call<{ data: FnVersion[] }>('GET', fn(name) + '/versions')).data ?? [];
}

export async function rollback(name: string, version: number): Promise<FnVersion> {
  return await call('POST', fn(name) + '/rollback', { version });
}

export async function deleteFunction(name: string): Promise<void> {
  await call('DELETE', fn(name));
}

/**
 * Runs name as the admin with data as its event (the run panel): POST
 * /v1/admin/functions/:name/run. A server without that endpoint (older
 * than the console) is asked through POST /v1/functions/:name/invoke
 * instead: the duration is then measured here and the console output read
 * from the invocation's log record (via: 'invoke' says so).
 */
export async function runFunction(name: string, data: unknown): Promise<RunResult> {
  try {
    return await call<RunResult>('POST', fn(name) + '/run', { data }, 120_000);
  } catch (e) {
    if (!(e instanceof ApiError) || !e.message.startsWith('no such endpoint')) throw e;
  }
  const t0 = performance.now();
  try {
    const r = await call<{ result: unknown; requestID: string }>('POST', '/v1/functions/' + seg(name) + '/invoke', { data }, 120_000);
    const ms = performance.now() - t0;
    return { result: r.result, ms, requestID: r.requestID, logs: await logLines(r.requestID), via: 'invoke' };
  } catch (e) {
    // The function ran and failed (threw, or its result was too large): show it as the run endpoint does.
    if (!(e instanceof ApiError) || !e.requestId || !/EXECUTE_FAIL|RESULT_TOO_LARGE/.test(e.code)) throw e;
    const ms = performance.now() - t0;
    const error = { code: e.code, errCode: e.errCode, message: e.message };
    return { result: null, error, ms, requestID: e.requestId, logs: await logLines(e.requestId), via: 'invoke' };
  }
}

/** The console lines of the invocation requestID, from its log record (written as the call ends: asked a few times). */
async function logLines(requestID: string): Promise<RunResult['logs']> {
  for (let i = 0; i < 10; i++) {
    const { data } = await queryLogs({ requestId: requestID, limit: 1 }).catch(() => ({ data: [] as LogEntry[] }));
    if (data.length) return (data[0].logs ?? []).map((l) => ({ level: l.level, msg: l.message, time: l.time }));
    await new Promise((res) => setTimeout(res, 100 * (i + 1)));
  }
  return [];
}

export async function queryLogs(f: LogFilter): Promise<{ data: LogEntry[]; next?: string }> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') q.set(k, String(v));
  const r = await call<{ data: LogEntry[]; next?: string }>('GET', '/v1/admin/functions/logs' + (q.size ? '?' + q : ''));
  return { data: r.data ?? [], next: r.next || undefined };
}

/**
 * Opens the live tail (a WebSocket; the browser cannot set headers, so the
 * token goes as ?access_token=). onEntry gets each new record; the returned
 * function closes it.
 */
export async function tailLogs(fnName: string, onEntry: (e: LogEntry) => void, onClose: (why: string) => void): Promise<() => void> {
  const tok = await cloud.auth().getAccessToken();
  const q = new URLSearchParams();
  if (fnName) q.set('function', fnName);
  if (tok) q.set('access_token', tok.accessToken);
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/admin/functions/logs/tail?${q}`);
  let closed = false;
  ws.onmessage = (m) => {
    try {
      onEntry(JSON.parse(String(m.data)) as LogEntry);
    } catch {
      // not a record: ignore
    }
  };
  ws.onclose = (e) => {
    if (!closed) onClose(e.reason || String(e.code));
  };
  await new Promise<void>((res, rej) => {
    ws.onopen = () => res();
    ws.onerror = () => rej(new Error('the live tail could not connect'));
  });
  return () => {
    closed = true;
    ws.close();
  };
}
