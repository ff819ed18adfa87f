/**
 * Cloud functions: cloud.callFunction (spec §2.1, §5.1) over
 * `POST /v1/functions/{name}/invoke {data}` → `{result, requestID}`.
 */
import { type CallbackOptions } from '../core/callback';
import type { Client } from '../core/client';
/** The API name in errMsg: 'cloud.callFunction:ok' / 'cloud.callFunction:fail …'. */
export declare const CALL_FUNCTION = "cloud.callFunction";
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
    config?: {
        env?: string;
    };
    /** Accepted for compatibility; minibase has no slow path. */
    slow?: boolean;
}
/**
 * parseResult returns a function's result as wx.cloud hands it over: a
 * string that holds JSON is parsed, anything else is returned as it is.
 */
export declare function parseResult(result: unknown): unknown;
/**
 * Calls the cloud function opts.name with opts.data as its event:
 * `{result, requestID, errMsg: 'cloud.callFunction:ok'}`. A function that
 * throws fails with errCode -504002 (`cloud.callFunction:fail -504002
 * functions execute fail. <its message>`); an unknown function with -504001.
 * Callback style (success/fail/complete) or a Promise, as every wx.cloud API.
 */
export declare function callFunction(client: Client, opts: CallFunctionOptions): Promise<CallFunctionResult> | void;
