/**
 * The database's admin endpoints (DESIGN.md, console-contract.md §B), typed.
 * Documents go through /v1/db/… as the signed-in admin, who bypasses rules.
 */
import { call, seg } from './client';

export type Doc = Record<string, unknown>;
export interface Collection {
  name: string;
  count?: number;
  size?: number;
}
export interface IndexKey {
  path: string;
  desc?: boolean;
  type?: string;
}
export interface Index {
  name: string;
  keys: IndexKey[];
  unique: boolean;
}
export interface Query {
  filter?: Doc;
  sort?: [string, 1 | -1][];
  skip?: number;
  limit?: number;
  projection?: Record<string, 0 | 1>;
}
export interface Plan {
  index?: string | null;
  scan?: string;
  keysExamined?: number;
  docsExamined?: number;
  [k: string]: unknown;
}
export interface Explained {
  plan?: Plan;
  ms: number;
  count?: number;
  data: Doc[];
}
export interface SlowQuery {
  coll?: string;
  filter?: unknown;
  sort?: unknown;
  ms: number;
  plan?: Plan;
  time?: string;
  count?: number;
  wouldUse?: boolean;
}
export interface Explanation {
  allowed: boolean;
  rule: string;
  reason: string;
}

const c = (coll: string) => `/v1/db/${seg(coll)}`;
const a = (coll: string) => `/v1/admin/collections/${seg(coll)}`;

export const listCollections = () => call<{ data: Collection[] }>('GET', '/v1/admin/collections').then((r) => r.data ?? []);
export const createCollection = (name: string) => call<{ name: string }>('POST', '/v1/admin/collections', { name });
export const dropCollection = (name: string) => call('DELETE', a(name));

export const query = (coll: string, q: Query) => call<{ data: Doc[] }>('POST', c(coll) + '/query', q).then((r) => r.data ?? []);
export const count = (coll: string, filter: Doc = {}) => call<{ total: number }>('POST', c(coll) + '/count', { filter }).then((r) => r.total);
export const insert = (coll: string, data: Doc) => call<{ _id: string }>('POST', c(coll) + '/insert', { data });
export const setDoc = (coll: string, id: string, data: Doc) => call('PUT', `${c(coll)}/docs/${seg(id)}`, { data });
export const removeDoc = (coll: string, id: string) => call('DELETE', `${c(coll)}/docs/${seg(id)}`);
export const removeWhere = (coll: string, filter: Doc) =>
  call<{ stats: { removed: number } }>('POST', c(coll) + '/remove', { filter, multi: true }).then((r) => r.stats?.removed ?? 0);
export const aggregate = (coll: string, pipeline: Doc[]) => call<{ data: Doc[] }>('POST', c(coll) + '/aggregate', { pipeline }).then((r) => r.data ?? []);

export const listIndexes = (coll: string) => call<{ data: Index[] }>('GET', a(coll) + '/indexes').then((r) => r.data ?? []);
export const createIndex = (coll: string, body: { name?: string; keys: IndexKey[]; unique?: boolean }) => call<{ name: string }>('POST', a(coll) + '/indexes', body);
export const dropIndex = (coll: string, name: string) => call('DELETE', `${a(coll)}/indexes/${seg(name)}`);
export const checkIndex = (coll: string, keys: Record<string, 1 | -1>) =>
  call<{ data: SlowQuery[] }>('POST', a(coll) + '/indexes/check', { keys }).then((r) => r.data ?? []);
export const slowQueries = (coll: string) =>
  call<{ data: SlowQuery[]; thresholdMs?: number }>('GET', '/v1/admin/slow-queries?coll=' + encodeURIComponent(coll));

export const explainQuery = (coll: string, body: Query | { pipeline: Doc[] }) => call<Explained>('POST', a(coll) + '/explain', body);

export const getRules = (coll: string) => call<Doc>('GET', a(coll) + '/rules');
export const setRules = (coll: string, rules: Doc) => call<Doc>('PUT', a(coll) + '/rules', rules);
/** Checks a rule set as setRules would, saving nothing: resolves when the server accepts it, else throws its INVALID_PARAM. */
export const validateRules = (rules: Doc) => call<{ ok: boolean }>('POST', '/v1/admin/rules/validate', { rules });
export const explainRule = (body: { collection: string; operation: string; filter?: unknown; data?: unknown; id?: string; uid?: string }) =>
  call<Explanation>('POST', '/v1/admin/rules/explain', body);
