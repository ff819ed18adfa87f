/**
 * Cloud functions: cloud.callFunction, filled in by the functions issue.
 *
 * Not on the cloud object: the server has no /v1/functions endpoint yet, and
 * a callFunction that can only fail would be a stub that pretends. The
 * shapes below are wx.cloud's (spec §2.1, §5.1) and what the
 * implementation will send: POST /v1/functions/{name}/invoke {data} →
 * {result, requestID}, resolved as {result, requestID, errMsg:
 * 'cloud.callFunction:ok'} through promiseOrCallback.
 */
import type { CallbackOptions } from '../core/callback';
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
