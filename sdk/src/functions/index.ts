/**
 * Cloud functions: cloud.callFunction (spec §2.1, §5.1) over
 * `POST /v1/functions/{name}/invoke {data}` → `{result, requestID}`.
 */
import { promiseOrCallback, type CallbackOptions } from '../core/callback';
import type { Client } from '../core/client';
import { ErrCode, cloudError } from '../core/errors';

/** The API name in errMsg: 'cloud.callFunction:ok' / 'cloud.callFunction:fail …'. */
export const CALL_FUNCTION = 'cloud.callFunction';

/** wx.cloud.callFunction's result. */
export interface CallFunctionResult {
  result: unknown;
  requestID: string;
  errMsg: string;
}

/** wx.cloud.callFunction's options. */
export interface CallFunctionOptions extends CallbackOptions<CallFunctionResult> {
  name: string;
  data?: Record<string, unknown>;
  config?: { env?: string };
  /** Accepted for compatibility; minibase has no slow path. */
  slow?: boolean;
}

/**
 * parseResult returns a function's result as wx.cloud hands it over: a
 * string that holds JSON is parsed, anything else is returned as it is.
 */
export function parseResult(result: unknown): unknown {
  if (typeof result !== 'string') return result;
  try {
    return JSON.parse(result);
  } catch {
    return result;
  }
}

/**
 * Calls the cloud function opts.name with opts.data as its event:
 * `{result, requestID, errMsg: 'cloud.callFunction:ok'}`. A function that
 * throws fails with errCode -504002 (`cloud.callFunction:fail -504002
 * functions execute fail. <its message>`); an unknown function with -504001.
 * Callback style (success/fail/complete) or a Promise, as every wx.cloud API.
 */
export function callFunction(client: Client, opts: CallFunctionOptions): Promise<CallFunctionResult> | void {
  return promiseOrCallback(opts, async () => {
    const name = opts && opts.name;
    if (typeof name !== 'string' || name === '') {
      throw cloudError(CALL_FUNCTION, ErrCode.INVALID_PARAM, 'name is required: callFunction({ name: "sum", data: {…} })', 'INVALID_PARAM');
    }
    const data = opts.data === undefined ? {} : opts.data;
    const path = '/v1/functions/' + encodeURIComponent(name) + '/invoke';
    const r = await client.request<{ result: unknown; requestID: string }>(CALL_FUNCTION, 'POST', path, { data });
    return { result: parseResult(r.result), requestID: r.requestID, errMsg: CALL_FUNCTION + ':ok' };
  });
}
