/* minibase-sdk 0.1.0: built from sdk/src by scripts/build.mjs; do not edit. */
"use strict";
var __defProp = Object.defineProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// src/index.ts
var index_exports = {};
__export(index_exports, {
  Auth: () => Auth,
  Client: () => Client,
  CloudError: () => CloudError,
  Database: () => Database,
  ERR_TEXT: () => ERR_TEXT,
  ErrCode: () => ErrCode,
  MAX_FILE_LIST: () => MAX_FILE_LIST,
  NOT_INITIALIZED: () => NOT_INITIALIZED,
  Storage: () => Storage,
  TRANSFER_TIMEOUT: () => TRANSFER_TIMEOUT,
  abortError: () => abortError,
  auth: () => auth,
  callFunction: () => callFunction2,
  client: () => client,
  cloudError: () => cloudError,
  database: () => database,
  default: () => index_default,
  deleteFile: () => deleteFile,
  downloadFile: () => downloadFile,
  fetchAdapter: () => fetchAdapter,
  fileURL: () => fileURL2,
  getTempFileURL: () => getTempFileURL,
  init: () => init,
  memoryKV: () => memoryKV,
  miniProgramAdapter: () => miniProgramAdapter,
  networkError: () => networkError,
  parseFileID: () => parseFileID,
  promiseOrCallback: () => promiseOrCallback,
  serverError: () => serverError,
  timeoutError: () => timeoutError,
  uploadFile: () => uploadFile
});

// src/adapters/types.ts
function abortError() {
  const e = new Error("abort");
  e.aborted = true;
  return e;
}
function networkError(detail) {
  const e = new Error(detail);
  e.network = true;
  return e;
}
function timeoutError(ms) {
  const e = new Error(`request timed out after ${ms}ms`);
  e.timeout = true;
  return e;
}
function parseBody(text) {
  if (text === "") return "";
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// src/adapters/transfer.ts
function fetchUpload(req) {
  if (typeof req.file === "string") {
    return Promise.reject(new Error("a file path works in mini-programs only; pass the bytes (a Blob, File or Buffer)"));
  }
  const form = new FormData();
  for (const k of Object.keys(req.fields)) form.append(k, req.fields[k]);
  const blob = req.file instanceof Blob ? req.file : new Blob([req.file]);
  form.append(req.fileField, blob, req.fileName ?? "file");
  if (typeof XMLHttpRequest === "function") return xhrUpload(req, form);
  return fetchPost(req, form);
}
async function fetchDownload(req) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), req.timeout);
  try {
    const res = await fetch(req.url, { headers: req.headers, signal: ctrl.signal });
    if (res.status >= 400) return { status: res.status, error: parseBody(await res.text()) };
    return { status: res.status, data: await res.arrayBuffer() };
  } catch (e) {
    if (ctrl.signal.aborted) throw timeoutError(req.timeout);
    throw networkError(describe(e));
  } finally {
    clearTimeout(timer);
  }
}
async function fetchPost(req, form) {
  if (typeof fetch !== "function") throw networkError("this platform has no fetch; pass init({ adapter })");
  const ctrl = new AbortController();
  let aborted = false;
  req.onAbortable?.(() => {
    aborted = true;
    ctrl.abort();
  });
  const timer = setTimeout(() => ctrl.abort(), req.timeout);
  try {
    const res = await fetch(req.url, { method: "POST", headers: req.headers, body: form, signal: ctrl.signal });
    const data = parseBody(await res.text());
    return { status: res.status, data, headers: lowerHeaders(res.headers) };
  } catch (e) {
    if (aborted) throw abortError();
    if (ctrl.signal.aborted) throw timeoutError(req.timeout);
    throw networkError(describe(e));
  } finally {
    clearTimeout(timer);
  }
}
function xhrUpload(req, form) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("POST", req.url);
    for (const k of Object.keys(req.headers)) x.setRequestHeader(k, req.headers[k]);
    x.timeout = req.timeout;
    const onProgress = req.onProgress;
    if (onProgress && x.upload) {
      x.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
    }
    x.onload = () => resolve({
      status: x.status,
      data: parseBody(String(x.responseText ?? "")),
      get headers() {
        return xhrHeaders(String(x.getAllResponseHeaders() ?? ""));
      }
    });
    x.onerror = () => reject(networkError("upload failed"));
    x.ontimeout = () => reject(timeoutError(req.timeout));
    x.onabort = () => reject(abortError());
    req.onAbortable?.(() => x.abort());
    x.send(form);
  });
}
function xhrHeaders(raw) {
  const out = {};
  for (const line of raw.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

// src/adapters/fetch.ts
function fetchAdapter() {
  return {
    name: "fetch",
    request: fetchRequest,
    uploadFile: fetchUpload,
    downloadFile: fetchDownload,
    connectSocket: webSocket,
    storage: webStorage() ?? memoryKV()
  };
}
async function fetchRequest(req) {
  if (typeof fetch !== "function") throw networkError("this platform has no fetch; pass init({ adapter })");
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), req.timeout);
  try {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: ctrl.signal });
    const data = parseBody(await res.text());
    return { status: res.status, data, get headers() {
      return lowerHeaders(res.headers);
    } };
  } catch (e) {
    if (ctrl.signal.aborted) throw timeoutError(req.timeout);
    throw networkError(describe(e));
  } finally {
    clearTimeout(timer);
  }
}
function lowerHeaders(h) {
  const out = {};
  h.forEach((v, k) => {
    out[k.toLowerCase()] = v;
  });
  return out;
}
function describe(e) {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause;
  const why = cause?.code ?? cause?.message;
  return why ? `${e.message} (${why})` : e.message;
}
function webStorage() {
  try {
    if (typeof localStorage === "undefined" || localStorage === null) return void 0;
    const ls = localStorage;
    return {
      get: (k) => ls.getItem(k) ?? void 0,
      set: (k, v) => ls.setItem(k, v),
      remove: (k) => ls.removeItem(k)
    };
  } catch {
    return void 0;
  }
}
function memoryKV() {
  const m = /* @__PURE__ */ new Map();
  return {
    get: (k) => m.get(k),
    set: (k, v) => void m.set(k, v),
    remove: (k) => void m.delete(k)
  };
}
function webSocket(url, headers) {
  const WS = globalThis.WebSocket;
  if (typeof WS !== "function") {
    throw new Error(
      "this platform has no WebSocket: use Node 22 or later, or Node 20 with --experimental-websocket, or set globalThis.WebSocket = require('ws')"
    );
  }
  const auth2 = headers["Authorization"];
  if (auth2 && auth2.startsWith("Bearer ")) {
    url += (url.includes("?") ? "&" : "?") + "access_token=" + encodeURIComponent(auth2.slice(7));
  }
  const ws = new WS(url);
  return {
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onOpen: (cb) => ws.addEventListener("open", () => cb()),
    onMessage: (cb) => ws.addEventListener("message", (ev) => cb(typeof ev.data === "string" ? ev.data : String(ev.data))),
    onClose: (cb) => ws.addEventListener("close", (ev) => cb(ev.code ?? 1006, ev.reason ?? "")),
    onError: (cb) => ws.addEventListener("error", () => cb(new Error("WebSocket error")))
  };
}

// src/adapters/mptransfer.ts
function mpUpload(platform, api, req) {
  if (typeof req.file !== "string") {
    return Promise.reject(new Error(`${platform}.uploadFile takes a file path (a tempFilePath), not ${typeof req.file}`));
  }
  const filePath = req.file;
  const alipay = platform === "my";
  return once(req.timeout, (settle) => {
    const task = api.uploadFile({
      url: req.url,
      filePath,
      // Alipay names the field fileName and requires a fileType.
      ...alipay ? { fileName: req.fileField, fileType: "image" } : { name: req.fileField },
      [alipay ? "headers" : "header"]: req.headers,
      formData: req.fields,
      timeout: req.timeout,
      success: (res) => settle(() => answer(res)),
      fail: (res) => settle(() => failure(res, req.timeout))
    });
    const onProgress = req.onProgress;
    if (onProgress && task && typeof task.onProgressUpdate === "function") {
      task.onProgressUpdate((p) => onProgress({ loaded: p.totalBytesSent ?? 0, total: p.totalBytesExpectedToSend ?? 0 }));
    }
    req.onAbortable?.(() => {
      settle(() => {
        throw abortError();
      });
      task?.abort?.();
    });
    return task;
  });
}
function mpDownload(platform, api, req) {
  const alipay = platform === "my";
  return once(
    req.timeout,
    (settle) => api.downloadFile({
      url: req.url,
      [alipay ? "headers" : "header"]: req.headers,
      timeout: req.timeout,
      success: (res) => settle(() => {
        const status = Number(res.statusCode ?? res.status ?? 200);
        const tempFilePath = res.tempFilePath ?? res.apFilePath;
        if (status >= 400) return { status, error: readError(api, tempFilePath) };
        return { status, tempFilePath };
      }),
      fail: (res) => settle(() => {
        const r = failure(res, req.timeout);
        return { status: r.status, error: r.data };
      })
    })
  );
}
function once(ms, start) {
  return new Promise((resolve, reject) => {
    let done = false;
    let task = void 0;
    const settle = (f) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        resolve(f());
      } catch (e) {
        reject(e);
      }
    };
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      try {
        task?.abort?.();
      } catch {
      }
      reject(timeoutError(ms));
    }, ms);
    task = start(settle);
  });
}
function answer(res) {
  const raw = res.header ?? res.headers ?? {};
  const headers = {};
  for (const k of Object.keys(raw)) headers[k.toLowerCase()] = String(raw[k]);
  const data = typeof res.data === "string" ? parseBody(res.data) : res.data;
  return { status: Number(res.statusCode ?? res.status), headers, data };
}
function failure(res, ms) {
  const r = res ?? {};
  if (typeof (r.statusCode ?? r.status) === "number") return answer(r);
  const msg = r.errMsg ?? r.errorMessage ?? (r.error !== void 0 ? `error ${r.error}` : "transfer failed");
  if (/abort/i.test(msg)) throw abortError();
  if (r.error === 13 || /time ?out/i.test(msg)) throw timeoutError(ms);
  throw networkError(msg);
}
function readError(api, path) {
  if (!path || typeof api.getFileSystemManager !== "function") return void 0;
  try {
    const text = api.getFileSystemManager().readFileSync(path, "utf8");
    return typeof text === "string" ? parseBody(text) : void 0;
  } catch {
    return void 0;
  }
}

// src/adapters/miniprogram.ts
function miniProgramAdapter(platform, api) {
  return {
    name: platform,
    request: (req) => mpRequest(platform, api, req),
    uploadFile: typeof api.uploadFile === "function" ? (req) => mpUpload(platform, api, req) : void 0,
    downloadFile: typeof api.downloadFile === "function" ? (req) => mpDownload(platform, api, req) : void 0,
    connectSocket: typeof api.connectSocket === "function" ? (url, headers) => mpSocket(platform, api, url, headers) : void 0,
    storage: mpStorage(platform, api),
    login: platform === "my" || typeof api.login !== "function" ? void 0 : (ms) => mpLogin(platform, api, ms)
  };
}
function mpLogin(platform, api, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError(ms)), ms);
    const done = (f) => {
      clearTimeout(timer);
      f();
    };
    api.login({
      ...platform === "uni" ? { provider: "weixin" } : {},
      timeout: ms,
      success: (res) => done(
        () => typeof res?.code === "string" && res.code !== "" ? resolve(res.code) : reject(new Error(`${platform}.login gave no code${res?.errMsg ? ": " + res.errMsg : ""}`))
      ),
      fail: (res) => done(() => reject(new Error(res?.errMsg ?? res?.errorMessage ?? `${platform}.login failed`)))
    });
  });
}
function mpSocket(platform, api, url, headers) {
  let failed2;
  const task = api.connectSocket({
    url,
    header: headers,
    ...platform === "my" ? { multiple: true } : {},
    success: () => {
    },
    fail: (res) => {
      failed2 = res?.errMsg ?? res?.errorMessage ?? "connectSocket failed";
    }
  });
  if (!task || typeof task.onMessage !== "function") {
    throw new Error(`${platform}.connectSocket gave no SocketTask${failed2 ? ": " + failed2 : ""}`);
  }
  return {
    send: (data) => task.send({ data }),
    close: (code, reason) => task.close({ code: code ?? 1e3, reason: reason ?? "" }),
    onOpen: (cb) => task.onOpen(() => cb()),
    onMessage: (cb) => task.onMessage((res) => {
      const d = res?.data;
      const inner = d !== null && typeof d === "object" ? d.data : void 0;
      cb(typeof d === "string" ? d : typeof inner === "string" ? inner : String(d));
    }),
    onClose: (cb) => task.onClose((res) => cb(res?.code ?? 1006, res?.reason ?? "")),
    onError: (cb) => task.onError((res) => cb(new Error(res?.errMsg ?? res?.errorMessage ?? "socket error")))
  };
}
function mpRequest(platform, api, req) {
  return new Promise((resolve, reject) => {
    let done = false;
    let task;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      try {
        task?.abort?.();
      } catch {
      }
      reject(timeoutError(req.timeout));
    }, req.timeout);
    const settle = (f) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      f();
    };
    const alipay = platform === "my";
    task = api.request({
      url: req.url,
      method: req.method,
      data: req.body,
      [alipay ? "headers" : "header"]: req.headers,
      timeout: req.timeout,
      // Alipay's 'json' fails a non-JSON body (an HTML 502) with no status: take text and parse here.
      dataType: alipay ? "text" : "json",
      responseType: "text",
      success: (res) => settle(() => resolve(response(res))),
      fail: (res) => settle(() => failed(res, req.timeout, resolve, reject))
    });
  });
}
function response(res) {
  const raw = res.header ?? res.headers ?? {};
  const headers = {};
  for (const k of Object.keys(raw)) headers[k.toLowerCase()] = String(raw[k]);
  const data = typeof res.data === "string" ? parseBody(res.data) : res.data;
  return { status: Number(res.statusCode ?? res.status), headers, data };
}
function failed(res, ms, resolve, reject) {
  const r = res ?? {};
  if (typeof (r.statusCode ?? r.status) === "number") return resolve(response(r));
  const msg = r.errMsg ?? r.errorMessage ?? (r.error !== void 0 ? `error ${r.error}` : "request failed");
  if (r.error === 13 || /time ?out/i.test(msg)) return reject(timeoutError(ms));
  reject(networkError(msg));
}
function mpStorage(platform, api) {
  const { getStorageSync: get, setStorageSync: set, removeStorageSync: remove } = api;
  if (typeof get !== "function" || typeof set !== "function" || typeof remove !== "function") return void 0;
  if (platform === "my") {
    return {
      get: (key) => str(get.call(api, { key })?.data),
      set: (key, data) => set.call(api, { key, data }),
      remove: (key) => remove.call(api, { key })
    };
  }
  return {
    get: (key) => str(get.call(api, key)),
    set: (key, data) => set.call(api, key, data),
    remove: (key) => remove.call(api, key)
  };
}
function str(v) {
  return v === void 0 || v === null || v === "" ? void 0 : String(v);
}

// src/adapters/index.ts
function platformAPI(p) {
  let api;
  switch (p) {
    case "wx":
      api = typeof wx === "object" ? wx : void 0;
      break;
    case "my":
      api = typeof my === "object" ? my : void 0;
      break;
    case "tt":
      api = typeof tt === "object" ? tt : void 0;
      break;
    case "uni":
      api = typeof uni === "object" ? uni : void 0;
      break;
  }
  return api && typeof api.request === "function" ? api : void 0;
}
var PLATFORMS = ["wx", "my", "tt", "uni"];
function resolveAdapter(a) {
  if (a === void 0) {
    for (const p of PLATFORMS) {
      const api = platformAPI(p);
      if (api) return miniProgramAdapter(p, api);
    }
    return fetchAdapter();
  }
  if (a !== null && typeof a === "object") {
    if (typeof a.request !== "function") throw new Error("adapter must have a request(req) method");
    return a;
  }
  if (a === "fetch") return fetchAdapter();
  if (PLATFORMS.includes(a)) {
    const api = platformAPI(a);
    if (!api) throw new Error(`adapter '${a}' needs the global ${a}.request, which this platform does not have`);
    return miniProgramAdapter(a, api);
  }
  throw new Error(`adapter must be an Adapter object or one of fetch, ${PLATFORMS.join(", ")}; got ${String(a)}`);
}

// src/core/errors.ts
var ErrCode = {
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
  FUNCTIONS_EXECUTE_FAIL: -504002
};
var ERR_TEXT = {
  [-501001]: "resource system error",
  [-501002]: "resource server timeout",
  [-501003]: "exceed request limit",
  [-501004]: "exceed concurrent request limit",
  [-501005]: "invalid env",
  [-501006]: "invalid common parameters",
  [-501007]: "invalid parameters",
  [-501008]: "invalid request source",
  [-501009]: "resource not initialized",
  [-502001]: "database request fail",
  [-502002]: "database invalid command",
  [-502003]: "database permission denied",
  [-502004]: "database exceed collection limit",
  [-502005]: "database collection not exists",
  [-503001]: "storage request fail",
  [-503002]: "storage permission denied",
  [-503003]: "storage file not exists",
  [-503004]: "storage invalid sign parameter",
  [-504001]: "functions request fail",
  [-504002]: "functions execute fail",
  [-602001]: "query result size exceed limit (1MB)",
  [-604001]: "cloudfunction result size exceed limit (1MB)"
};
var CloudError = class extends Error {
  constructor(errCode, errMsg, code, requestId) {
    super(errMsg);
    this.name = "CloudError";
    this.errCode = errCode;
    this.errMsg = errMsg;
    if (code !== void 0) this.code = code;
    if (requestId !== void 0) this.requestId = requestId;
  }
};
function cloudError(api, errCode, detail, code) {
  return new CloudError(errCode, `${api}:fail ${detail}`, code);
}
function serverError(api, status, body) {
  const b = body !== null && typeof body === "object" && !Array.isArray(body) ? body : {};
  const code = typeof b.code === "string" ? b.code : void 0;
  const message = typeof b.message === "string" ? b.message : void 0;
  const requestId = typeof b.requestId === "string" ? b.requestId : void 0;
  if (typeof b.errCode !== "number" && code === void 0) {
    return cloudError(api, ErrCode.SYS_ERR, `server answered HTTP ${status} without an error body`);
  }
  const errCode = typeof b.errCode === "number" ? b.errCode : ErrCode.SYS_ERR;
  const text = ERR_TEXT[errCode] ?? code ?? "error";
  const msg = `${api}:fail ${errCode} ${text}.` + (message ? ` ${message}` : ` (HTTP ${status})`);
  return new CloudError(errCode, msg, code, requestId);
}

// src/database/values.ts
var DbValue = class {
};
var ServerDate = class extends DbValue {
  constructor(opts) {
    super();
    this.options = { offset: opts?.offset ?? 0 };
  }
  /** The wire form. */
  toJSON() {
    return { $serverDate: { offset: this.options.offset } };
  }
};
var DbRegExp = class extends DbValue {
  constructor(opts) {
    super();
    if (!opts || !opts.regexp) throw new TypeError("regexp must be a string");
    this.regexp = String(opts.regexp);
    this.options = opts.options === void 0 ? "" : String(opts.options);
  }
  /** The wire form. */
  toJSON() {
    return this.options ? { $regex: this.regexp, $options: this.options } : { $regex: this.regexp };
  }
};
var FLAGS = /[^ims]/g;
function regexpJSON(r) {
  const o = r.flags.replace(FLAGS, "");
  return o ? { $regex: r.source, $options: o } : { $regex: r.source };
}

// src/database/geo.ts
function checkDegree(name, v) {
  if (typeof v !== "number") throw new Error("Geo Point must be number type");
  if (name === "latitude" ? Math.abs(v) > 90 : Math.abs(v) > 180) {
    throw new Error(
      name === "latitude" ? "latitude should be a number ranges from -90 to 90" : "longitude should be a number ranges from -180 to 180"
    );
  }
  return v;
}
function isGeoJSON(v, type) {
  return v !== null && typeof v === "object" && v.type === type && Array.isArray(v.coordinates);
}
function list(v, what, type, cls) {
  if (!Array.isArray(v)) throw new TypeError(`"${what}" must be of type ${type}[]. Received type ${typeof v}`);
  for (const x of v) {
    if (!(x instanceof cls)) {
      throw new TypeError(`"${what}" must be of type ${type}[]. Received type ${typeof x}[]`);
    }
  }
  return v;
}
var coords = (points2) => points2.map((p) => [p.longitude, p.latitude]);
var GeoPoint = class extends DbValue {
  constructor(longitude, latitude) {
    super();
    if (isGeoJSON(longitude, "Point")) {
      latitude = longitude.coordinates[1];
      longitude = longitude.coordinates[0];
    }
    this.longitude = checkDegree("longitude", longitude);
    this.latitude = checkDegree("latitude", latitude);
  }
  toJSON() {
    return { type: "Point", coordinates: [this.longitude, this.latitude] };
  }
  toString() {
    return `[${this.longitude},${this.latitude}]`;
  }
};
function points(v, type) {
  return isGeoJSON(v, type) ? v.coordinates.map((c) => new GeoPoint(c[0], c[1])) : list(v, "points", "Point", GeoPoint);
}
var GeoLineString = class extends DbValue {
  constructor(pts) {
    super();
    const p = points(pts, "LineString");
    if (p.length < 2) throw new Error('"points" must contain 2 points at least');
    this.points = p;
  }
  toJSON() {
    return { type: "LineString", coordinates: coords(this.points) };
  }
  toString() {
    return JSON.stringify(this.toJSON().coordinates);
  }
};
function lines(v, type, closed) {
  const ls = isGeoJSON(v, type) ? v.coordinates.map((l) => new GeoLineString({ type: "LineString", coordinates: l })) : list(v, "lines", "LineString", GeoLineString);
  if (closed) {
    for (const l of ls) {
      const a = l.points[0];
      const b = l.points[l.points.length - 1];
      if (a.longitude !== b.longitude || a.latitude !== b.latitude) {
        throw new Error(`LineString ${l.points.map(String)} is not a closed cycle`);
      }
    }
  }
  return ls;
}
var GeoPolygon = class extends DbValue {
  constructor(ls) {
    super();
    const l = lines(ls, "Polygon", true);
    if (l.length === 0) throw new Error("Polygon must contain 1 linestring at least");
    this.lines = l;
  }
  toJSON() {
    return { type: "Polygon", coordinates: this.lines.map((l) => coords(l.points)) };
  }
  toString() {
    return JSON.stringify(this.toJSON().coordinates);
  }
};
var GeoMultiPoint = class extends DbValue {
  constructor(pts) {
    super();
    const p = points(pts, "MultiPoint");
    if (p.length === 0) throw new Error('"points" must contain 1 point at least');
    this.points = p;
  }
  toJSON() {
    return { type: "MultiPoint", coordinates: coords(this.points) };
  }
  toString() {
    return JSON.stringify(this.toJSON().coordinates);
  }
};
var GeoMultiLineString = class extends DbValue {
  constructor(ls) {
    super();
    const l = lines(ls, "MultiLineString", false);
    if (l.length === 0) throw new Error("MultiLineString must contain 1 linestring at least");
    this.lines = l;
  }
  toJSON() {
    return { type: "MultiLineString", coordinates: this.lines.map((l) => coords(l.points)) };
  }
  toString() {
    return JSON.stringify(this.toJSON().coordinates);
  }
};
var GeoMultiPolygon = class extends DbValue {
  constructor(ps) {
    super();
    const p = isGeoJSON(ps, "MultiPolygon") ? ps.coordinates.map((c) => new GeoPolygon({ type: "Polygon", coordinates: c })) : list(ps, "polygons", "Polygon", GeoPolygon);
    if (p.length === 0) throw new Error("MultiPolygon must contain 1 polygon at least");
    this.polygons = p;
  }
  toJSON() {
    return { type: "MultiPolygon", coordinates: this.polygons.map((p) => p.toJSON().coordinates) };
  }
  toString() {
    return JSON.stringify(this.toJSON().coordinates);
  }
};
function callable(C) {
  const f = function(...args2) {
    return new C(...args2);
  };
  f.prototype = C.prototype;
  return f;
}
var Geo = {
  Point: callable(GeoPoint),
  LineString: callable(GeoLineString),
  Polygon: callable(GeoPolygon),
  MultiPoint: callable(GeoMultiPoint),
  MultiLineString: callable(GeoMultiLineString),
  MultiPolygon: callable(GeoMultiPolygon)
};
function fromGeoJSON(o) {
  try {
    switch (o.type) {
      case "Point":
        return new GeoPoint(o);
      case "LineString":
        return new GeoLineString(o);
      case "Polygon":
        return new GeoPolygon(o);
      case "MultiPoint":
        return new GeoMultiPoint(o);
      case "MultiLineString":
        return new GeoMultiLineString(o);
      case "MultiPolygon":
        return new GeoMultiPolygon(o);
    }
  } catch {
  }
  return void 0;
}

// src/database/decode.ts
function decode(v) {
  return v !== null && typeof v === "object" ? walk(v) : v;
}
function walk(v) {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === "object") v[i] = walk(x);
    }
    return v;
  }
  const d = v.$date;
  if (typeof d === "string") return new Date(isoMillis(d));
  if (typeof d === "number") return new Date(d);
  if (typeof v.type === "string" && Array.isArray(v.coordinates)) {
    const g = fromGeoJSON(v);
    if (g) return g;
  }
  for (const k in v) {
    const x = v[k];
    if (x !== null && typeof x === "object") v[k] = walk(x);
  }
  return v;
}
function isoMillis(s) {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(23) !== 90) {
    return Date.parse(s);
  }
  let bad = false;
  const num = (at, len) => {
    let r = 0;
    for (let i = at; i < at + len; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) bad = true;
      r = r * 10 + c;
    }
    return r;
  };
  let y = num(0, 4);
  const mo = num(5, 2);
  const d = num(8, 2);
  const h = num(11, 2);
  const mi = num(14, 2);
  const sec = num(17, 2);
  const ms = num(20, 3);
  if (bad || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return Date.parse(s);
  if (mo <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  return days * 864e5 + h * 36e5 + mi * 6e4 + sec * 1e3 + ms;
}

// src/realtime/session.ts
var Watch = class {
  constructor(api, id, body, opts, send) {
    this.api = api;
    this.id = id;
    this.body = body;
    this.opts = opts;
    this.send = send;
    this.eventId = -1;
    this.docs = [];
    this.stopped = false;
  }
  /** Asks the server for the watch: afresh, or resuming after the last event applied. */
  start() {
    const msg = { type: "watch", watchId: this.id, query: this.body };
    if (this.queryId !== void 0) msg.resume = { queryId: this.queryId, eventId: this.eventId };
    this.send(msg);
  }
  /** Stops the watch; false when it had ended already. */
  stop() {
    if (this.stopped) return false;
    this.stopped = true;
    return true;
  }
  /** Ends the watch with err (onError). */
  fail(err) {
    if (this.stop()) this.call(() => this.opts.onError(err));
  }
  /** Applies a message of this watch. */
  receive(m) {
    if (this.stopped) return "ended";
    switch (m.type) {
      case "init":
        this.init(m);
        return "ok";
      case "resume":
      case "events":
        if (m.queryId !== this.queryId) return "ok";
        return this.events(m.events ?? []);
      case "error":
        this.fail(serverError(this.api, 0, m));
        return "ended";
    }
    return "ok";
  }
  // init: the query's documents, afresh: the first snapshot, or a new
  // start (the rules changed, or the server could not replay a gap).
  init(m) {
    this.queryId = m.queryId;
    this.eventId = m.eventId ?? 0;
    this.docs = decode(m.docs ?? []);
    const id = this.eventId;
    const docChanges = this.docs.map((doc) => ({
      id,
      queueType: "init",
      dataType: "init",
      docId: String(doc._id),
      doc
    }));
    this.deliver({ id, docChanges, docs: this.docs.slice(), type: "init" });
  }
  // events applies the events after the last one applied, one snapshot
  // per event id.
  events(changes) {
    for (let i = 0; i < changes.length; ) {
      const id = changes[i].id;
      let j = i;
      while (j < changes.length && changes[j].id === id) j++;
      if (id > this.eventId + 1) return "gap";
      if (id === this.eventId + 1) this.apply(id, changes.slice(i, j));
      i = j;
      if (this.stopped) return "ended";
    }
    return "ok";
  }
  // apply applies one event: the documents it dequeues leave the list;
  // those it enqueues or updates are put at their index, in order of index.
  apply(id, changes) {
    const docChanges = [];
    const put = [];
    for (const c of changes) {
      const i = this.docs.findIndex((d) => d._id === c.docId);
      const old = i >= 0 ? this.docs[i] : void 0;
      if (i >= 0) this.docs.splice(i, 1);
      let doc = c.doc !== void 0 ? decode(c.doc) : void 0;
      const updatedFields = c.dataType === "update" ? decode(c.updatedFields ?? {}) : void 0;
      if (doc === void 0 && updatedFields && old) doc = patch(old, updatedFields, c.removedFields ?? []);
      doc ?? (doc = old ?? { _id: c.docId });
      const e = { id, queueType: c.queueType, dataType: c.dataType, docId: c.docId, doc };
      if (updatedFields) {
        e.updatedFields = updatedFields;
        e.removedFields = c.removedFields ?? [];
      }
      docChanges.push(e);
      if (c.queueType !== "dequeue") put.push({ doc, index: c.index ?? this.docs.length });
    }
    put.sort((a, b) => a.index - b.index);
    for (const p of put) this.docs.splice(Math.min(p.index, this.docs.length), 0, p.doc);
    this.eventId = id;
    this.deliver({ id, docChanges, docs: this.docs.slice() });
  }
  deliver(s) {
    this.call(() => this.opts.onChange(s));
  }
  // call runs a user callback: what it throws must not break the watch.
  call(f) {
    try {
      f();
    } catch (e) {
      console.error("[minibase] a watch callback threw:", e);
    }
  }
};
function patch(doc, updatedFields, removedFields) {
  const out = { ...doc };
  const parentOf = (segs, create) => {
    let d = out;
    for (const s of segs.slice(0, -1)) {
      const next = d[s];
      const isObject = next !== null && typeof next === "object" && !Array.isArray(next) && !(next instanceof Date);
      if (!isObject && !create) return void 0;
      const copy = isObject ? { ...next } : {};
      d[s] = copy;
      d = copy;
    }
    return d;
  };
  for (const path of Object.keys(updatedFields)) {
    const segs = path.split(".");
    parentOf(segs, true)[segs[segs.length - 1]] = updatedFields[path];
  }
  for (const path of removedFields) {
    const segs = path.split(".");
    const d = parentOf(segs, false);
    if (d) delete d[segs[segs.length - 1]];
  }
  return out;
}

// src/realtime/watch.ts
var PING_MS = 2e4;
var DEAD_MS = 45e3;
var BACKOFF_MIN = 500;
var BACKOFF_MAX = 3e4;
var RENEWABLE = /* @__PURE__ */ new Set(["ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_REVOKED"]);
var connections = /* @__PURE__ */ new WeakMap();
function watch(client2, api, coll, body, opts) {
  let byColl = connections.get(client2);
  if (!byColl) {
    byColl = /* @__PURE__ */ new Map();
    connections.set(client2, byColl);
  }
  let conn = byColl.get(coll);
  if (!conn) {
    const all = byColl;
    conn = new Connection(client2, coll, () => all.get(coll) === conn && all.delete(coll));
    byColl.set(coll, conn);
  }
  return conn.add(api, body, opts);
}
var Connection = class {
  constructor(client2, coll, gone) {
    this.client = client2;
    this.coll = coll;
    this.gone = gone;
    this.open = false;
    this.watches = /* @__PURE__ */ new Map();
    this.seq = 0;
    this.attempt = 0;
    this.lastSeen = 0;
    this.renewing = false;
  }
  add(api, body, opts) {
    const w = new Watch(api, "w" + ++this.seq, body, opts, (msg) => this.send(msg));
    this.watches.set(w.id, w);
    if (this.open) w.start();
    else this.connect(0);
    return {
      close: async () => {
        if (!w.stop()) return;
        this.watches.delete(w.id);
        if (this.open) this.send({ type: "close", watchId: w.id });
        if (this.watches.size === 0) this.shut();
      }
    };
  }
  send(msg) {
    if (!this.open || !this.socket) return;
    try {
      this.socket.send(JSON.stringify(msg));
    } catch {
      this.dropped(this.socket);
    }
  }
  // connect makes the connection after delay ms (none when one is being
  // made or waited for).
  connect(delay) {
    if (this.socket || this.retry || this.watches.size === 0) return;
    this.retry = setTimeout(() => {
      this.retry = void 0;
      void this.dial();
    }, delay);
  }
  async dial() {
    let headers;
    try {
      headers = await this.client.authHeaders();
    } catch (e) {
      return this.backoff();
    }
    if (this.socket || this.watches.size === 0) return;
    const url = this.client.endpoint.replace(/^http/i, "ws") + "/v1/db/" + encodeURIComponent(this.coll) + "/watch";
    let s;
    try {
      const connect = this.client.adapter.connectSocket;
      if (!connect) throw new Error(`the '${this.client.adapter.name}' adapter cannot open a WebSocket`);
      s = connect.call(this.client.adapter, url, headers);
    } catch (e) {
      return this.failAll(cloudError("collection.watch", ErrCode.UNKNOWN, e.message));
    }
    this.socket = s;
    s.onOpen(() => {
      if (this.socket !== s) return;
      this.open = true;
      this.lastSeen = Date.now();
      this.ping = setInterval(() => this.keepAlive(s), PING_MS);
      for (const w of this.watches.values()) w.start();
    });
    s.onMessage((data) => {
      if (this.socket !== s) return;
      this.lastSeen = Date.now();
      this.receive(data);
    });
    s.onClose(() => this.dropped(s));
    s.onError(() => this.dropped(s));
  }
  keepAlive(s) {
    if (Date.now() - this.lastSeen > DEAD_MS) {
      try {
        s.close(1e3, "no answer to pings");
      } catch {
      }
      this.dropped(s);
      return;
    }
    this.send({ type: "ping" });
  }
  receive(data) {
    let m;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    if (m.type === "pong") return;
    if (m.watchId === void 0) {
      if (m.type === "error") this.refused(m);
      return;
    }
    const w = this.watches.get(m.watchId);
    if (!w) return;
    if (m.type === "init" || m.type === "resume") this.attempt = 0;
    const r = w.receive(m);
    if (r === "ended") {
      this.watches.delete(w.id);
      if (this.watches.size === 0) this.shut();
    } else if (r === "gap") {
      this.restart();
    }
  }
  // refused: the server ended the connection with an error: a token it
  // refused (refreshed, then the connection is made again) or anything
  // else, which ends every watch.
  refused(m) {
    const code = typeof m.code === "string" ? m.code : "";
    if (RENEWABLE.has(code) && !this.renewing) {
      this.renewing = true;
      void this.client.renew(code).then((ok) => {
        this.renewing = false;
        if (ok) {
          this.attempt = 0;
          this.restart();
        } else {
          this.failAll(serverError("collection.watch", 401, m));
        }
      });
      return;
    }
    this.failAll(serverError("collection.watch", 0, m));
  }
  restart() {
    const s = this.socket;
    if (s) {
      try {
        s.close(1e3, "");
      } catch {
      }
      this.dropped(s, 0);
    }
  }
  // dropped: the socket s closed or failed; the watches resume on a new
  // one, after delay (backoff when absent).
  dropped(s, delay) {
    if (!s || this.socket !== s) return;
    this.socket = void 0;
    this.open = false;
    clearInterval(this.ping);
    if (this.renewing) return;
    if (delay === void 0) this.backoff();
    else this.connect(delay);
  }
  backoff() {
    const d = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt++);
    this.connect(d / 2 + Math.random() * (d / 2));
  }
  failAll(err) {
    const ws = [...this.watches.values()];
    this.watches.clear();
    this.shut();
    for (const w of ws) w.fail(err);
  }
  // shut closes the connection: no watch is left.
  shut() {
    clearTimeout(this.retry);
    this.retry = void 0;
    const s = this.socket;
    this.socket = void 0;
    this.open = false;
    clearInterval(this.ping);
    if (s) {
      try {
        s.close(1e3, "");
      } catch {
      }
    }
    this.gone();
  }
};

// src/core/client.ts
var DEFAULT_TIMEOUT = 15e3;
var RENEW = /* @__PURE__ */ new Set(["ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_REVOKED"]);
var Client = class {
  /**
   * Validates opts and picks the adapter. Throws a CloudError
   * (cloud.init:fail …, INVALID_PARAM) when endpoint is missing or not an
   * http(s) URL, or when timeout or adapter is not valid.
   */
  constructor(opts) {
    if (opts === null || typeof opts !== "object") {
      throw initError('init needs an options object: cloud.init({ endpoint: "https://your-minibase-server" })');
    }
    const { endpoint, env, accessToken, timeout } = opts;
    if (typeof endpoint !== "string" || !/^https?:\/\/[^/]/i.test(endpoint)) {
      throw initError(
        'endpoint is required and must be an http(s) URL, e.g. cloud.init({ endpoint: "https://api.example.com" })'
      );
    }
    if (timeout !== void 0 && !(typeof timeout === "number" && timeout > 0 && Number.isFinite(timeout))) {
      throw initError(`timeout must be a positive number of milliseconds, got ${String(timeout)}`);
    }
    if (env !== void 0 && typeof env !== "string") throw initError("env must be a string");
    if (accessToken !== void 0 && typeof accessToken !== "string") throw initError("accessToken must be a string");
    if (opts.autoLogin !== void 0 && !["wechat", "douyin", "anonymous"].includes(opts.autoLogin)) {
      throw initError(`autoLogin must be 'wechat', 'douyin' or 'anonymous', got ${String(opts.autoLogin)}`);
    }
    this.endpoint = endpoint.replace(/\/+$/, "");
    if (env) this.env = env;
    this.timeout = timeout ?? DEFAULT_TIMEOUT;
    try {
      this.adapter = resolveAdapter(opts.adapter);
    } catch (e) {
      throw initError(e.message);
    }
    if (accessToken) this.tokens = { token: () => accessToken };
  }
  /** Installs (or, with undefined, removes) the source of bearer tokens. */
  setTokenSource(ts) {
    this.tokens = ts;
  }
  /**
   * Sends method path (starting with /v1/) with body JSON-encoded and
   * resolves with the parsed JSON body of a 2xx answer. Rejects with a
   * CloudError whose errMsg starts with `${api}:fail`: the server's error
   * (serverError), SYS_ERR for a body that is not JSON, SERVER_TIMEOUT after
   * the time limit, UNKNOWN (-1) for a network failure. A 401
   * ACCESS_TOKEN_EXPIRED or ACCESS_TOKEN_REVOKED is retried once when the
   * token source's onUnauthorized resolves true.
   */
  async request(api, method, path, body, opts) {
    const timeout = opts?.timeout ?? this.timeout;
    const auth2 = opts?.auth !== false;
    const payload = body === void 0 ? void 0 : JSON.stringify(body);
    let res = await this.send(api, method, path, payload, timeout, auth2);
    if (res.status === 401 && auth2 && await this.renewed(res.data)) {
      res = await this.send(api, method, path, payload, timeout, auth2);
    }
    return result(api, res);
  }
  /**
   * Sends a file transfer (storage uploads and downloads, which go through
   * the adapter's uploadFile/downloadFile rather than request) with the
   * client's credentials: send gets the headers to add (Authorization,
   * X-Minibase-Env) and resolves with the answer, whatever its status.
   * Like request, a 401 ACCESS_TOKEN_EXPIRED or ACCESS_TOKEN_REVOKED (the
   * code read from the answer's error body, errorBody) is retried once
   * after the token source refreshed; transport failures and the time
   * limit become CloudErrors of api. The caller reads the answer's status
   * (see failure).
   */
  async transfer(api, send, timeout, errorBody) {
    let res = await guard(api, async () => send(await this.headers(true)), timeout);
    if (res.status === 401 && await this.renewed(errorBody(res))) {
      res = await guard(api, async () => send(await this.headers(true)), timeout);
    }
    return res;
  }
  /**
   * The headers a connection of the client's own sends (the realtime
   * module's WebSocket): the bearer token, signing in first with autoLogin,
   * and the environment.
   */
  authHeaders() {
    return this.headers(true);
  }
  /**
   * Asks the token source to refresh after the server refused the token
   * with code (ACCESS_TOKEN_EXPIRED, ACCESS_TOKEN_REVOKED, …) on a
   * connection of the client's own; true when the connection should be
   * made again with the token then current.
   */
  renew(code) {
    return this.renewed({ code });
  }
  /**
   * Watches a query of collection coll over the client's WebSocket
   * (realtime/watch.ts): what Query.watch and DocumentReference.watch do.
   * Kept here, not in the database module, so that wx-server-sdk, which
   * bundles that module, carries no socket code.
   */
  watch(api, coll, body, opts) {
    return watch(this, api, coll, body, opts);
  }
  // renewed asks the token source to refresh after a 401 whose error body
  // says the access token expired or was revoked; true when the request
  // should be retried.
  async renewed(body) {
    const ts = this.tokens;
    const code = errorCode(body);
    if (!ts?.onUnauthorized || code === void 0 || !RENEW.has(code)) return false;
    try {
      return await ts.onUnauthorized(code) === true;
    } catch {
      return false;
    }
  }
  // headers are the ones every request carries: the bearer token (when
  // auth and a token source has one) and the environment.
  async headers(auth2) {
    const headers = {};
    if (auth2 && this.tokens) {
      const t = this.tokens.token();
      const token = typeof t === "object" && t !== null ? await t : t;
      if (token) headers["Authorization"] = "Bearer " + token;
    }
    if (this.env) headers["X-Minibase-Env"] = this.env;
    return headers;
  }
  async send(api, method, path, body, timeout, auth2) {
    const headers = await this.headers(auth2);
    if (body !== void 0) headers["Content-Type"] = "application/json";
    const req = { url: this.endpoint + path, method, headers, body, timeout };
    return guard(api, () => this.adapter.request(req), timeout);
  }
};
function guard(api, call2, timeout) {
  return new Promise((resolve, reject) => {
    let timer;
    const fail = (e) => {
      clearTimeout(timer);
      reject(transportError(api, e, timeout));
    };
    let sent;
    try {
      sent = call2();
    } catch (e) {
      return fail(e);
    }
    timer = setTimeout(() => fail({ timeout: true }), timeout);
    sent.then((res) => {
      clearTimeout(timer);
      resolve(res);
    }, fail);
  });
}
function failure2(api, status, body) {
  try {
    result(api, { status: status >= 200 && status < 300 ? 500 : status, headers: {}, data: body ?? "" });
  } catch (e) {
    return e;
  }
  return cloudError(api, ErrCode.SYS_ERR, `server answered HTTP ${status}`);
}
function initError(detail) {
  return cloudError("cloud.init", ErrCode.INVALID_PARAM, detail);
}
function errorCode(data) {
  const c = data !== null && typeof data === "object" ? data.code : void 0;
  return typeof c === "string" ? c : void 0;
}
function transportError(api, e, timeout) {
  if (e instanceof CloudError) return e;
  if (e?.aborted) return cloudError(api, ErrCode.UNKNOWN, "abort");
  if (e?.timeout) return cloudError(api, ErrCode.SERVER_TIMEOUT, `request timed out after ${timeout}ms`);
  const detail = e instanceof Error ? e.message : String(e);
  return cloudError(api, ErrCode.UNKNOWN, `network error: ${detail}`);
}
function result(api, res) {
  const { status, data } = res;
  const isObject = data !== null && typeof data === "object";
  if (status >= 200 && status < 300 && isObject) return data;
  if (isObject) {
    const err = serverError(api, status, data);
    if (err.requestId === void 0 && res.headers["x-request-id"]) err.requestId = res.headers["x-request-id"];
    throw err;
  }
  if (typeof data !== "string") {
    throw cloudError(api, ErrCode.SYS_ERR, `server answered HTTP ${status} with a body that is not a JSON object`);
  }
  const text = data.replace(/\s+/g, " ").trim();
  const snippet = text ? `: ${text.length > 80 ? text.slice(0, 80) + "…" : text}` : " (empty body)";
  throw cloudError(api, ErrCode.SYS_ERR, `server answered HTTP ${status} with a body that is not JSON${snippet}`);
}

// src/core/callback.ts
function promiseOrCallback(opts, run, always = false) {
  const success = fn(opts, "success");
  const fail = fn(opts, "fail");
  const complete = fn(opts, "complete");
  if (!success && !fail && !complete) return run();
  const p = run();
  p.then(
    (r) => {
      invoke(success, r);
      invoke(complete, r);
    },
    (e) => {
      invoke(fail, e);
      invoke(complete, e);
    }
  );
  return always ? p : void 0;
}
function fn(opts, key) {
  const f = opts != null && typeof opts === "object" ? opts[key] : void 0;
  return typeof f === "function" ? f.bind(opts) : void 0;
}
function invoke(cb, v) {
  if (!cb) return;
  try {
    cb(v);
  } catch (err) {
    setTimeout(() => {
      throw err;
    }, 0);
  }
}

// src/database/encode.ts
var MAX_DEPTH = 100;
function tooDeep() {
  return new Error("Cannot convert circular structure to JSON (or data nested deeper than 100 levels)");
}
function isPlain(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp) && !(v instanceof DbValue) && !(v instanceof LogicCommand) && !(v instanceof UpdateCommand);
}
function hasKeys(o) {
  for (const _ in o) return true;
  return false;
}
function encodeValue(v, depth = 0) {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Date) return { $date: v.getTime() };
  if (v instanceof RegExp) return regexpJSON(v);
  if (v instanceof DbValue) return v.toJSON();
  if (v instanceof LogicCommand) {
    const ops = fieldOps(v);
    if (!ops) throw new Error(`db.command.${v.operator} cannot be used as a value here: use it on a field in where()`);
    return ops;
  }
  if (v instanceof UpdateCommand) {
    throw new Error(`db.command.${v.operator} is an update command: use it as a field's value in update({data})`);
  }
  if (depth >= MAX_DEPTH) throw tooDeep();
  if (Array.isArray(v)) {
    const out2 = new Array(v.length);
    for (let i = 0; i < v.length; i++) out2[i] = encodeValue(v[i], depth + 1);
    return out2;
  }
  const out = {};
  for (const k of Object.keys(v)) {
    const x = encodeValue(v[k], depth + 1);
    if (x !== void 0) out[k] = x;
  }
  return out;
}
function encodeWhere(cond) {
  return cond instanceof LogicCommand ? topCond(cond) : queryObject(cond, "", true);
}
function queryObject(o, prefix, flat) {
  const b = { out: {}, ops: /* @__PURE__ */ new Set(), and: [], flat };
  walk2(b, o, prefix, 0);
  if (b.and.length) {
    const prev = b.out.$and;
    b.out.$and = Array.isArray(prev) ? prev.concat(b.and) : b.and;
  }
  return b.out;
}
function walk2(b, o, prefix, depth) {
  if (depth >= MAX_DEPTH) throw tooDeep();
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === void 0) continue;
    if (k.charCodeAt(0) === 36) {
      if (prefix) addOps(b, prefix, { [k]: encodeValue(v) });
      else b.out[k] = isLogicKey(k) && Array.isArray(v) ? v.map(subCond) : encodeValue(v);
      continue;
    }
    const path = prefix ? prefix + "." + k : k;
    if (v instanceof LogicCommand) addCommand(b, path, v);
    else if (b.flat && isPlain(v) && hasKeys(v)) walk2(b, v, path, depth + 1);
    else setValue(b, path, encodeValue(v));
  }
}
function isLogicKey(k) {
  return k === "$and" || k === "$or" || k === "$nor";
}
function subCond(x) {
  return isPlain(x) || x instanceof LogicCommand ? encodeWhere(x) : encodeValue(x);
}
function setValue(b, path, v) {
  if (path in b.out) b.and.push({ [path]: v });
  else b.out[path] = v;
}
function addOps(b, path, ops) {
  const cur = b.out[path];
  if (cur === void 0) {
    b.out[path] = ops;
    b.ops.add(path);
    return;
  }
  if (b.ops.has(path) && disjoint(cur, ops)) Object.assign(cur, ops);
  else b.and.push({ [path]: ops });
}
function disjoint(a, b) {
  for (const k in b) if (k in a) return false;
  return true;
}
function addCommand(b, path, c) {
  const ops = fieldOps(c);
  if (ops) return addOps(b, path, ops);
  const cond = fieldCond(path, c);
  if (Array.isArray(cond.$and) && Object.keys(cond).length === 1) b.and.push(...cond.$and);
  else b.and.push(cond);
}
function fieldOps(c) {
  if (c instanceof QueryCommand) return leafOps(c);
  if (c.operator === "and") {
    const out = {};
    for (const x of c.operands) {
      const o = operandOps(x);
      if (!o || !disjoint(out, o)) return void 0;
      Object.assign(out, o);
    }
    return out;
  }
  if (c.operator === "not") {
    const o = operandOps(c.operands[0]);
    return o && { $not: o };
  }
  return void 0;
}
function operandOps(x) {
  if (x instanceof LogicCommand) return fieldOps(x);
  if (x instanceof RegExp) return regexpJSON(x);
  if (x instanceof DbValue && "$regex" in x.toJSON()) return x.toJSON();
  return void 0;
}
function fieldCond(path, x) {
  if (x instanceof LogicCommand) {
    const ops = fieldOps(x);
    if (ops) return { [path]: ops };
    if (x.operator === "not") return { $nor: [fieldCond(path, x.operands[0])] };
    return { ["$" + x.operator]: x.operands.map((o) => fieldCond(path, o)) };
  }
  if (isPlain(x)) return queryObject(x, path, true);
  return { [path]: encodeValue(x) };
}
function topCond(x) {
  if (x instanceof QueryCommand) throw new Error("Cannot encode a comparison command with unset field name");
  if (x instanceof LogicCommand) {
    if (x.operator === "not") return { $nor: [topCond(x.operands[0])] };
    return { ["$" + x.operator]: x.operands.map(topCond) };
  }
  if (isPlain(x)) return queryObject(x, "", true);
  throw new Error("查询参数必须为对象");
}
function leafOps(c) {
  const a = c.operands[0];
  switch (c.operator) {
    case "neq":
      return { $ne: encodeValue(a) };
    case "elemMatch":
      return { $elemMatch: a instanceof LogicCommand ? encodeValue(a) : isPlain(a) ? queryObject(a, "", false) : encodeValue(a) };
    case "geoNear": {
      const o = a;
      return { $nearSphere: { $geometry: o.geometry.toJSON(), $maxDistance: o.maxDistance, $minDistance: o.minDistance } };
    }
    case "geoWithin": {
      const o = a;
      if (o.geometry) return { $geoWithin: { $geometry: o.geometry.toJSON() } };
      const [centre, radius] = o.centerSphere;
      const c0 = Array.isArray(centre) ? centre : centre.toJSON().coordinates;
      return { $geoWithin: { $centerSphere: [c0, radius] } };
    }
    case "geoIntersects":
      return { $geoIntersects: { $geometry: a.geometry.toJSON() } };
  }
  return { ["$" + c.operator]: encodeValue(a) };
}
function encodeUpdate(data) {
  const out = {};
  const add = (op, path, v) => {
    (out[op] || (out[op] = {}))[path] = v;
  };
  updWalk(data, "", add, 0);
  return out;
}
function updWalk(o, prefix, add, depth) {
  if (depth >= MAX_DEPTH) throw tooDeep();
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === void 0) continue;
    if (!prefix && k.charCodeAt(0) === 36) {
      const e = encodeValue(v);
      if (isPlain(e)) for (const p of Object.keys(e)) add(k, p, e[p]);
      continue;
    }
    const path = prefix ? prefix + "." + k : k;
    if (v instanceof UpdateCommand) updateOp(v, path, add);
    else if (isPlain(v) && hasKeys(v)) updWalk(v, path, add, depth + 1);
    else add("$set", path, encodeValue(v));
  }
}
function updateOp(c, path, add) {
  const a = c.operands[0];
  switch (c.operator) {
    case "remove":
      return add("$unset", path, "");
    case "pop":
      return add("$pop", path, 1);
    case "shift":
      return add("$pop", path, -1);
    case "push":
      return add("$push", path, c.operands[1] ? pushModifiers(a) : { $each: encodeValue(a) });
    case "unshift":
      return add("$push", path, { $each: encodeValue(a), $position: 0 });
    case "addToSet":
      return add(
        "$addToSet",
        path,
        isPlain(a) && Object.prototype.hasOwnProperty.call(a, "each") ? { $each: encodeValue(a.each) } : encodeValue(a)
      );
    case "pull":
      return add("$pull", path, isPlain(a) ? queryObject(a, "", false) : encodeValue(a));
  }
  add("$" + c.operator, path, encodeValue(a));
}
function pushModifiers(m) {
  const out = { $each: encodeValue(m.each) };
  if (m.position !== void 0) out.$position = m.position;
  if (m.sort !== void 0) out.$sort = m.sort;
  if (m.slice !== void 0) out.$slice = m.slice;
  return out;
}
function hasUpdateCommand(v, depth = 0) {
  if (v instanceof UpdateCommand) return true;
  if (depth >= MAX_DEPTH || v === null || typeof v !== "object" || !(Array.isArray(v) || isPlain(v))) return false;
  for (const k of Object.keys(v)) if (hasUpdateCommand(v[k], depth + 1)) return true;
  return false;
}
function encodeProjection(p) {
  const out = {};
  for (const k of Object.keys(p)) {
    const v = p[k];
    out[k] = v !== null && typeof v === "object" ? encodeValue(v) : v ? 1 : 0;
  }
  return out;
}

// src/database/request.ts
var CLIENT = { defaultLimit: 20, batchAdd: false, decode: true, alwaysPromise: false };
function invalid(api, detail) {
  return cloudError(api, ErrCode.INVALID_PARAM, detail, "INVALID_PARAM");
}
function encodeFor(api, f) {
  try {
    return f();
  } catch (e) {
    throw invalid(api, e.message);
  }
}
function checkData(api, data, kind) {
  if (!isPlain(data) || kind === "update" && Object.keys(data).length === 0) {
    throw invalid(api, "参数必需是非空对象");
  }
  if (kind !== "add" && Object.prototype.hasOwnProperty.call(data, "_id")) throw invalid(api, "不能更新_id的值");
  return data;
}

// src/database/aggregate.ts
var AGGREGATE_DEFAULT_LIMIT = 20;
var Aggregate = class {
  /** @internal: t is undefined for db.command.aggregate.pipeline(). */
  constructor(t) {
    /** @internal */
    this._stages = [];
    this._t = t;
  }
  /** $addFields: new or replaced fields, `{field: expression}`. */
  addFields(fields) {
    return this._add("addFields", fields);
  }
  /** $bucket: `{groupBy, boundaries, default?, output?}`. */
  bucket(options) {
    return this._add("bucket", options);
  }
  /** $bucketAuto: `{groupBy, buckets, granularity?, output?}`. */
  bucketAuto(options) {
    return this._add("bucketAuto", options);
  }
  /** $count: one document `{[fieldName]: n}`. */
  count(fieldName) {
    return this._add("count", fieldName);
  }
  /** $facet: `{name: pipeline, …}` over the same input. */
  facet(pipelines) {
    if (!isPlain(pipelines)) throw new TypeError("facet() takes an object of pipelines");
    const out = {};
    for (const k of Object.keys(pipelines)) out[k] = subPipeline(pipelines[k]);
    return this._push({ $facet: out });
  }
  /** $geoNear (first stage only; needs a 2dsphere index): `{near: db.Geo.Point, distanceField, maxDistance?, minDistance?, query?, distanceMultiplier?, includeLocs?, key?}`, nearest first, distances in metres. */
  geoNear(options) {
    const o = { ...options };
    if (o.query) o.query = encodeWhere(o.query);
    return this._add("geoNear", o);
  }
  /** $group: `{_id: expression, field: {accumulator: expression}, …}`. */
  group(spec) {
    return this._add("group", spec);
  }
  /** $limit: at most n documents. */
  limit(n) {
    return this._add("limit", n);
  }
  /**
   * $lookup: `{from, localField, foreignField, as}`, or `{from, let,
   * pipeline, as}` with pipeline from `$.pipeline()…done()`. On the client
   * too (CloudBase refuses it there): the rules of `from` apply.
   */
  lookup(options) {
    const o = { ...options };
    if (o.pipeline !== void 0) o.pipeline = subPipeline(o.pipeline);
    return this._add("lookup", o);
  }
  /** $match: a where() condition (db.command queries, `_.expr(…)`). */
  match(condition) {
    if (!isPlain(condition) && !(condition instanceof LogicCommand)) throw new TypeError("match() takes a query object");
    return this._push({ $match: encodeFor("collection.aggregate", () => encodeWhere(condition)) });
  }
  /** $project: `{field: 1 | 0 | expression}`. */
  project(spec) {
    return this._add("project", spec);
  }
  /** $replaceRoot: `{newRoot: expression}`. */
  replaceRoot(options) {
    return this._add("replaceRoot", options);
  }
  /** $replaceWith: an expression that gives the new document. */
  replaceWith(expression) {
    return this._add("replaceWith", expression);
  }
  /** $sample: `{size}` documents at random. */
  sample(options) {
    return this._add("sample", options);
  }
  /** $set: the same as addFields. */
  set(fields) {
    return this._add("set", fields);
  }
  /** $skip: skips n documents. */
  skip(n) {
    return this._add("skip", n);
  }
  /** $sort: `{field: 1 | -1, …}`. */
  sort(spec) {
    return this._add("sort", spec);
  }
  /** $sortByCount: groups by an expression and counts, most first. */
  sortByCount(expression) {
    return this._add("sortByCount", expression);
  }
  /** $unset: removes a field or fields. */
  unset(fields) {
    return this._add("unset", fields);
  }
  /** $unwind: `'$field'` or `{path, includeArrayIndex?, preserveNullAndEmptyArrays?}`. */
  unwind(path) {
    return this._add("unwind", path);
  }
  /** The stages so far, as plain objects: a sub-pipeline for lookup() or facet(). */
  done() {
    return this._stages.slice();
  }
  end(options) {
    return promiseOrCallback(options, async () => {
      const t = this._t;
      if (!t) throw new Error("a pipeline made with db.command.aggregate.pipeline() has no collection: pass its done() to lookup()");
      const pipeline = this.done();
      if (!pipeline.some((s) => "$limit" in s)) pipeline.push({ $limit: AGGREGATE_DEFAULT_LIMIT });
      const r = await t.ops.aggregate("collection.aggregate", t.coll, { pipeline });
      return { list: t.flavor.decode ? decode(r.data) : r.data, errMsg: "collection.aggregate:ok" };
    }, !!(this._t && this._t.flavor.alwaysPromise));
  }
  /** @internal */
  _add(stage, arg) {
    return this._push({ ["$" + stage]: encodeFor("collection.aggregate", () => encodeValue(arg)) });
  }
  /** @internal */
  _push(stage) {
    this._stages.push(stage);
    return this;
  }
};
function subPipeline(p) {
  if (p instanceof Aggregate) return p.done();
  if (!Array.isArray(p)) throw new TypeError("a pipeline is $.pipeline()…done() or an array of stages");
  return p.map((s) => encodeValue(s));
}

// src/database/command.ts
function args(a) {
  return Array.isArray(a[0]) ? a[0].slice() : a.slice();
}
var LogicCommand = class _LogicCommand {
  constructor(operator, operands) {
    this.operator = operator;
    this.operands = operands;
  }
  /** This command and all of the given ones. */
  and(...expressions) {
    return new _LogicCommand("and", [this, ...args(expressions)]);
  }
  /** This command or any of the given ones. */
  or(...expressions) {
    return new _LogicCommand("or", [this, ...args(expressions)]);
  }
  /** Neither this command nor any of the given ones. */
  nor(...expressions) {
    return new _LogicCommand("nor", [this, ...args(expressions)]);
  }
  /** This command and not the given one. */
  not(expression) {
    return this.and(new _LogicCommand("not", [expression]));
  }
};
var QueryCommand = class extends LogicCommand {
  eq(v) {
    return this.and(command.eq(v));
  }
  neq(v) {
    return this.and(command.neq(v));
  }
  gt(v) {
    return this.and(command.gt(v));
  }
  gte(v) {
    return this.and(command.gte(v));
  }
  lt(v) {
    return this.and(command.lt(v));
  }
  lte(v) {
    return this.and(command.lte(v));
  }
  in(list2) {
    return this.and(command.in(list2));
  }
  nin(list2) {
    return this.and(command.nin(list2));
  }
  exists(v) {
    return this.and(command.exists(v));
  }
  mod(divisor, remainder) {
    return this.and(command.mod(divisor, remainder));
  }
  all(list2) {
    return this.and(command.all(list2));
  }
  elemMatch(cond) {
    return this.and(command.elemMatch(cond));
  }
  size(n) {
    return this.and(command.size(n));
  }
  geoNear(o) {
    return this.and(command.geoNear(o));
  }
  geoWithin(o) {
    return this.and(command.geoWithin(o));
  }
  geoIntersects(o) {
    return this.and(command.geoIntersects(o));
  }
};
var UpdateCommand = class {
  constructor(operator, operands) {
    this.operator = operator;
    this.operands = operands;
  }
};
var q = (op, v) => new QueryCommand(op, [v]);
var u = (op, v) => new UpdateCommand(op, [v]);
function typeError(what, type, v) {
  return new TypeError(`"${what}" must be of type ${type}. Received type ${typeof v}`);
}
function checkGeoNear(o) {
  if (!o || !(o.geometry instanceof GeoPoint)) throw typeError("geometry", "Point", o && o.geometry);
  for (const k of ["maxDistance", "minDistance"]) {
    if (o[k] !== void 0 && typeof o[k] !== "number") throw typeError(k, "Number", o[k]);
  }
  return o;
}
function checkGeoWithin(o) {
  const g = o && o.geometry;
  if (g instanceof GeoPolygon || g instanceof GeoMultiPolygon) return o;
  const c = o && o.centerSphere;
  if (g === void 0 && Array.isArray(c) && c.length === 2 && typeof c[1] === "number") {
    const p = c[0];
    if (p instanceof GeoPoint) return o;
    if (Array.isArray(p) && p.length === 2 && typeof p[0] === "number" && typeof p[1] === "number") return o;
  }
  throw typeError("geometry", "Polygon or MultiPolygon", g);
}
var GEOMETRIES = [GeoPoint, GeoLineString, GeoPolygon, GeoMultiPoint, GeoMultiLineString, GeoMultiPolygon];
function checkGeoIntersects(o) {
  const g = o && o.geometry;
  if (!GEOMETRIES.some((C) => g instanceof C)) {
    throw typeError("geometry", "Point, LineString, Polygon, MultiPoint, MultiLineString or MultiPolygon", g);
  }
  return o;
}
var AGGREGATE_OPS = [
  "abs",
  "add",
  "addToSet",
  "allElementsTrue",
  "and",
  "anyElementTrue",
  "arrayElemAt",
  "arrayToObject",
  "avg",
  "ceil",
  "cmp",
  "concat",
  "concatArrays",
  "cond",
  "convert",
  "dateFromParts",
  "dateFromString",
  "dateToParts",
  "dateToString",
  "dayOfMonth",
  "dayOfWeek",
  "dayOfYear",
  "divide",
  "eq",
  "exp",
  "filter",
  "first",
  "floor",
  "gt",
  "gte",
  "hour",
  "ifNull",
  "in",
  "indexOfArray",
  "indexOfBytes",
  "indexOfCP",
  "isArray",
  "isoDayOfWeek",
  "isoWeek",
  "isoWeekYear",
  "last",
  "let",
  "literal",
  "ln",
  "log",
  "log10",
  "lt",
  "lte",
  "ltrim",
  "map",
  "max",
  "mergeObjects",
  "meta",
  "millisecond",
  "min",
  "minute",
  "mod",
  "month",
  "multiply",
  "neq",
  "not",
  "objectToArray",
  "or",
  "pow",
  "push",
  "range",
  "reduce",
  "reverseArray",
  "rtrim",
  "second",
  "setDifference",
  "setEquals",
  "setIntersection",
  "setIsSubset",
  "setUnion",
  "size",
  "slice",
  "split",
  "sqrt",
  "stdDevPop",
  "stdDevSamp",
  "strcasecmp",
  "strLenBytes",
  "strLenCP",
  "substr",
  "substrBytes",
  "substrCP",
  "subtract",
  "sum",
  "switch",
  "toBool",
  "toDate",
  "toDecimal",
  "toDouble",
  "toInt",
  "toLong",
  "toLower",
  "toObjectId",
  "toString",
  "toUpper",
  "trim",
  "trunc",
  "type",
  "week",
  "year",
  "zip"
];
var aggregate = { pipeline: () => new Aggregate() };
for (const name of AGGREGATE_OPS) {
  const key = name === "neq" ? "$ne" : "$" + name;
  aggregate[name] = (param) => ({ [key]: param });
}
var command = {
  eq: (v) => q("eq", v),
  neq: (v) => q("neq", v),
  gt: (v) => q("gt", v),
  gte: (v) => q("gte", v),
  lt: (v) => q("lt", v),
  lte: (v) => q("lte", v),
  in: (list2) => q("in", list2),
  nin: (list2) => q("nin", list2),
  exists: (v) => q("exists", v),
  /** `_.mod(divisor, remainder)` or `_.mod([divisor, remainder])`. */
  mod: (divisor, remainder) => q("mod", Array.isArray(divisor) ? divisor : [divisor, remainder]),
  all: (list2) => q("all", list2),
  /** A condition on array elements: a query object, or commands for scalar elements. */
  elemMatch: (cond) => q("elemMatch", cond),
  size: (n) => q("size", n),
  geoNear: (o) => q("geoNear", checkGeoNear(o)),
  geoWithin: (o) => q("geoWithin", checkGeoWithin(o)),
  geoIntersects: (o) => q("geoIntersects", checkGeoIntersects(o)),
  and: (...expressions) => new LogicCommand("and", args(expressions)),
  or: (...expressions) => new LogicCommand("or", args(expressions)),
  nor: (...expressions) => new LogicCommand("nor", args(expressions)),
  not: (expression) => new LogicCommand("not", [expression]),
  /** An aggregation expression as a query condition: `where(_.expr($.gt(['$a', '$b'])))`. */
  expr: (expression) => ({ $expr: expression }),
  /** Replaces the field's whole value (no flattening of objects). */
  set: (v) => u("set", v),
  remove: () => u("remove"),
  inc: (n) => u("inc", n),
  mul: (n) => u("mul", n),
  min: (v) => u("min", v),
  max: (v) => u("max", v),
  rename: (name) => u("rename", name),
  bit: (v) => u("bit", v),
  /**
   * `_.push(v…)`, `_.push([v…])`, or `_.push({each, position?, sort?, slice?})`.
   */
  push: (...values) => {
    const a = values[0];
    if (a !== null && typeof a === "object" && !Array.isArray(a) && Object.prototype.hasOwnProperty.call(a, "each")) {
      return new UpdateCommand("push", [a, true]);
    }
    return u("push", args(values));
  },
  pop: () => u("pop"),
  shift: () => u("shift"),
  unshift: (...values) => u("unshift", args(values)),
  /** `_.addToSet(v)` or `_.addToSet({each: [v…]})`. */
  addToSet: (v) => u("addToSet", v),
  /** Removes matching elements: a value, a command (`_.in([…])`) or a query object on element fields. */
  pull: (v) => u("pull", v),
  pullAll: (list2) => u("pullAll", list2),
  project: {
    /** `{field: _.project.slice(n)}` or `slice([skip, n])` in field(). */
    slice: (v) => ({ $slice: v })
  },
  aggregate
};

// src/database/document.ts
var NOT_EXIST = "DATABASE_DOCUMENT_NOT_EXIST";
var DocumentReference = class _DocumentReference {
  /** @internal */
  constructor(t, id, projection) {
    this._t = t;
    this.id = id;
    this._projection = projection;
  }
  /** Which fields get() returns, as Query.field. */
  field(projection) {
    if (!isPlain(projection)) throw new TypeError("field() takes an object such as { name: true }");
    return new _DocumentReference(this._t, this.id, encodeProjection(projection));
  }
  get(options) {
    return promiseOrCallback(options, async () => {
      const api = "document.get";
      const id = this._id(api);
      const { ops, coll } = this._t;
      let doc;
      try {
        if (this._projection) {
          doc = (await ops.query(api, coll, { filter: { _id: id }, projection: this._projection, limit: 1 })).data[0];
        } else {
          doc = (await ops.getDoc(api, coll, id)).data;
        }
      } catch (e) {
        if (!(e instanceof CloudError) || e.code !== NOT_EXIST) throw e;
      }
      if (!doc) {
        if (this._t.ops.inTransaction) return { data: null, errMsg: "document.get:ok" };
        throw cloudError(api, ErrCode.UNKNOWN, `document with _id ${id} does not exist`, NOT_EXIST);
      }
      return { data: this._t.flavor.decode ? decode(doc) : doc, errMsg: "document.get:ok" };
    }, this._t.flavor.alwaysPromise);
  }
  set(options) {
    return promiseOrCallback(options, async () => {
      const api = "document.set";
      const id = this._id(api);
      const data = checkData(api, options && options.data, "set");
      if (hasUpdateCommand(data)) {
        throw cloudError(api, ErrCode.DATABASE_REQUEST_FAILED, "update operator complicit", "DATABASE_REQUEST_FAILED");
      }
      const body = { data: encodeFor(api, () => encodeValue(data)) };
      const r = await this._t.ops.setDoc(api, this._t.coll, id, body);
      return { _id: r._id, stats: { updated: r.stats.updated, created: r.stats.created }, errMsg: "document.set:ok" };
    }, this._t.flavor.alwaysPromise);
  }
  update(options) {
    return promiseOrCallback(options, async () => {
      const api = "document.update";
      const id = this._id(api);
      const data = checkData(api, options && options.data, "update");
      const r = await this._t.ops.updateDoc(api, this._t.coll, id, { update: encodeFor(api, () => encodeUpdate(data)) });
      return { stats: { updated: r.stats.updated }, errMsg: "document.update:ok" };
    }, this._t.flavor.alwaysPromise);
  }
  remove(options) {
    return promiseOrCallback(options, async () => {
      const api = "document.remove";
      const r = await this._t.ops.removeDoc(api, this._t.coll, this._id(api));
      return { stats: { removed: r.stats.removed }, errMsg: "document.remove:ok" };
    }, this._t.flavor.alwaysPromise);
  }
  // The id as the server knows it (a string); an empty id fails as in the original SDK.
  /**
   * Watches this document, as where({_id}).watch() does: a first snapshot
   * of type 'init' (the document, or none), then one per change of it.
   */
  watch(options) {
    return startWatch(this._t, "document.watch", options, { filter: { _id: this._id("document.watch") } });
  }
  _id(api) {
    const id = String(this.id);
    if (!id) throw invalid(api, "docId不能为空");
    return id;
  }
};

// src/database/query.ts
var Query = class _Query {
  /** @internal */
  constructor(t, s) {
    this._t = t;
    this._s = s;
  }
  /**
   * Replaces the query's conditions. condition is a plain object (nested
   * objects match by dot path; undefined values are ignored) or a logic
   * command such as `_.or([…])`. Throws '查询参数必须为对象' when it is not an
   * object and '查询参数对象值不能均为undefined' when all its values are
   * undefined.
   */
  where(condition) {
    if (Object.prototype.toString.call(condition) !== "[object Object]") throw new Error("查询参数必须为对象");
    const c = condition;
    const keys = Object.keys(c);
    if (keys.length && !keys.some((k) => c[k] !== void 0)) throw new Error("查询参数对象值不能均为undefined");
    return this._with({ filter: encodeWhere(condition) });
  }
  /**
   * Adds a sort key (calls accumulate: the first is the primary key).
   * direction is 'asc' or 'desc'; anything else throws '排序字符不合法'.
   */
  orderBy(fieldPath, direction) {
    if (typeof fieldPath !== "string" || !/^[a-zA-Z0-9-_.]/.test(fieldPath)) throw new Error("非法排序路径");
    if (direction !== "asc" && direction !== "desc") throw new Error("排序字符不合法");
    const sort = (this._s.sort || []).concat([[fieldPath, direction === "desc" ? -1 : 1]]);
    return this._with({ sort });
  }
  /** At most max documents; throws 'limit must be integer' for a non-integer. */
  limit(max) {
    if (!Number.isInteger(max)) throw new Error("limit must be integer");
    return this._with({ limit: max });
  }
  /** Skips offset documents; throws 'offset must be integer' for a non-integer. */
  skip(offset) {
    if (!Number.isInteger(offset)) throw new Error("offset must be integer");
    return this._with({ skip: offset });
  }
  /**
   * Which fields to return: `{name: true}` keeps, `{name: false}` drops,
   * `{tags: _.project.slice(2)}` slices an array.
   */
  field(projection) {
    if (!isPlain(projection)) throw new TypeError("field() takes an object such as { name: true }");
    return this._with({ projection: encodeProjection(projection) });
  }
  get(options) {
    return promiseOrCallback(options, async () => {
      const s = this._s;
      const body = { limit: s.limit || this._t.flavor.defaultLimit };
      if (s.filter) body.filter = s.filter;
      if (s.sort) body.sort = s.sort;
      if (s.skip) body.skip = s.skip;
      if (s.projection) body.projection = s.projection;
      const r = await this._t.ops.query("collection.get", this._t.coll, body);
      return { data: this._t.flavor.decode ? decode(r.data) : r.data, errMsg: "collection.get:ok" };
    }, this._t.flavor.alwaysPromise);
  }
  count(options) {
    return promiseOrCallback(options, async () => {
      const body = this._s.filter ? { filter: this._s.filter } : {};
      const r = await this._t.ops.count("collection.count", this._t.coll, body);
      return { total: r.total, errMsg: "collection.count:ok" };
    }, this._t.flavor.alwaysPromise);
  }
  update(options) {
    return promiseOrCallback(options, async () => {
      const api = "collection.update";
      const data = checkData(api, options && options.data, "update");
      const body = { filter: this._s.filter || {}, update: encodeFor(api, () => encodeUpdate(data)), multi: true };
      const r = await this._t.ops.update(api, this._t.coll, body);
      return { stats: { updated: r.stats.updated }, errMsg: "collection.update:ok" };
    }, this._t.flavor.alwaysPromise);
  }
  remove(options) {
    return promiseOrCallback(options, async () => {
      const s = this._s;
      if (s.skip !== void 0 || s.limit !== void 0 || s.projection || s.sort) {
        console.warn("`offset`, `limit`, `projection`, `orderBy` are not supported in remove() operation");
      }
      const body = { filter: s.filter || {}, multi: true };
      const r = await this._t.ops.remove("collection.remove", this._t.coll, body);
      return { stats: { removed: r.stats.removed }, errMsg: "collection.remove:ok" };
    }, this._t.flavor.alwaysPromise);
  }
  /**
   * Watches the query (spec §2.5): onChange receives a first snapshot of
   * type 'init' (every matching document: where() and orderBy() apply, and
   * limit() when given; a watch may match at most 5000 documents by
   * default) and then one snapshot `{id, docChanges, docs}` per change of
   * that list. Without orderBy() the list is in _id descending order.
   * field() and skip() do not apply to a watch. The connection is made
   * again by itself when it drops, and the watch resumes without losing or
   * repeating a change. onError receives what ends the watch (the rules
   * refuse it, the query matches too many documents). Throws when onChange
   * or onError is not a function.
   */
  watch(options) {
    return startWatch(this._t, "collection.watch", options, this._s);
  }
  /** @internal */
  _with(change) {
    return new _Query(this._t, { ...this._s, ...change });
  }
};
var CollectionReference = class extends Query {
  /** @internal */
  constructor(ops, name, flavor = CLIENT) {
    super({ ops, coll: name, flavor }, {});
    this.collectionName = name;
  }
  /**
   * The document with this _id. Numeric ids are sent as strings: minibase's
   * ids are strings (an inserted numeric _id is stored as its decimal
   * string). Throws 'docId必须为字符串或数字' for any other type.
   */
  doc(id) {
    if (typeof id !== "string" && typeof id !== "number") throw new Error("docId必须为字符串或数字");
    return new DocumentReference(this._t, id);
  }
  /**
   * A pipeline over the collection's documents (spec §1.10): stage methods,
   * then end() → `{list, errMsg: 'collection.aggregate:ok'}`.
   */
  aggregate() {
    return new Aggregate(this._t);
  }
  add(options) {
    return promiseOrCallback(options, async () => {
      const api = "collection.add";
      const raw = options && options.data;
      if (Array.isArray(raw) && this._t.flavor.batchAdd) {
        if (raw.length === 0) throw invalid(api, "参数必需是非空对象");
        const docs = raw.map((d) => checkData(api, d, "add"));
        const body2 = { data: encodeFor(api, () => docs.map((d) => encodeValue(d))) };
        const r2 = await this._t.ops.insert(api, this._t.coll, body2);
        return { _ids: r2._ids, errMsg: "collection.add:ok" };
      }
      const data = checkData(api, raw, "add");
      const body = { data: encodeFor(api, () => encodeValue(data)) };
      const r = await this._t.ops.insert(api, this._t.coll, body);
      return { _id: r._id, errMsg: "collection.add:ok" };
    }, this._t.flavor.alwaysPromise);
  }
};
function startWatch(t, api, options, state2) {
  if (!options || typeof options.onChange !== "function" || typeof options.onError !== "function") {
    throw new Error("watch() needs options with the functions onChange and onError");
  }
  if (!t.ops.watch) throw cloudError(api, ErrCode.INVALID_PARAM, "watch is not available here (wx-server-sdk has no watch: a function is short-lived)");
  if (state2.projection || state2.skip) console.warn("`field` and `skip` do not apply to watch()");
  const body = {};
  if (state2.filter) body.filter = state2.filter;
  if (state2.sort) body.sort = state2.sort;
  if (state2.limit) body.limit = state2.limit;
  return t.ops.watch(api, t.coll, body, options);
}

// src/database/transaction.ts
var CONFLICT = "DATABASE_TRANSACTION_CONFLICT";
var Transaction = class {
  /** @internal */
  constructor(tx, flavor, env) {
    /** Set once rollback() was called. */
    this.aborted = false;
    /** The reason given to rollback(), which runTransaction rejects with. */
    this.abortReason = void 0;
    /** Set once commit() succeeded. */
    this.committed = false;
    this._tx = tx;
    this._flavor = flavor;
    this._ops = new TxnDbOps(tx, env);
  }
  /** The collection called name, inside the transaction; throws 'Collection name is required' when name is empty. */
  collection(name) {
    if (!name) throw new Error("Collection name is required");
    return new CollectionReference(this._ops, String(name), this._flavor);
  }
  /** Applies the transaction's writes, all or nothing. */
  async commit() {
    const r = await this._tx.commit("transaction.commit");
    this.committed = true;
    return r;
  }
  /** Drops the transaction's writes; runTransaction then rejects with reason. */
  async rollback(reason) {
    const r = await this._tx.rollback("transaction.rollback");
    this.aborted = true;
    this.abortReason = reason;
    return r;
  }
};
async function runTransaction(start, callback, times = 3) {
  let left = Number(times);
  for (; ; ) {
    const t = start();
    try {
      const result2 = await callback(t);
      if (t.aborted) throw t.abortReason;
      await t.commit();
      return result2;
    } catch (e) {
      if (left > 0 && isConflict(e)) {
        left--;
        continue;
      }
      if (!t.aborted && !t.committed) {
        await t.rollback().catch(() => void 0);
        throw e;
      }
      throw t.aborted ? t.abortReason : e;
    }
  }
}
function isConflict(e) {
  return e !== null && typeof e === "object" && e.code === CONFLICT;
}
var TxnDbOps = class {
  constructor(tx, env) {
    this.inTransaction = true;
    this._tx = tx;
    this.env = env;
  }
  // doc(id).field(…).get() arrives as a query of {_id} with a projection.
  query(api, coll, body) {
    const id = body.filter && Object.keys(body.filter).length === 1 ? body.filter._id : void 0;
    if (typeof id !== "string" || body.limit !== 1 || body.sort || body.skip) return refuse(api);
    return this._tx.run(api, { op: "getDoc", coll, id, projection: body.projection }).then((r) => ({ data: r.data ? [r.data] : [] }));
  }
  count(api) {
    return refuse(api);
  }
  aggregate(api) {
    return refuse(api);
  }
  insert(api, coll, body) {
    return this._tx.run(api, { op: "insert", coll, ...body });
  }
  update(api, coll, body) {
    return this._tx.run(api, { op: "update", coll, ...body });
  }
  remove(api, coll, body) {
    return this._tx.run(api, { op: "remove", coll, ...body });
  }
  getDoc(api, coll, id) {
    return this._tx.run(api, { op: "getDoc", coll, id });
  }
  setDoc(api, coll, id, body) {
    return this._tx.run(api, { op: "setDoc", coll, id, ...body });
  }
  updateDoc(api, coll, id, body) {
    return this._tx.run(api, { op: "updateDoc", coll, id, ...body });
  }
  removeDoc(api, coll, id) {
    return this._tx.run(api, { op: "removeDoc", coll, id });
  }
  createCollection(api) {
    return refuse(api);
  }
  transaction() {
    throw new Error("a transaction cannot start another one");
  }
};
function refuse(api) {
  return Promise.reject(invalid(api, "not in a transaction: read documents by id in it (doc(id).get()), and query outside it"));
}
function httpTxn(client2) {
  const done = [];
  let ended = "";
  let queue = Promise.resolve();
  const send = (api, body) => client2.request(api, "POST", "/v1/db/transaction", body);
  const serially = (f) => {
    const p = queue.then(f, f);
    queue = p.catch(() => void 0);
    return p;
  };
  const open = (api) => {
    if (ended) throw invalid(api, `the transaction was ${ended}: start another one`);
  };
  return {
    run: (api, op) => serially(async () => {
      open(api);
      const r = await send(api, { commit: false, ops: [...done, op] });
      const { rev, ...answer2 } = r.results[r.results.length - 1];
      done.push(pinIDs({ ...op, rev }, answer2));
      return answer2;
    }),
    commit: (api) => serially(async () => {
      open(api);
      ended = "committed";
      if (done.length > 0) await send(api, { ops: done });
      return {};
    }),
    rollback: (api) => serially(async () => {
      open(api);
      ended = "rolled back";
      done.length = 0;
      return {};
    })
  };
}
function pinIDs(op, answer2) {
  if (op.op !== "insert") return op;
  if (Array.isArray(op.data) && Array.isArray(answer2._ids)) {
    const ids = answer2._ids;
    return { ...op, data: op.data.map((d, i) => ({ ...d, _id: ids[i] })) };
  }
  if (typeof answer2._id === "string") return { ...op, data: { ...op.data, _id: answer2._id } };
  return op;
}

// src/database/ops.ts
function httpOps(client2) {
  const coll = (name) => "/v1/db/" + encodeURIComponent(name);
  const doc = (name, id) => coll(name) + "/docs/" + encodeURIComponent(id);
  return {
    env: client2.env,
    query: (api, c, body) => client2.request(api, "POST", coll(c) + "/query", body),
    aggregate: (api, c, body) => client2.request(api, "POST", coll(c) + "/aggregate", body),
    count: (api, c, body) => client2.request(api, "POST", coll(c) + "/count", body),
    insert: (api, c, body) => client2.request(api, "POST", coll(c) + "/insert", body),
    update: (api, c, body) => client2.request(api, "POST", coll(c) + "/update", body),
    remove: (api, c, body) => client2.request(api, "POST", coll(c) + "/remove", body),
    getDoc: (api, c, id) => client2.request(api, "GET", doc(c, id)),
    setDoc: (api, c, id, body) => client2.request(api, "PUT", doc(c, id), body),
    // Not PATCH …/docs/{id}: wx.request and my.request have no PATCH. The
    // server checks a where-update on {_id} alone as it checks PATCH,
    // against the stored document.
    updateDoc: (api, c, id, body) => client2.request(api, "POST", coll(c) + "/update", { filter: { _id: id }, update: body.update, multi: false }),
    removeDoc: (api, c, id) => client2.request(api, "DELETE", doc(c, id)),
    createCollection: (api, body) => client2.request(api, "POST", "/v1/admin/collections", body),
    transaction: () => httpTxn(client2),
    watch: (api, c, body, opts) => client2.watch(api, c, body, opts)
  };
}

// src/database/index.ts
var Database = class {
  /**
   * Made by cloud.database(), over the client's HTTP API; inside cloud
   * functions, wx-server-sdk makes it over its own operations (DbOps).
   * opts.env names the environment (wx.cloud's option). flavor is the
   * dialect: wx.cloud's (the default) or, inside cloud functions,
   * wx-server-sdk's.
   */
  constructor(via, opts, flavor = CLIENT) {
    /** db.command, conventionally `const _ = db.command`. */
    this.command = command;
    /** db.Geo: Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon. */
    this.Geo = Geo;
    /** db.RegExp({regexp, options}), with or without `new`. */
    this.RegExp = callable(DbRegExp);
    this._ops = "query" in via ? via : httpOps(via);
    this._flavor = flavor;
    this.config = { env: opts && opts.env || this._ops.env };
  }
  /** db.serverDate({offset}): the server's time when the write happens, plus offset ms. */
  serverDate(opts) {
    return new ServerDate(opts);
  }
  /** The collection called name; throws 'Collection name is required' when name is empty. */
  collection(name) {
    if (!name) throw new Error("Collection name is required");
    return new CollectionReference(this._ops, String(name), this._flavor);
  }
  /**
   * db.startTransaction(): a transaction, whose collection(name) reads and
   * writes inside it until commit() or rollback() (transaction.ts).
   */
  async startTransaction() {
    return this._transaction();
  }
  /**
   * db.runTransaction(callback, times = 3): runs callback(transaction) and
   * commits, running it again on a conflict at most times more times;
   * resolves with callback's result, rejects with rollback(reason)'s reason
   * or with the failure (transaction.ts).
   */
  runTransaction(callback, times) {
    return runTransaction(() => this._transaction(), callback, times);
  }
  /** @internal */
  _transaction() {
    return new Transaction(this._ops.transaction(), this._flavor, this.config.env);
  }
};

// src/functions/index.ts
var CALL_FUNCTION = "cloud.callFunction";
function parseResult(result2) {
  if (typeof result2 !== "string") return result2;
  try {
    return JSON.parse(result2);
  } catch {
    return result2;
  }
}
function callFunction(client2, opts) {
  return promiseOrCallback(opts, async () => {
    const name = opts && opts.name;
    if (typeof name !== "string" || name === "") {
      throw cloudError(CALL_FUNCTION, ErrCode.INVALID_PARAM, 'name is required: callFunction({ name: "sum", data: {…} })', "INVALID_PARAM");
    }
    const data = opts.data === void 0 ? {} : opts.data;
    const path = "/v1/functions/" + encodeURIComponent(name) + "/invoke";
    const r = await client2.request(CALL_FUNCTION, "POST", path, { data });
    return { result: parseResult(r.result), requestID: r.requestID, errMsg: CALL_FUNCTION + ":ok" };
  });
}

// src/auth/index.ts
function sessionKey(endpoint, env) {
  return `minibase:session:${endpoint}#${env ?? ""}`;
}
function loadSession(kv, key) {
  const raw = kv.get(key);
  if (!raw) return void 0;
  try {
    const s = JSON.parse(raw);
    if (typeof s.accessToken === "string" && typeof s.refreshToken === "string" && typeof s.expiresAt === "number") {
      const out = { accessToken: s.accessToken, refreshToken: s.refreshToken, expiresAt: s.expiresAt };
      if (typeof s.refreshAt === "number") out.refreshAt = s.refreshAt;
      if (s.user && typeof s.user === "object" && typeof s.user.uid === "string") out.user = s.user;
      if (s.admin && typeof s.admin === "object" && typeof s.admin.id === "string") out.admin = s.admin;
      return out;
    }
  } catch {
  }
  return void 0;
}
function saveSession(kv, key, s) {
  if (s) kv.set(key, JSON.stringify(s));
  else kv.remove(key);
}
var REFRESH_AHEAD = 6e4;
var DEAD = /* @__PURE__ */ new Set(["INVALID_REFRESH_TOKEN", "REFRESH_TOKEN_EXPIRED"]);
var SessionTokens = class {
  constructor(kv, key, refresh, now = Date.now) {
    this.kv = kv;
    this.key = key;
    this.refresh = refresh;
    this.now = now;
  }
  async token() {
    const s = loadSession(this.kv, this.key);
    if (!s) return void 0;
    const due = s.refreshAt ?? s.expiresAt - REFRESH_AHEAD;
    if (due > this.now()) return s.accessToken;
    const fresh = await this.renew(s);
    return fresh ? fresh.accessToken : loadSession(this.kv, this.key)?.accessToken;
  }
  async onUnauthorized() {
    const s = loadSession(this.kv, this.key);
    return s !== void 0 && await this.renew(s) !== void 0;
  }
  renew(s) {
    if (!this.refreshing) {
      this.refreshing = this.refresh(s.refreshToken).then(
        (fresh) => {
          if (!this.current(s)) return void 0;
          if (fresh.user === void 0 && s.user) fresh.user = s.user;
          saveSession(this.kv, this.key, fresh);
          this.onChange?.(fresh);
          return fresh;
        },
        (e) => {
          if (e && typeof e.code === "string" && DEAD.has(e.code) && this.current(s)) {
            saveSession(this.kv, this.key, void 0);
            this.onChange?.(void 0);
          }
          return void 0;
        }
      );
      const clear = () => this.refreshing = void 0;
      this.refreshing.then(clear, clear);
    }
    return this.refreshing;
  }
  // current reports whether s is still the stored session (same refresh token).
  current(s) {
    return loadSession(this.kv, this.key)?.refreshToken === s.refreshToken;
  }
};

// src/auth/auth.ts
var PLATFORM_PROVIDER = { wx: "wechat", uni: "wechat", tt: "douyin" };
var Auth = class {
  constructor(client2, autoLogin) {
    this.client = client2;
    this.autoLogin = autoLogin;
    this.listeners = /* @__PURE__ */ new Set();
    this.kv = client2.adapter.storage ?? memoryKV();
    this.key = sessionKey(client2.endpoint, client2.env);
    this.tokens = new SessionTokens(this.kv, this.key, (rt) => this.refreshWith(rt));
    this.tokens.onChange = (s) => {
      if (!s) this.emit();
    };
    const token = this.tokens.token.bind(this.tokens);
    this.tokens.token = async () => await token() ?? await this.signInAutomatically();
  }
  /** Signs in as a new anonymous user (POST /v1/auth/anonymous). */
  signInAnonymously() {
    return this.signIn("auth.signInAnonymously", "/v1/auth/anonymous", {});
  }
  /**
   * Mini-programs: gets a code from wx.login (tt.login on Douyin, uni.login
   * on uni-app) and signs in with it (POST /v1/auth/wechat or /douyin). The
   * same WeChat user always gets the same uid and openid.
   */
  async signInWithWeChat() {
    const api = "auth.signInWithWeChat";
    const login = this.client.adapter.login;
    const provider = PLATFORM_PROVIDER[this.client.adapter.name];
    if (!login || !provider) {
      throw cloudError(api, ErrCode.INVALID_PARAM, `needs a mini-program platform with a login API (wx, tt, uni); this is '${this.client.adapter.name}'`);
    }
    let code;
    try {
      code = await login.call(this.client.adapter, this.client.timeout);
    } catch (e) {
      throw cloudError(api, ErrCode.UNKNOWN, `${this.client.adapter.name}.login failed: ${e.message}`);
    }
    return this.signIn(api, `/v1/auth/${provider}`, { code });
  }
  /**
   * Creates an account with a password. Signed in anonymously, the
   * anonymous user becomes this account, keeping its uid and its data.
   */
  signUp(account) {
    const api = "auth.signUp";
    return this.guard(api, async () => {
      const body = credentials(api, account, true);
      const s = loadSession(this.kv, this.key);
      const upgrade = s?.user?.loginType === "ANONYMOUS";
      if (upgrade) await this.tokens.token();
      return this.signIn(api, "/v1/auth/signup", body, upgrade);
    });
  }
  /** Signs in with a username, email or phone and its password. */
  signInWithPassword(account) {
    const api = "auth.signInWithPassword";
    return this.guard(api, () => this.signIn(api, "/v1/auth/login", credentials(api, account, true)));
  }
  /** CloudBase v1's name: signInWithPassword({ email, password }). */
  signInWithEmailAndPassword(email, password) {
    return this.signInWithPassword({ email, password });
  }
  /** CloudBase v1's name: signInWithPassword({ username, password }). */
  signInWithUsernameAndPassword(username, password) {
    return this.signInWithPassword({ username, password });
  }
  /**
   * Sends a one-time code to an email address or phone (POST
   * /v1/auth/otp/send); resolves with how long it is valid, in seconds. It
   * does not say whether an account exists.
   */
  sendOtp(account) {
    const api = "auth.sendOtp";
    return this.guard(api, async () => {
      const r = await this.client.request(api, "POST", "/v1/auth/otp/send", credentials(api, account, false), { auth: false });
      return { expiresIn: r.expires_in };
    });
  }
  /** Signs in with a code from sendOtp (the server may create the account on first use). */
  signInWithOtp(args2) {
    const api = "auth.signInWithOtp";
    return this.guard(api, () => {
      const body = credentials(api, args2, false);
      if (typeof args2.code !== "string" || args2.code === "") throw cloudError(api, ErrCode.INVALID_PARAM, "code is required");
      return this.signIn(api, "/v1/auth/otp/verify", { ...body, code: args2.code });
    });
  }
  /** Signs in with a custom-login ticket your server made with the app's key (CloudBase's format). */
  signInWithTicket(ticket) {
    const api = "auth.signInWithTicket";
    if (typeof ticket !== "string" || ticket === "") {
      return Promise.reject(cloudError(api, ErrCode.INVALID_PARAM, "ticket must be a non-empty string"));
    }
    return this.signIn(api, "/v1/auth/ticket", { ticket });
  }
  /** CloudBase's custom login: getTicket() fetches a ticket from your server, then signs in with it. */
  async signInWithCustomTicket(getTicket) {
    return this.signInWithTicket(await getTicket());
  }
  /** CloudBase v1's custom-login provider: auth.customAuthProvider().signIn(ticket). */
  customAuthProvider() {
    return { signIn: (ticket) => this.signInWithTicket(ticket) };
  }
  /**
   * Signs in with an admin account (POST /v1/auth/admin/login; accounts are
   * made by `minibase admin create` or setUpAdmin). The session is stored
   * and refreshed like a user's, and every request then carries the admin's
   * access token, which bypasses collection rules: for admin tools such as
   * the console, never for a mini-program. Resolves with the account;
   * hasLoginState stays null (an admin is not an end user): see currentAdmin.
   */
  signInAsAdmin(args2) {
    const api = "auth.signInAsAdmin";
    return this.guard(api, () => {
      const body = adminCredentials(api, args2);
      return this.adminSignIn(api, "/v1/auth/admin/login", body);
    });
  }
  /**
   * First-run setup: creates the first admin account (POST /v1/admin/setup)
   * with the admin key the server printed at its first start, and signs in
   * as it. The server refuses it once an admin account exists.
   */
  setUpAdmin(args2) {
    const api = "auth.setUpAdmin";
    return this.guard(api, () => {
      const body = adminCredentials(api, args2);
      if (typeof args2.adminKey !== "string" || args2.adminKey.trim() === "") {
        throw cloudError(api, ErrCode.INVALID_PARAM, "adminKey is required: the admin key the server printed at its first start");
      }
      return this.adminSignIn(api, "/v1/admin/setup", { ...body, adminKey: args2.adminKey.trim() });
    });
  }
  /** The signed-in admin account as last stored, or null (signed out, or signed in as an end user). */
  get currentAdmin() {
    return loadSession(this.kv, this.key)?.admin ?? null;
  }
  /** The stored login state without a network call, or null when signed out. */
  hasLoginState() {
    return state(loadSession(this.kv, this.key));
  }
  /**
   * The login state, refreshing the access token first when it is due;
   * null when signed out (or when the server ended the session).
   */
  async getLoginState() {
    await this.tokens.token();
    return this.hasLoginState();
  }
  /** The signed-in user as last stored, or null. */
  get currentUser() {
    return loadSession(this.kv, this.key)?.user ?? null;
  }
  /** Fetches the signed-in user from the server (GET /v1/auth/me) and stores it. */
  async getUserInfo() {
    const api = "auth.getUserInfo";
    const r = await this.client.request(api, "GET", "/v1/auth/me");
    if (!r.user) throw cloudError(api, ErrCode.INVALID_PARAM, "not signed in as an end user");
    const s = loadSession(this.kv, this.key);
    if (s) saveSession(this.kv, this.key, { ...s, user: r.user });
    return r.user;
  }
  /** The current access token (refreshed when due), or null when signed out. */
  async getAccessToken() {
    const t = await this.tokens.token();
    return t ? { accessToken: t, env: this.client.env } : null;
  }
  /**
   * Signs out: the server revokes the session (POST /v1/auth/logout) and the
   * stored tokens are removed, even when the server cannot be reached.
   */
  async signOut() {
    const s = loadSession(this.kv, this.key);
    saveSession(this.kv, this.key, void 0);
    if (s) this.emit();
    if (!s) return;
    try {
      await this.client.request("auth.signOut", "POST", "/v1/auth/logout", { refresh_token: s.refreshToken }, { auth: false });
    } catch {
    }
  }
  /**
   * Calls listener with the login state now (asynchronously) and after
   * every sign-in and sign-out, including a session the server ended.
   * Returns a function that removes the listener.
   */
  onLoginStateChanged(listener) {
    if (typeof listener !== "function") throw new TypeError("onLoginStateChanged needs a function");
    this.listeners.add(listener);
    Promise.resolve().then(() => this.listeners.has(listener) && call(listener, this.hasLoginState()));
    return () => {
      this.listeners.delete(listener);
    };
  }
  async signIn(api, path, body, withToken = false) {
    const r = await this.client.request(api, "POST", path, body, { auth: withToken });
    const s = toSession(api, r, Date.now());
    saveSession(this.kv, this.key, s);
    this.emit();
    return state(s);
  }
  async adminSignIn(api, path, body) {
    const r = await this.client.request(api, "POST", path, body, { auth: false });
    const s = toSession(api, r, Date.now());
    if (!s.admin) throw cloudError(api, ErrCode.SYS_ERR, "the server answered without the admin account");
    saveSession(this.kv, this.key, s);
    this.emit();
    return s.admin;
  }
  async refreshWith(refreshToken) {
    const api = "auth.refresh";
    const r = await this.client.request(api, "POST", "/v1/auth/refresh", { refresh_token: refreshToken }, { auth: false });
    return toSession(api, r, Date.now());
  }
  // signInAutomatically runs init's autoLogin once for concurrent requests;
  // a failure leaves the request unauthenticated (the server then says why).
  async signInAutomatically() {
    if (!this.autoLogin) return void 0;
    if (!this.autoPending) {
      const run = this.autoLogin === "anonymous" ? this.signInAnonymously() : this.autoLogin === "wechat" || this.autoLogin === "douyin" ? this.signInWithWeChat() : Promise.resolve();
      this.autoPending = run.then(
        () => void 0,
        (e) => console.warn(`minibase-sdk: autoLogin '${this.autoLogin}' failed: ${e.message}`)
      );
      this.autoPending.then(() => this.autoPending = void 0);
    }
    await this.autoPending;
    return loadSession(this.kv, this.key)?.accessToken;
  }
  emit() {
    const st = this.hasLoginState();
    for (const l of [...this.listeners]) call(l, st);
  }
  // guard turns a synchronous validation throw into a rejection, so every
  // sign-in method fails the same way.
  async guard(api, run) {
    try {
      return await run();
    } catch (e) {
      if (e instanceof CloudError) throw e;
      throw cloudError(api, ErrCode.UNKNOWN, e?.message ?? String(e));
    }
  }
};
function call(l, st) {
  try {
    l(st);
  } catch (e) {
    setTimeout(() => {
      throw e;
    });
  }
}
function state(s) {
  if (!s?.user) return null;
  return { user: s.user, loginType: s.user.loginType, isAnonymousAuth: s.user.loginType === "ANONYMOUS" };
}
function toSession(api, r, now) {
  if (typeof r?.access_token !== "string" || typeof r.refresh_token !== "string" || typeof r.expires_in !== "number") {
    throw cloudError(api, ErrCode.SYS_ERR, "the server answered without tokens");
  }
  const life = r.expires_in * 1e3;
  const s = {
    accessToken: r.access_token,
    refreshToken: r.refresh_token,
    expiresAt: now + life,
    refreshAt: now + life - Math.min(REFRESH_AHEAD, life / 5)
  };
  if (r.user) s.user = r.user;
  if (r.admin) s.admin = r.admin;
  return s;
}
function adminCredentials(api, a) {
  if (a === null || typeof a !== "object") throw cloudError(api, ErrCode.INVALID_PARAM, "expects an object { email, password }");
  if (typeof a.email !== "string" || a.email.trim() === "") throw cloudError(api, ErrCode.INVALID_PARAM, "email is required");
  if (typeof a.password !== "string" || a.password === "") throw cloudError(api, ErrCode.INVALID_PARAM, "password is required");
  return { email: a.email.trim(), password: a.password };
}
function credentials(api, a, password) {
  if (a === null || typeof a !== "object") throw cloudError(api, ErrCode.INVALID_PARAM, "expects an object");
  const ids = password ? ["username", "email", "phone"] : ["email", "phone"];
  const given = ids.filter((k2) => a[k2] !== void 0 && a[k2] !== "");
  if (given.length !== 1) throw cloudError(api, ErrCode.INVALID_PARAM, `needs exactly one of ${ids.join(", ")}`);
  const k = given[0];
  if (typeof a[k] !== "string") throw cloudError(api, ErrCode.INVALID_PARAM, `${k} must be a string`);
  const body = { [k]: a[k] };
  if (password) {
    if (typeof a.password !== "string" || a.password === "") throw cloudError(api, ErrCode.INVALID_PARAM, "password is required");
    body.password = a.password;
  }
  return body;
}

// src/storage/url.ts
function invalid2(api, detail) {
  return cloudError(api, ErrCode.INVALID_PARAM, detail, "INVALID_PARAM");
}
function parseFileID(fileID) {
  const m = /^cloud:\/\/([^./]+)\.([^/]+)\/(.+)$/.exec(fileID);
  if (!m) return void 0;
  return { env: m[1], bucket: m[2], path: m[3] };
}
var FILE_URL = "cloud.fileURL";
var FITS = ["cover", "contain", "fill", "inside", "outside"];
var FORMATS = ["jpeg", "jpg", "png"];
function fileURL(endpoint, fileID, image) {
  const parts = typeof fileID === "string" ? parseFileID(fileID) : void 0;
  if (!parts) throw invalid2(FILE_URL, `not a fileID (cloud://<env>.<bucket>/<path>): ${String(fileID)}`);
  const path = parts.path.split("/").map(encodeURIComponent).join("/");
  const url = `${endpoint}/f/${encodeURIComponent(parts.bucket)}/${path}`;
  if (image === void 0 || image === null) return url;
  if (typeof image === "string") {
    if (!/^imageView2\/[0-5](\/[A-Za-z]+\/[A-Za-z0-9]+)*$/.test(image)) {
      throw invalid2(FILE_URL, `image must be an object {w, h, fit, q, format} or 'imageView2/<mode>/w/<w>/h/<h>…', got ${image}`);
    }
    return url + "?" + image;
  }
  if (typeof image !== "object") throw invalid2(FILE_URL, "image must be an object {w, h, fit, q, format}");
  const q2 = [];
  const int = (name, max) => {
    const v = image[name];
    if (v === void 0) return;
    if (!Number.isInteger(v) || v < 1 || v > max) throw invalid2(FILE_URL, `${name} must be an integer from 1 to ${max}, got ${String(v)}`);
    q2.push(`${name}=${v}`);
  };
  int("w", 4096);
  int("h", 4096);
  if (image.fit !== void 0) {
    if (!FITS.includes(image.fit)) throw invalid2(FILE_URL, `fit must be one of ${FITS.join(", ")}, got ${String(image.fit)}`);
    q2.push(`fit=${image.fit}`);
  }
  int("q", 100);
  if (image.format !== void 0) {
    if (!FORMATS.includes(image.format)) throw invalid2(FILE_URL, `format must be jpeg or png, got ${String(image.format)}`);
    q2.push(`format=${image.format}`);
  }
  return q2.length ? `${url}?${q2.join("&")}` : url;
}

// src/storage/index.ts
var MAX_FILE_LIST = 50;
var TRANSFER_TIMEOUT = 10 * 60 * 1e3;
var MINI_PROGRAMS = ["wx", "my", "tt", "uni"];
var UPLOAD = "cloud.uploadFile";
var DOWNLOAD = "cloud.downloadFile";
var TEMP_URL = "cloud.getTempFileURL";
var DELETE = "cloud.deleteFile";
var Storage = class {
  constructor(client2) {
    this.c = client2;
  }
  uploadFile(opts) {
    if (opts === null || typeof opts !== "object") throw invalid2(UPLOAD, "options must be an object");
    const { cloudPath } = opts;
    if (typeof cloudPath !== "string" || cloudPath === "") throw invalid2(UPLOAD, "cloudPath must be a non-empty string");
    const file = this.checkFile(opts);
    const timeout = checkTimeout(UPLOAD, opts.timeout);
    const upload = this.c.adapter.uploadFile;
    if (!upload) throw invalid2(UPLOAD, `the ${this.c.adapter.name} adapter cannot upload files`);
    const listeners = /* @__PURE__ */ new Set();
    if (typeof opts.onUploadProgress === "function") listeners.add(opts.onUploadProgress);
    let abort;
    let aborted = false;
    const task = {
      onProgressUpdate: (cb) => void (typeof cb === "function" && listeners.add(cb)),
      offProgressUpdate: (cb) => cb ? void listeners.delete(cb) : listeners.clear(),
      abort: () => {
        aborted = true;
        abort?.();
      }
    };
    const onProgress = (p2) => emit(listeners, p2);
    const run = async () => {
      if (aborted) throw cloudError(UPLOAD, ErrCode.UNKNOWN, "abort");
      const res = await this.c.transfer(
        UPLOAD,
        (headers) => upload({
          url: this.c.endpoint + "/v1/storage/upload",
          headers,
          file,
          fileName: cloudPath.slice(cloudPath.lastIndexOf("/") + 1),
          fileField: "file",
          fields: { cloudPath },
          timeout,
          onProgress,
          onAbortable: (a) => {
            abort = a;
            if (aborted) a();
          }
        }),
        timeout,
        (r) => r.data
      );
      if (res.status < 200 || res.status >= 300) throw failure2(UPLOAD, res.status, res.data);
      const d = res.data;
      if (!d || typeof d.fileID !== "string") throw cloudError(UPLOAD, ErrCode.SYS_ERR, "the server answered without a fileID");
      const statusCode = typeof d.statusCode === "number" ? d.statusCode : res.status;
      return { fileID: d.fileID, statusCode, errMsg: UPLOAD + ":ok" };
    };
    const p = promiseOrCallback(opts, run);
    return p ? Object.assign(p, task) : task;
  }
  downloadFile(opts) {
    if (opts === null || typeof opts !== "object") throw invalid2(DOWNLOAD, "options must be an object");
    const { fileID } = opts;
    if (typeof fileID !== "string" || fileID === "") throw invalid2(DOWNLOAD, "fileID must be a non-empty string");
    const timeout = checkTimeout(DOWNLOAD, opts.timeout);
    const download = this.c.adapter.downloadFile;
    if (!download) throw invalid2(DOWNLOAD, `the ${this.c.adapter.name} adapter cannot download files`);
    return promiseOrCallback(opts, async () => {
      const url = this.c.endpoint + "/v1/storage/download?fileID=" + encodeURIComponent(fileID);
      const res = await this.c.transfer(DOWNLOAD, (headers) => download({ url, headers, timeout }), timeout, (r) => r.error);
      if (res.status < 200 || res.status >= 300) throw failure2(DOWNLOAD, res.status, res.error);
      const out = { statusCode: res.status, errMsg: DOWNLOAD + ":ok" };
      if (res.tempFilePath !== void 0) out.tempFilePath = res.tempFilePath;
      else out.fileContent = res.data ?? new ArrayBuffer(0);
      return out;
    });
  }
  getTempFileURL(opts) {
    const fileList = checkList(
      TEMP_URL,
      opts,
      (it) => typeof it === "string" ? it !== "" : it !== null && typeof it === "object" && typeof it.fileID === "string" && it.fileID !== "" && (it.maxAge === void 0 || Number.isInteger(it.maxAge) && it.maxAge > 0)
    );
    return promiseOrCallback(opts, async () => {
      const r = await this.c.request(TEMP_URL, "POST", "/v1/storage/temp-urls", { fileList });
      const items = Array.isArray(r.fileList) ? r.fileList : [];
      for (const it of items) {
        if (typeof it.tempFileURL === "string" && it.tempFileURL.startsWith("/")) it.tempFileURL = this.c.endpoint + it.tempFileURL;
      }
      return { fileList: items, errMsg: TEMP_URL + ":ok" };
    });
  }
  deleteFile(opts) {
    const fileList = checkList(DELETE, opts, (it) => typeof it === "string" && it !== "");
    return promiseOrCallback(opts, async () => {
      const r = await this.c.request(DELETE, "POST", "/v1/storage/delete", { fileList });
      return { fileList: Array.isArray(r.fileList) ? r.fileList : [], errMsg: DELETE + ":ok" };
    });
  }
  /**
   * The URL of a file in a public bucket, for an <image src> or a link:
   * `<endpoint>/f/<bucket>/<path>`, with resizing parameters when image is
   * given ({w, h, fit, q, format}, or an 'imageView2/…' string). Files in
   * private buckets need getTempFileURL (a signed URL) instead. Throws
   * INVALID_PARAM for a malformed fileID or parameter.
   */
  fileURL(fileID, image) {
    return fileURL(this.c.endpoint, fileID, image);
  }
  // checkFile picks the file to send and checks this platform can send it.
  checkFile(opts) {
    const file = opts.file ?? opts.filePath;
    const mp = MINI_PROGRAMS.includes(this.c.adapter.name);
    if (mp) {
      if (typeof file !== "string" || file === "") {
        throw invalid2(UPLOAD, "filePath must be the path of a local file (a tempFilePath from wx.chooseMedia or similar)");
      }
      return file;
    }
    const isBytes = typeof Blob === "function" && file instanceof Blob || file instanceof Uint8Array || file instanceof ArrayBuffer;
    if (!isBytes) {
      throw invalid2(
        UPLOAD,
        typeof file === "string" ? "a file path works in mini-programs only: pass the bytes as file (a File, Blob or Buffer)" : "file must be a File, Blob, Buffer, Uint8Array or ArrayBuffer"
      );
    }
    return file;
  }
};
function emit(listeners, p) {
  const e = {
    progress: p.total > 0 ? Math.min(100, Math.round(p.loaded * 100 / p.total)) : 0,
    totalBytesSent: p.loaded,
    totalBytesExpectedToSend: p.total,
    loaded: p.loaded,
    total: p.total
  };
  for (const cb of listeners) {
    try {
      cb(e);
    } catch (err) {
      setTimeout(() => {
        throw err;
      }, 0);
    }
  }
}
function checkTimeout(api, t) {
  if (t === void 0) return TRANSFER_TIMEOUT;
  if (typeof t === "number" && t > 0 && Number.isFinite(t)) return t;
  throw invalid2(api, `timeout must be a positive number of milliseconds, got ${String(t)}`);
}
function checkList(api, opts, ok) {
  if (opts === null || typeof opts !== "object") throw invalid2(api, "options must be an object");
  const list2 = opts.fileList;
  if (!Array.isArray(list2) || list2.length === 0) throw invalid2(api, "fileList must be a non-empty array");
  if (list2.length > MAX_FILE_LIST) {
    throw invalid2(api, `fileList holds ${list2.length} items; at most ${MAX_FILE_LIST} per call`);
  }
  const bad = list2.findIndex((it) => !ok(it));
  if (bad >= 0) throw invalid2(api, `fileList[${bad}] is not a fileID: ${JSON.stringify(list2[bad]) ?? String(list2[bad])}`);
  return list2;
}

// src/index.ts
var NOT_INITIALIZED = "Cloud API isn't enabled, please call init first\n请先调用 init 完成初始化后再调用其他云 API。";
var current;
var currentAuth;
function client() {
  if (!current) throw new CloudError(ErrCode.RESOURCE_NOT_INITIAL, NOT_INITIALIZED);
  return current;
}
function init(opts) {
  const c = new Client(opts);
  const a = new Auth(c, opts.autoLogin);
  if (!opts.accessToken) c.setTokenSource(a.tokens);
  current = c;
  currentAuth = a;
}
function auth() {
  client();
  return currentAuth;
}
function database(opts) {
  return new Database(client(), opts);
}
function callFunction2(opts) {
  return callFunction(client(), opts);
}
var uploadFile = (opts) => new Storage(client()).uploadFile(opts);
var downloadFile = (opts) => new Storage(client()).downloadFile(opts);
var getTempFileURL = (opts) => new Storage(client()).getTempFileURL(opts);
var deleteFile = (opts) => new Storage(client()).deleteFile(opts);
function fileURL2(fileID, image) {
  return new Storage(client()).fileURL(fileID, image);
}
var cloud = { init, database, auth, callFunction: callFunction2, uploadFile, downloadFile, getTempFileURL, deleteFile, fileURL: fileURL2 };
var index_default = cloud;

// src/cjs.ts
module.exports = Object.assign(index_default, index_exports);
