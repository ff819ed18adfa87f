/**
 * Errors in wx.cloud's shape (spec §2.3): an `Error` whose numeric `errCode`
 * and `errMsg` (`'<api>:fail …'`) callers branch on.
 */

/** Numeric error codes of §2.4 that the SDK itself produces or maps. */
export const ErrCode = {
  /** unknown error, SDK-level failures (network down, document not found). */
  UNKNOWN: -1,
  SYS_ERR: -501001,
  SERVER_TIMEOUT: -501002,
  EXCEED_REQUEST_LIMIT: -501003,
  INVALID_ENV: -501005,
  INVALID_PARAM: -501007,
  RESOURCE_NOT_INITIAL: -501009,
  DATABASE_REQUEST_FAILED: -502001,
  DATABASE_INVALID_OPERATOR: -502002,
  DATABASE_PERMISSION_DENIED: -502003,
  DATABASE_COLLECTION_EXCEED_LIMIT: -502004,
  DATABASE_COLLECTION_NOT_EXIST: -502005,
  STORAGE_REQUEST_FAIL: -503001,
  STORAGE_EXCEED_AUTHORITY: -503002,
  STORAGE_FILE_NONEXIST: -503003,
  FUNCTIONS_REQUEST_FAIL: -504001,
  FUNCTIONS_EXECUTE_FAIL: -504002,
} as const;

/** The English texts wx-server-sdk puts after the number (its ERR_CODE table, §2.4). */
export const ERR_TEXT: { readonly [errCode: number]: string } = {
  [-501001]: 'resource system error',
  [-501002]: 'resource server timeout',
  [-501003]: 'exceed request limit',
  [-501004]: 'exceed concurrent request limit',
  [-501005]: 'invalid env',
  [-501006]: 'invalid common parameters',
  [-501007]: 'invalid parameters',
  [-501008]: 'invalid request source',
  [-501009]: 'resource not initialized',
  [-502001]: 'database request fail',
  [-502002]: 'database invalid command',
  [-502003]: 'database permission denied',
  [-502004]: 'database exceed collection limit',
  [-502005]: 'database collection not exists',
  [-503001]: 'storage request fail',
  [-503002]: 'storage permission denied',
  [-503003]: 'storage file not exists',
  [-503004]: 'storage invalid sign parameter',
  [-504001]: 'functions request fail',
  [-504002]: 'functions execute fail',
  [-602001]: 'query result size exceed limit (1MB)',
  [-604001]: 'cloudfunction result size exceed limit (1MB)',
};

/**
 * A failed cloud call. `message === errMsg`, so `String(err)` and
 * `err.message` read as wx.cloud's do; `code` is the server's string code
 * (`DATABASE_PERMISSION_DENIED`) when the server sent one.
 */
export class CloudError extends Error {
  errCode: number;
  errMsg: string;
  code?: string;
  requestId?: string;

  constructor(errCode: number, errMsg: string, code?: string, requestId?: string) {
    super(errMsg);
    this.name = 'CloudError';
    this.errCode = errCode;
    this.errMsg = errMsg;
    if (code !== undefined) this.code = code;
    if (requestId !== undefined) this.requestId = requestId;
  }
}

/** An SDK-side failure of api: errMsg is `${api}:fail ${detail}`. */
export function cloudError(api: string, errCode: number, detail: string, code?: string): CloudError {
  return new CloudError(errCode, `${api}:fail ${detail}`, code);
}

interface ServerErrorBody {
  code?: unknown;
  errCode?: unknown;
  message?: unknown;
  requestId?: unknown;
}

/**
 * The failure of api reported by the server with HTTP status and error
 * body `{code, errCode, message}`, in wx-server-sdk's toSDKError shape:
 * `${api}:fail ${errCode} ${text}. ${message}`. A body that is not such an
 * object becomes SYS_ERR naming the HTTP status.
 */
export function serverError(api: string, status: number, body: unknown): CloudError {
  const b: ServerErrorBody = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const code = typeof b.code === 'string' ? b.code : undefined;
  const message = typeof b.message === 'string' ? b.message : undefined;
  const requestId = typeof b.requestId === 'string' ? b.requestId : undefined;
  if (typeof b.errCode !== 'number' && code === undefined) {
    return cloudError(api, ErrCode.SYS_ERR, `server answered HTTP ${status} without an error body`);
  }
  const errCode = typeof b.errCode === 'number' ? b.errCode : ErrCode.SYS_ERR;
  const text = ERR_TEXT[errCode] ?? code ?? 'error';
  const msg = `${api}:fail ${errCode} ${text}.` + (message ? ` ${message}` : ` (HTTP ${status})`);
  return new CloudError(errCode, msg, code, requestId);
}
