/**
 * What the query and document references share: the collection they talk
 * to, the path of its HTTP endpoints and the CloudErrors of bad input.
 */
import type { Client } from '../core/client';
import { CloudError, ErrCode, cloudError } from '../core/errors';
import { isPlain, type Obj } from './encode';

/** The client and collection a reference works on. */
export interface Target {
  readonly client: Client;
  readonly coll: string;
}

/** The URL path of the collection's endpoints: `/v1/db/<name>`. */
export function collPath(t: Target): string {
  return '/v1/db/' + encodeURIComponent(t.coll);
}

/** An INVALID_PARAM failure of api (errCode -501007). */
export function invalid(api: string, detail: string): CloudError {
  return cloudError(api, ErrCode.INVALID_PARAM, detail, 'INVALID_PARAM');
}

/** Runs an encoder, turning what it throws into an INVALID_PARAM failure of api. */
export function encodeFor<T>(api: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw invalid(api, (e as Error).message);
  }
}

/**
 * checkData validates the `data` of add, set and update as the original SDK
 * does: an object (and for update a non-empty one), with no `_id` to change
 * (except for add, which may choose its id).
 */
export function checkData(api: string, data: unknown, kind: 'add' | 'set' | 'update'): Obj {
  if (!isPlain(data) || (kind === 'update' && Object.keys(data).length === 0)) {
    throw invalid(api, '参数必需是非空对象');
  }
  if (kind !== 'add' && Object.prototype.hasOwnProperty.call(data, '_id')) throw invalid(api, '不能更新_id的值');
  return data;
}
