/**
 * What the query and document references share: the collection they talk
 * to, the path of its HTTP endpoints and the CloudErrors of bad input.
 */
import type { Client } from '../core/client';
import { CloudError } from '../core/errors';
import { type Obj } from './encode';
/** The client and collection a reference works on. */
export interface Target {
    readonly client: Client;
    readonly coll: string;
}
/** The URL path of the collection's endpoints: `/v1/db/<name>`. */
export declare function collPath(t: Target): string;
/** An INVALID_PARAM failure of api (errCode -501007). */
export declare function invalid(api: string, detail: string): CloudError;
/** Runs an encoder, turning what it throws into an INVALID_PARAM failure of api. */
export declare function encodeFor<T>(api: string, f: () => T): T;
/**
 * checkData validates the `data` of add, set and update as the original SDK
 * does: an object (and for update a non-empty one), with no `_id` to change
 * (except for add, which may choose its id).
 */
export declare function checkData(api: string, data: unknown, kind: 'add' | 'set' | 'update'): Obj;
