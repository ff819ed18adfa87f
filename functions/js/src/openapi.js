// cloud.openapi (云调用) and cloud.getOpenData in minibase's wx-server-sdk.
//
// wx-server-sdk@4 turns a call's parameters from camelCase to WeChat's
// snake_case (every object key, recursively: user keys such as a
// subscribe message's thing1 have no capitals to change), sends the
// top-level members shaped {contentType, value: Buffer} as uploaded files,
// and turns the answer's keys back to camelCase. Here the same is done in
// JavaScript, and the call itself is natives.openapi: Go, which holds the
// access_token and the table of WeChat's endpoints (Go package functions/openapi).
import { CloudError, ErrCode } from '../../../sdk/src/core/errors';

/** wx-server-sdk's test for what it converts: plain objects, not Buffers, Dates or arrays. */
const isObject = (x) => Object.prototype.toString.call(x) === '[object Object]';

const toSnake = (s) => s.replace(/[A-Z]/g, (m, i) => (i ? '_' : '') + m.toLowerCase());
const toCamel = (s) => s.replace(/_[a-z]/g, (m) => m[1].toUpperCase());

/** convertCase renames the keys of every plain object in v with rename; the rest is kept as it is. */
export function convertCase(v, rename) {
  if (Array.isArray(v)) return v.map((item) => convertCase(item, rename));
  if (!isObject(v)) return v;
  const out = {};
  for (const key of Object.keys(v)) out[rename(key)] = convertCase(v[key], rename);
  return out;
}

/** A parameter wx-server-sdk uploads as a file: {contentType, value: Buffer}. */
const isFile = (v) =>
  isObject(v) && Boolean(v.contentType || v.content_type) && v.value !== undefined &&
  (ArrayBuffer.isView(v.value) || v.value instanceof ArrayBuffer);

/**
 * makeOpenAPI returns cloud.openapi: any cloud.openapi.<module>.<method>
 * is a function of the call's parameters, and cloud.openapi(options)
 * returns one with options ({convertCase: false} sends the parameters and
 * returns the answer as they are). need() throws before cloud.init().
 */
export function makeOpenAPI(natives, need, options = {}) {
  const root = function openapi(opts) {
    if (!isObject(opts)) throw new TypeError('cloud.openapi(options): an options object is expected');
    return makeOpenAPI(natives, need, Object.assign({}, options, opts));
  };
  const modules = new Map();
  return new Proxy(root, {
    get(target, mod) {
      if (typeof mod !== 'string' || mod === 'toJSON') return undefined;
      if (!modules.has(mod)) modules.set(mod, openapiModule(natives, need, options, mod));
      return modules.get(mod);
    },
  });
}

function openapiModule(natives, need, options, mod) {
  const methods = new Map();
  return new Proxy({}, {
    get(target, fn) {
      if (typeof fn !== 'string' || fn === 'toJSON' || fn === 'then') return undefined;
      if (!methods.has(fn)) methods.set(fn, (params) => callOpenAPI(natives, need, options, `${mod}.${fn}`, params));
      return methods.get(fn);
    },
  });
}

function callOpenAPI(natives, need, options, api, params) {
  need();
  const name = `openapi.${api}`;
  if (params !== undefined && !isObject(params)) {
    return Promise.reject(new CloudError(ErrCode.INVALID_PARAM, `${name}:fail -501007 invalid parameters. the parameters must be an object`, 'INVALID_PARAM'));
  }
  try {
    return send(natives, options, api, name, params);
  } catch (e) {
    return Promise.reject(e); // parameters JSON cannot hold (a cycle, a BigInt): as the real SDK's async call does
  }
}

function send(natives, options, api, name, params) {
  const convert = options.convertCase !== false;
  const data = params === undefined ? {} : convert ? convertCase(params, toSnake) : params;
  const rest = {};
  const files = [];
  for (const key of Object.keys(data)) {
    const v = data[key];
    if (isFile(v)) {
      files.push({ field: key, contentType: String(v.contentType || v.content_type), name: String(v.fileName || v.file_name || ''), value: v.value });
    } else {
      rest[key] = v;
    }
  }
  return natives.openapi(api, rest, files).then(
    (r) => {
      let result;
      if (r.json !== undefined) {
        result = JSON.parse(r.json);
        delete result.errcode;
        delete result.errmsg;
        if (convert) result = convertCase(result, toCamel);
      } else {
        result = { contentType: r.contentType, buffer: r.buffer };
      }
      return Object.assign(result, { errMsg: `${name}:ok`, errCode: 0 });
    },
    (e) => {
      throw new CloudError(e.errCode, `${name}:fail ${e.errCode} ${e.message}`);
    },
  );
}

/** The most items of one getOpenData call. */
const MAX_OPEN_DATA = 50;

/**
 * makeGetOpenData returns cloud.getOpenData({list}). A cloudID is resolved
 * by WeChat for CloudBase's backend only, so minibase refuses one with the
 * reason; an item {encryptedData, iv} (what wx.getWeRunData, getShareInfo
 * and the like give beside their cloudID) is decrypted with the calling
 * user's session key, kept from their WeChat sign-in.
 */
export function makeGetOpenData(natives, need) {
  return function getOpenData(opts) {
    need();
    const api = 'getOpenData';
    const fail = (errCode, text, detail) => Promise.reject(new CloudError(errCode, `${api}:fail ${errCode} ${text}. ${detail}`));
    const list = isObject(opts) ? opts.list : undefined;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_OPEN_DATA) {
      return fail(ErrCode.INVALID_PARAM, 'invalid parameters', `list must be an array of 1 to ${MAX_OPEN_DATA} items`);
    }
    const items = [];
    for (const it of list) {
      if (typeof it === 'string') {
        return fail(-601005, 'invalid cloudID',
          'WeChat resolves cloudIDs only for CloudBase\'s own backend, which a self-hosted server is not: pass the data\'s ' +
          '{encryptedData, iv} instead (decrypted with the caller\'s session key), or, for a phone number, ' +
          'the code of <button open-type="getPhoneNumber"> to cloud.openapi.phonenumber.getPhoneNumber({code})');
      }
      if (!isObject(it) || typeof it.encryptedData !== 'string' || typeof it.iv !== 'string') {
        return fail(ErrCode.INVALID_PARAM, 'invalid parameters', 'each item of list must be {encryptedData, iv} (strings, base64)');
      }
      items.push({ encryptedData: it.encryptedData, iv: it.iv });
    }
    return natives.getOpenData(JSON.stringify(items)).then(
      (texts) => ({ list: texts.map((t) => ({ data: JSON.parse(t) })), errMsg: `${api}:ok`, errCode: 0 }),
      (e) => {
        throw new CloudError(e.errCode, `${api}:fail ${e.errCode} ${e.message}`);
      },
    );
  };
}
