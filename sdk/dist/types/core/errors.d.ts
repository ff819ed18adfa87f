/**
 * Errors in wx.cloud's shape (spec §2.3): an `Error` whose numeric `errCode`
 * and `errMsg` (`'<api>:fail …'`) callers branch on.
 */
/** Numeric error codes of §2.4 that the SDK itself produces or maps. */
export declare const ErrCode: {
    /** unknown error, SDK-level failures (network down, document not found). */
    readonly UNKNOWN: -1;
    readonly SYS_ERR: -501001;
    readonly SERVER_TIMEOUT: -501002;
    readonly EXCEED_REQUEST_LIMIT: -501003;
    readonly INVALID_ENV: -501005;
    readonly INVALID_PARAM: -501007;
    readonly RESOURCE_NOT_INITIAL: -501009;
    readonly DATABASE_REQUEST_FAILED: -502001;
    readonly DATABASE_INVALID_OPERATOR: -502002;
    readonly DATABASE_PERMISSION_DENIED: -502003;
    readonly DATABASE_COLLECTION_EXCEED_LIMIT: -502004;
    readonly DATABASE_COLLECTION_NOT_EXIST: -502005;
    readonly STORAGE_REQUEST_FAIL: -503001;
    readonly STORAGE_EXCEED_AUTHORITY: -503002;
    readonly STORAGE_FILE_NONEXIST: -503003;
    readonly FUNCTIONS_REQUEST_FAIL: -504001;
    readonly FUNCTIONS_EXECUTE_FAIL: -504002;
};
/** The English texts wx-server-sdk puts after the number (its ERR_CODE table, §2.4). */
export declare const ERR_TEXT: {
    readonly [errCode: number]: string;
};
/**
 * A failed cloud call. `message === errMsg`, so `String(err)` and
 * `err.message` read as wx.cloud's do; `code` is the server's string code
 * (`DATABASE_PERMISSION_DENIED`) when the server sent one.
 */
export declare class CloudError extends Error {
    errCode: number;
    errMsg: string;
    code?: string;
    requestId?: string;
    constructor(errCode: number, errMsg: string, code?: string, requestId?: string);
}
/** An SDK-side failure of api: errMsg is `${api}:fail ${detail}`. */
export declare function cloudError(api: string, errCode: number, detail: string, code?: string): CloudError;
/**
 * The failure of api reported by the server with HTTP status and error
 * body `{code, errCode, message}`, in wx-server-sdk's toSDKError shape:
 * `${api}:fail ${errCode} ${text}. ${message}`. A body that is not such an
 * object becomes SYS_ERR naming the HTTP status.
 */
export declare function serverError(api: string, status: number, body: unknown): CloudError;
