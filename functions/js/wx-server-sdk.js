/* wx-server-sdk for minibase's cloud functions: generated from functions/js/src and sdk/src by `go generate ./functions`; do not edit. */
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// js/src/wx-server-sdk.js
var wx_server_sdk_exports = {};
__export(wx_server_sdk_exports, {
  createCloud: () => createCloud,
  createTcb: () => createTcb
});
module.exports = __toCommonJS(wx_server_sdk_exports);

// ../sdk/src/core/callback.ts
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

// ../sdk/src/database/values.ts
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

// ../sdk/src/database/geo.ts
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

// ../sdk/src/database/decode.ts
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

// ../sdk/src/database/encode.ts
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

// ../sdk/src/core/errors.ts
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

// ../sdk/src/database/request.ts
var CLIENT = { defaultLimit: 20, batchAdd: false, decode: true, alwaysPromise: false };
var SERVER = { defaultLimit: 100, batchAdd: true, decode: false, alwaysPromise: true };
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

// ../sdk/src/database/aggregate.ts
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

// ../sdk/src/database/command.ts
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

// ../sdk/src/database/document.ts
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

// ../sdk/src/database/query.ts
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
function startWatch(t, api, options, state) {
  if (!options || typeof options.onChange !== "function" || typeof options.onError !== "function") {
    throw new Error("watch() needs options with the functions onChange and onError");
  }
  if (!t.ops.watch) throw cloudError(api, ErrCode.INVALID_PARAM, "watch is not available here (wx-server-sdk has no watch: a function is short-lived)");
  if (state.projection || state.skip) console.warn("`field` and `skip` do not apply to watch()");
  const body = {};
  if (state.filter) body.filter = state.filter;
  if (state.sort) body.sort = state.sort;
  if (state.limit) body.limit = state.limit;
  return t.ops.watch(api, t.coll, body, options);
}

// ../sdk/src/database/transaction.ts
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
      const result = await callback(t);
      if (t.aborted) throw t.abortReason;
      await t.commit();
      return result;
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
function httpTxn(client) {
  const done = [];
  let ended = "";
  let queue = Promise.resolve();
  const send2 = (api, body) => client.request(api, "POST", "/v1/db/transaction", body);
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
      const r = await send2(api, { commit: false, ops: [...done, op] });
      const { rev, ...answer } = r.results[r.results.length - 1];
      done.push(pinIDs({ ...op, rev }, answer));
      return answer;
    }),
    commit: (api) => serially(async () => {
      open(api);
      ended = "committed";
      if (done.length > 0) await send2(api, { ops: done });
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
function pinIDs(op, answer) {
  if (op.op !== "insert") return op;
  if (Array.isArray(op.data) && Array.isArray(answer._ids)) {
    const ids = answer._ids;
    return { ...op, data: op.data.map((d, i) => ({ ...d, _id: ids[i] })) };
  }
  if (typeof answer._id === "string") return { ...op, data: { ...op.data, _id: answer._id } };
  return op;
}

// ../sdk/src/database/ops.ts
function httpOps(client) {
  const coll = (name) => "/v1/db/" + encodeURIComponent(name);
  const doc = (name, id) => coll(name) + "/docs/" + encodeURIComponent(id);
  return {
    env: client.env,
    query: (api, c, body) => client.request(api, "POST", coll(c) + "/query", body),
    aggregate: (api, c, body) => client.request(api, "POST", coll(c) + "/aggregate", body),
    count: (api, c, body) => client.request(api, "POST", coll(c) + "/count", body),
    insert: (api, c, body) => client.request(api, "POST", coll(c) + "/insert", body),
    update: (api, c, body) => client.request(api, "POST", coll(c) + "/update", body),
    remove: (api, c, body) => client.request(api, "POST", coll(c) + "/remove", body),
    getDoc: (api, c, id) => client.request(api, "GET", doc(c, id)),
    setDoc: (api, c, id, body) => client.request(api, "PUT", doc(c, id), body),
    // Not PATCH …/docs/{id}: wx.request and my.request have no PATCH. The
    // server checks a where-update on {_id} alone as it checks PATCH,
    // against the stored document.
    updateDoc: (api, c, id, body) => client.request(api, "POST", coll(c) + "/update", { filter: { _id: id }, update: body.update, multi: false }),
    removeDoc: (api, c, id) => client.request(api, "DELETE", doc(c, id)),
    createCollection: (api, body) => client.request(api, "POST", "/v1/admin/collections", body),
    transaction: () => httpTxn(client),
    watch: (api, c, body, opts) => client.watch(api, c, body, opts)
  };
}

// ../sdk/src/database/index.ts
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

// ../sdk/src/functions/index.ts
function parseResult(result) {
  if (typeof result !== "string") return result;
  try {
    return JSON.parse(result);
  } catch {
    return result;
  }
}

// js/src/files.js
var isFileID = (v) => typeof v === "string" && v !== "";
var isTempURLItem = (it) => isFileID(it) || it !== null && typeof it === "object" && isFileID(it.fileID) && (it.maxAge === void 0 || Number.isInteger(it.maxAge) && it.maxAge > 0);
function checkFileList(opts, max, ok) {
  const list2 = opts !== null && typeof opts === "object" ? opts.fileList : void 0;
  if (!Array.isArray(list2) || list2.length === 0) return "fileList must be a non-empty array";
  if (list2.length > max) return `fileList has ${list2.length} items; at most ${max} per call`;
  const bad = list2.findIndex((it) => !ok(it));
  return bad < 0 ? "" : `fileList[${bad}] is not a fileID: ${JSON.stringify(list2[bad]) ?? String(list2[bad])}`;
}
function checkUpload(opts) {
  if (opts === null || typeof opts !== "object") return "options must be an object";
  const { cloudPath, fileContent } = opts;
  if (typeof cloudPath !== "string" || cloudPath === "") return "cloudPath must be a non-empty string";
  if (typeof fileContent !== "string" && !(fileContent instanceof ArrayBuffer) && !ArrayBuffer.isView(fileContent)) {
    return "fileContent must be a Buffer or a string";
  }
  return "";
}

// js/src/openapi.js
var isObject = (x) => Object.prototype.toString.call(x) === "[object Object]";
var toSnake = (s) => s.replace(/[A-Z]/g, (m, i) => (i ? "_" : "") + m.toLowerCase());
var toCamel = (s) => s.replace(/_[a-z]/g, (m) => m[1].toUpperCase());
function convertCase(v, rename) {
  if (Array.isArray(v)) return v.map((item) => convertCase(item, rename));
  if (!isObject(v)) return v;
  const out = {};
  for (const key of Object.keys(v)) out[rename(key)] = convertCase(v[key], rename);
  return out;
}
var isFile = (v) => isObject(v) && Boolean(v.contentType || v.content_type) && v.value !== void 0 && (ArrayBuffer.isView(v.value) || v.value instanceof ArrayBuffer);
function makeOpenAPI(natives, need, options = {}) {
  const root = function openapi(opts) {
    if (!isObject(opts)) throw new TypeError("cloud.openapi(options): an options object is expected");
    return makeOpenAPI(natives, need, Object.assign({}, options, opts));
  };
  const modules = /* @__PURE__ */ new Map();
  return new Proxy(root, {
    get(target, mod) {
      if (typeof mod !== "string" || mod === "toJSON") return void 0;
      if (!modules.has(mod)) modules.set(mod, openapiModule(natives, need, options, mod));
      return modules.get(mod);
    }
  });
}
function openapiModule(natives, need, options, mod) {
  const methods = /* @__PURE__ */ new Map();
  return new Proxy({}, {
    get(target, fn2) {
      if (typeof fn2 !== "string" || fn2 === "toJSON" || fn2 === "then") return void 0;
      if (!methods.has(fn2)) methods.set(fn2, (params) => callOpenAPI(natives, need, options, `${mod}.${fn2}`, params));
      return methods.get(fn2);
    }
  });
}
function callOpenAPI(natives, need, options, api, params) {
  need();
  const name = `openapi.${api}`;
  if (params !== void 0 && !isObject(params)) {
    return Promise.reject(new CloudError(ErrCode.INVALID_PARAM, `${name}:fail -501007 invalid parameters. the parameters must be an object`, "INVALID_PARAM"));
  }
  try {
    return send(natives, options, api, name, params);
  } catch (e) {
    return Promise.reject(e);
  }
}
function send(natives, options, api, name, params) {
  const convert = options.convertCase !== false;
  const data = params === void 0 ? {} : convert ? convertCase(params, toSnake) : params;
  const rest = {};
  const files = [];
  for (const key of Object.keys(data)) {
    const v = data[key];
    if (isFile(v)) {
      files.push({ field: key, contentType: String(v.contentType || v.content_type), name: String(v.fileName || v.file_name || ""), value: v.value });
    } else {
      rest[key] = v;
    }
  }
  return natives.openapi(api, rest, files).then(
    (r) => {
      let result;
      if (r.json !== void 0) {
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
    }
  );
}
var MAX_OPEN_DATA = 50;
function makeGetOpenData(natives, need) {
  return function getOpenData(opts) {
    need();
    const api = "getOpenData";
    const fail = (errCode, text, detail) => Promise.reject(new CloudError(errCode, `${api}:fail ${errCode} ${text}. ${detail}`));
    const list2 = isObject(opts) ? opts.list : void 0;
    if (!Array.isArray(list2) || list2.length === 0 || list2.length > MAX_OPEN_DATA) {
      return fail(ErrCode.INVALID_PARAM, "invalid parameters", `list must be an array of 1 to ${MAX_OPEN_DATA} items`);
    }
    const items = [];
    for (const it of list2) {
      if (typeof it === "string") {
        return fail(
          -601005,
          "invalid cloudID",
          `WeChat resolves cloudIDs only for CloudBase's own backend, which a self-hosted server is not: pass the data's {encryptedData, iv} instead (decrypted with the caller's session key), or, for a phone number, the code of <button open-type="getPhoneNumber"> to cloud.openapi.phonenumber.getPhoneNumber({code})`
        );
      }
      if (!isObject(it) || typeof it.encryptedData !== "string" || typeof it.iv !== "string") {
        return fail(ErrCode.INVALID_PARAM, "invalid parameters", "each item of list must be {encryptedData, iv} (strings, base64)");
      }
      items.push({ encryptedData: it.encryptedData, iv: it.iv });
    }
    return natives.getOpenData(JSON.stringify(items)).then(
      (texts) => ({ list: texts.map((t) => ({ data: JSON.parse(t) })), errMsg: `${api}:ok`, errCode: 0 }),
      (e) => {
        throw new CloudError(e.errCode, `${api}:fail ${e.errCode} ${e.message}`);
      }
    );
  };
}

// js/src/node-sdk.js
var SYMBOL_CURRENT_ENV = /* @__PURE__ */ Symbol.for("SYMBOL_CURRENT_ENV");
var SYMBOL_DEFAULT_ENV = /* @__PURE__ */ Symbol.for("SYMBOL_DEFAULT_ENV");
var MAX_LIMIT = 1e3;
var DEFAULT_LIMIT = 100;
var TcbError = class extends Error {
  constructor(code, message, requestId) {
    super(message);
    this.code = code;
    this.message = message;
    this.requestId = requestId || "";
  }
};
function createTcb(natives, legacy) {
  let throwOnCode = !legacy;
  const requestId = () => natives.requestID();
  natives.toError = (api, e) => new TcbError(e.code || "SYS_ERR", e.message || "system error", requestId());
  natives.geo = fromGeoJSON;
  const plain = { ops: natives.db, txn: false };
  const fail = (code, message) => new TcbError(code, message, requestId());
  const invalid2 = (message) => fail("INVALID_PARAM", message);
  const outsideTxn = (c) => {
    if (c.txn) throw invalid2("not in a transaction: read documents by id in it (doc(id).get()), and query outside it");
  };
  const settle = (run) => {
    const p = Promise.resolve().then(run);
    if (throwOnCode) return p;
    return p.catch((e) => {
      if (e instanceof TcbError) return { code: e.code, message: e.message, requestId: e.requestId };
      throw e;
    });
  };
  const encoded = (f) => {
    try {
      return f();
    } catch (e) {
      throw invalid2(e.message);
    }
  };
  const checkWrite = (data, what) => {
    if (!data || typeof data !== "object") throw invalid2("参数必需是非空对象");
    if (what !== "add" && Object.prototype.hasOwnProperty.call(data, "_id")) throw invalid2("不能更新_id的值");
  };
  const projectionOf = (p) => {
    const out = {};
    for (const k in p) {
      const v = p[k];
      if (typeof v === "boolean") out[k] = v;
      else if (typeof v === "number") out[k] = v > 0;
      else if (v !== null && typeof v === "object") out[k] = v;
    }
    return encodeProjection(out);
  };
  class Query2 {
    constructor(coll, s, c) {
      this._coll = coll;
      this._s = s;
      this._c = c || plain;
    }
    _with(change) {
      return new Query2(this._coll, Object.assign({}, this._s, change), this._c);
    }
    where(query) {
      if (Object.prototype.toString.call(query).slice(8, -1) !== "Object") throw new Error("查询参数必须为对象");
      const keys = Object.keys(query);
      if (keys.length && !keys.some((k) => query[k] !== void 0)) throw new Error("查询参数对象值不能均为undefined");
      return this._with({ filter: encodeWhere(query) });
    }
    orderBy(fieldPath, direction) {
      if (typeof fieldPath !== "string" || !/^[a-zA-Z0-9-_.]/.test(fieldPath)) throw new Error("非法排序路径");
      if (direction !== "asc" && direction !== "desc") throw new Error("排序字符不合法");
      const sort = (this._s.sort || []).filter(([f]) => f !== fieldPath).concat([[fieldPath, direction === "desc" ? -1 : 1]]);
      return this._with({ sort });
    }
    limit(limit) {
      if (!Number.isInteger(limit)) throw new Error("limit must be integer");
      return this._with({ limit });
    }
    skip(offset) {
      if (!Number.isInteger(offset)) throw new Error("offset must be integer");
      return this._with({ offset });
    }
    field(projection) {
      if (projection === null || typeof projection !== "object") throw invalid2("projection must be an object");
      return this._with({ projection: projectionOf(projection) });
    }
    /** options({multiple, limit, offset, projection, timeout}): multiple: false makes update() and remove() act on one document. */
    options(apiOptions) {
      if (Object.prototype.toString.call(apiOptions).slice(8, -1) !== "Object") throw invalid2("options must be an object");
      const change = {};
      for (const key of Object.keys(apiOptions)) {
        const v = apiOptions[key];
        switch (key) {
          case "multiple":
            if (typeof v !== "boolean") throw new Error("multiple must be boolean");
            change.multiple = v;
            break;
          case "limit":
          case "offset":
          case "timeout":
            if (!Number.isInteger(v)) throw new Error(key + " must be integer");
            if (key !== "timeout") change[key] = v;
            break;
          case "projection":
            change.projection = projectionOf(v);
            break;
          default:
            throw invalid2(`${key} is invalid options key`);
        }
      }
      return this._with(change);
    }
    /** The matching documents: {data, requestId}; 100 unless limit() says otherwise, at most 1000. */
    get() {
      return settle(async () => {
        outsideTxn(this._c);
        const s = this._s;
        const body = { limit: s.limit ? Math.min(s.limit, MAX_LIMIT) : DEFAULT_LIMIT };
        if (s.filter) body.filter = s.filter;
        if (s.sort) body.sort = s.sort;
        if (s.offset) body.skip = s.offset;
        if (s.projection) body.projection = s.projection;
        const r = await this._c.ops.query("collection.get", this._coll, body);
        return { data: r.data, requestId: requestId() };
      });
    }
    /** {total, requestId}. */
    count() {
      return settle(async () => {
        outsideTxn(this._c);
        const r = await this._c.ops.count("collection.count", this._coll, this._s.filter ? { filter: this._s.filter } : {});
        return { total: r.total, requestId: requestId() };
      });
    }
    /** Updates every matching document (one with options({multiple: false})) with data: {updated, requestId}. */
    update(data) {
      return settle(async () => {
        checkWrite(data, "update");
        const multi = this._s.multiple === void 0 ? true : this._s.multiple;
        const body = { filter: this._s.filter || {}, update: encoded(() => encodeUpdate(data)), multi };
        const r = await this._c.ops.update("collection.update", this._coll, body);
        return { updated: r.stats.updated, requestId: requestId() };
      });
    }
    /** Removes every matching document (one with options({multiple: false})): {deleted, requestId}. */
    remove() {
      return settle(async () => {
        const s = this._s;
        if (s.offset !== void 0 || s.limit !== void 0 || s.projection !== void 0 || s.sort !== void 0) {
          console.warn("`offset`, `limit`, `projection`, `orderBy` are not supported in remove() operation");
        }
        const multi = s.multiple === void 0 ? true : s.multiple;
        const r = await this._c.ops.remove("collection.remove", this._coll, { filter: s.filter || {}, multi });
        return { deleted: r.stats.removed, requestId: requestId() };
      });
    }
  }
  class CollectionReference2 extends Query2 {
    constructor(coll, c) {
      super(coll, {}, c);
    }
    /** The collection's name. */
    get name() {
      return this._coll;
    }
    doc(docID) {
      if (typeof docID !== "string" && typeof docID !== "number") throw new Error("docId必须为字符串或数字");
      return new DocumentReference2(this._coll, docID, void 0, this._c);
    }
    /** Inserts a document → {id, requestId}, or an array of them → {ids, requestId}. */
    add(data) {
      return settle(async () => {
        const many = Array.isArray(data);
        const docs = many ? data : [data];
        if (docs.length === 0) throw invalid2("参数必需是非空对象");
        docs.forEach((d) => checkWrite(d, "add"));
        const body = { data: encoded(() => many ? docs.map((d) => encodeValue(d)) : encodeValue(data)) };
        const r = await this._c.ops.insert("collection.add", this._coll, body);
        if (many) return { ids: r._ids, requestId: requestId() };
        return this._c.txn ? { id: r._id, inserted: 1, ok: 1, requestId: requestId() } : { id: r._id, requestId: requestId() };
      });
    }
    /**
     * An aggregation pipeline (the client SDK's stages: match, group,
     * lookup, …); end() → {data, requestId}, at most 20 documents without a
     * limit stage. aggregate(stages) starts from an array of stage objects.
     */
    aggregate(rawPipeline) {
      const a = new NodeAggregate(this._coll, this._c);
      if (rawPipeline !== void 0) {
        if (!Array.isArray(rawPipeline)) throw invalid2("aggregate() takes an array of stages");
        for (const stage of rawPipeline) a._push(encoded(() => encodeValue(stage)));
      }
      return a;
    }
    options(apiOptions) {
      const q2 = super.options(apiOptions);
      const c = new CollectionReference2(this._coll, this._c);
      c._s = q2._s;
      return c;
    }
  }
  class NodeAggregate extends Aggregate {
    constructor(coll, c) {
      super(void 0);
      this._coll = coll;
      this._c = c;
    }
    end() {
      return settle(async () => {
        outsideTxn(this._c);
        const pipeline = this.done();
        if (!pipeline.some((s) => "$limit" in s)) pipeline.push({ $limit: AGGREGATE_DEFAULT_LIMIT });
        const r = await this._c.ops.aggregate("collection.aggregate", this._coll, { pipeline });
        return { data: r.data, requestId: requestId() };
      });
    }
  }
  class DocumentReference2 {
    constructor(coll, id, projection, c) {
      this._coll = coll;
      this.id = id;
      this._projection = projection;
      this._c = c || plain;
    }
    field(projection) {
      if (projection === null || typeof projection !== "object") throw invalid2("projection must be an object");
      return new DocumentReference2(this._coll, this.id, projectionOf(projection), this._c);
    }
    /** {data: [the document] (or [] when there is none), requestId}; in a transaction {data: the document or null, requestId}. */
    get() {
      return settle(async () => {
        const body = { filter: { _id: String(this.id) }, limit: 1 };
        if (this._projection) body.projection = this._projection;
        const r = await this._c.ops.query("document.get", this._coll, body);
        return { data: this._c.txn ? r.data[0] || null : r.data, requestId: requestId() };
      });
    }
    /**
     * Replaces the document with data, or creates it: {updated, upsertedId
     * (when created), requestId}; in a transaction {updated, upserted:
     * [{_id (when created)}], requestId}, as @cloudbase/database's.
     */
    set(data) {
      return settle(async () => {
        const id = String(this.id);
        if (!id) throw invalid2("docId不能为空");
        checkWrite(data, "set");
        if (hasUpdateCommand(data)) throw fail("DATABASE_REQUEST_FAILED", "update operator complicit");
        const r = await this._c.ops.setDoc("document.set", this._coll, id, { data: encoded(() => encodeValue(data)) });
        if (this._c.txn) return { updated: r.stats.updated, upserted: [{ _id: r.stats.created ? r._id : void 0 }], requestId: requestId() };
        const out = { updated: r.stats.updated, requestId: requestId() };
        if (r.stats.created) out.upsertedId = r._id;
        return out;
      });
    }
    /** Creates the document with this _id and data: {id, requestId}. */
    create(data) {
      return settle(async () => {
        checkWrite(data, "add");
        const doc = Object.assign({}, data, { _id: String(this.id) });
        const r = await this._c.ops.insert("document.create", this._coll, { data: encoded(() => encodeValue(doc)) });
        return { id: r._id, requestId: requestId() };
      });
    }
    /** Updates the document with data (nested objects merge; commands apply): {updated: 0|1, requestId}. */
    update(data) {
      return settle(async () => {
        checkWrite(data, "update");
        const r = await this._c.ops.updateDoc("document.update", this._coll, String(this.id), { update: encoded(() => encodeUpdate(data)) });
        return { updated: r.stats.updated, requestId: requestId() };
      });
    }
    /** Removes the document: {deleted: 0|1, requestId}. */
    remove() {
      return settle(async () => {
        const r = await this._c.ops.removeDoc("document.remove", this._coll, String(this.id));
        return { deleted: r.stats.removed, requestId: requestId() };
      });
    }
    delete() {
      return this.remove();
    }
  }
  class Db {
    constructor(config) {
      this.config = config;
      this.command = command;
      this.Geo = Geo;
      this.RegExp = callable(DbRegExp);
    }
    serverDate(opts) {
      return new ServerDate(opts);
    }
    collection(name) {
      if (!name) throw new Error("Collection name is required");
      return new CollectionReference2(String(name));
    }
    /** Creates a collection: {requestId}; one that exists fails with DATABASE_COLLECTION_ALREADY_EXIST. */
    createCollection(name) {
      return settle(async () => {
        await this._c.ops.createCollection("createCollection", { name });
        return { requestId: requestId() };
      });
    }
    /**
     * Runs callback(transaction) and commits, resolving with what it
     * returned; on DATABASE_TRANSACTION_CONFLICT runs it again, at most
     * times more times (3). It rejects with rollback(reason)'s reason,
     * with what callback threw (rolling back), or with the commit's
     * failure, whatever setThrowOnCode says, as node-sdk's.
     */
    runTransaction(callback, times) {
      if (typeof callback !== "function") return Promise.reject(invalid2("runTransaction(callback, times) takes a function"));
      return runTransaction(() => new NodeTransaction(natives.db.transaction()), callback, times === void 0 ? 3 : times);
    }
    /** A transaction to commit() or rollback() yourself. */
    startTransaction() {
      return Promise.resolve(new NodeTransaction(natives.db.transaction()));
    }
  }
  class NodeTransaction extends Transaction {
    constructor(tx) {
      super(tx, SERVER);
      this._c = { ops: this._ops, txn: true };
      this.inited = true;
    }
    collection(name) {
      if (!name) throw new Error("Collection name is required");
      return new CollectionReference2(String(name), this._c);
    }
    /** node-sdk's spelling of committed. */
    get commited() {
      return this.committed;
    }
  }
  const logger = () => {
    const write = (level) => (obj) => natives.log(level, typeof obj === "string" ? obj : JSON.stringify(obj));
    return { log: write("log"), info: write("info"), warn: write("warn"), error: write("error") };
  };
  class App {
    constructor(config) {
      this.config = Object.assign({}, config, { envName: envOf(config && config.env) });
    }
    database(dbConfig) {
      if (dbConfig !== void 0 && Object.prototype.toString.call(dbConfig).slice(8, -1) !== "Object") {
        throw new TcbError("INVALID_PARAM", "dbConfig must be an object", "");
      }
      const env = dbConfig && dbConfig.env !== void 0 ? envOf(dbConfig.env) : this.config.envName;
      return new Db(Object.assign({}, this.config, dbConfig, { env, envName: env }));
    }
    /** {result, requestId}: the called function sees the same caller, SOURCE with ',scf' appended. */
    callFunction(opts) {
      return settle(async () => {
        const name = opts && opts.name;
        if (!name || typeof name !== "string") throw invalid2("函数名不能为空");
        let r;
        try {
          r = await natives.callFunction(name, opts.data === void 0 ? {} : opts.data);
        } catch (e) {
          if (e instanceof Error) throw e;
          throw new TcbError(e.code, e.message, e.requestID);
        }
        return { result: JSON.parse(r.result), requestId: r.requestID };
      });
    }
    /** {fileID, requestId}; fileContent a Buffer (any typed array, ArrayBuffer) or a string (UTF-8). */
    uploadFile(opts) {
      return settle(async () => {
        const o = opts || {};
        if (typeof o.cloudPath !== "string" || o.cloudPath === "") throw invalid2("cloudPath must be a non-empty string");
        const c = o.fileContent;
        if (typeof c !== "string" && !(c instanceof ArrayBuffer) && !ArrayBuffer.isView(c)) {
          throw invalid2("[node-sdk] fileContent should be instance of fs.ReadStream or Buffer");
        }
        const fileID = await natives.uploadFile(o.cloudPath, c);
        return { fileID, requestId: requestId() };
      });
    }
    /** {fileContent: Buffer, message: '文件下载完成'}. */
    downloadFile(opts) {
      return settle(async () => {
        const fileID = opts && opts.fileID;
        if (!isFileID(fileID)) throw invalid2("fileID must be a non-empty string");
        const fileContent = await natives.downloadFile(fileID);
        return { fileContent, message: "文件下载完成" };
      });
    }
    /** {fileList: [{code: 'SUCCESS' or why not, fileID, tempFileURL, maxAge}], requestId}. */
    getTempFileURL(opts) {
      return settle(async () => {
        const list2 = checkList(opts);
        const items = list2.map((f) => {
          if (typeof f === "string") return { fileID: f };
          if (f !== null && typeof f === "object") {
            if (!isFileID(f.fileID) || !Object.prototype.hasOwnProperty.call(f, "maxAge")) {
              throw invalid2("fileList 的元素如果是对象，必须是包含 fileID 和 maxAge 的对象");
            }
            if (!Number.isInteger(f.maxAge) || f.maxAge <= 0) throw invalid2("maxAge must be a positive integer (seconds)");
            return { fileID: f.fileID, maxAge: f.maxAge };
          }
          throw invalid2("fileList的元素如果不是对象，则必须是字符串");
        });
        const res = await natives.getTempFileURL(JSON.stringify(items));
        return {
          fileList: res.map(
            (r) => r.status === 0 ? { code: "SUCCESS", fileID: r.fileID, tempFileURL: r.tempFileURL, maxAge: r.maxAge } : { code: r.code, fileID: r.fileID, tempFileURL: "", message: r.errMsg }
          ),
          requestId: requestId()
        };
      });
    }
    /** {fileList: [{code: 'SUCCESS' or why not, fileID}], requestId}. */
    deleteFile(opts) {
      return settle(async () => {
        const list2 = checkList(opts);
        if (!list2.every(isFileID)) throw invalid2("fileList的元素必须是非空的字符串");
        const res = await natives.deleteFile(JSON.stringify(list2));
        return {
          fileList: res.map((r) => r.status === 0 ? { code: "SUCCESS", fileID: r.fileID } : { code: r.code, fileID: r.fileID, message: r.errMsg }),
          requestId: requestId()
        };
      });
    }
    /** The invocation's caller: getUserInfo(), getEndUserInfo() (of the caller only), getClientIP(). */
    auth() {
      return {
        getUserInfo: () => natives.userInfo(),
        getEndUserInfo: (uid) => {
          if (uid !== void 0) {
            return settle(() => {
              throw invalid2("getEndUserInfo(uid) of another user is not available in minibase; without uid it gives the caller");
            });
          }
          return Promise.resolve({ userInfo: natives.userInfo() });
        },
        getClientIP: () => natives.clientIP()
      };
    }
    logger() {
      return logger();
    }
  }
  const checkList = (opts) => {
    const list2 = opts && opts.fileList;
    if (!Array.isArray(list2) || list2.length === 0) throw invalid2("fileList必须是非空的数组");
    if (list2.length > natives.maxFileList) throw invalid2(`fileList has ${list2.length} items; at most ${natives.maxFileList} per call`);
    return list2;
  };
  const envOf = (env) => env === void 0 || env === SYMBOL_CURRENT_ENV || env === SYMBOL_DEFAULT_ENV ? natives.env : env;
  if (legacy) {
    let app = new App({});
    const mod = {
      SYMBOL_CURRENT_ENV,
      init: (config) => app = new App(config || {}),
      getCurrentEnv: () => natives.env
    };
    for (const m of ["database", "callFunction", "uploadFile", "downloadFile", "getTempFileURL", "deleteFile", "auth", "logger"]) {
      mod[m] = (...args2) => app[m](...args2);
    }
    return mod;
  }
  return {
    version: natives.version,
    SYMBOL_CURRENT_ENV,
    SYMBOL_DEFAULT_ENV,
    init: (config) => new App(config || {}),
    setThrowOnCode: (value) => {
      throwOnCode = value !== false;
    }
  };
}

// js/src/wx-server-sdk.js
var NOT_INITIALIZED = "Cloud API isn't enabled, please call init first\n请先调用 init 完成初始化后再调用其他云 API。";
var DYNAMIC_CURRENT_ENV = /* @__PURE__ */ Symbol.for("DYNAMIC_CURRENT_ENV");
function createCloud(natives) {
  let initialized = false;
  let config = {};
  let openapi;
  const need = () => {
    if (!initialized) throw new CloudError(ErrCode.RESOURCE_NOT_INITIAL, NOT_INITIALIZED);
  };
  natives.toError = (api, e) => serverError(api, e.status || 500, e);
  natives.geo = fromGeoJSON;
  const ops = natives.db;
  class ServerDatabase extends Database {
    /** db.createCollection(name) → {errMsg: 'createCollection:ok', requestId}. */
    createCollection(name) {
      return ops.createCollection("createCollection", { name }).then(() => ({ errMsg: "createCollection:ok", requestId: natives.requestID() }));
    }
  }
  const envOf = (env) => env === void 0 || env === DYNAMIC_CURRENT_ENV ? natives.env : env;
  const invalid2 = (api, detail) => Promise.reject(new CloudError(ErrCode.INVALID_PARAM, `${api}:fail -501007 invalid parameters. ${detail}`, "INVALID_PARAM"));
  const checkFileList2 = (opts, ok) => checkFileList(opts, natives.maxFileList, ok);
  const settle = (opts, run) => promiseOrCallback(opts, run, true);
  const logger = () => {
    const write = (level) => (obj) => natives.log(level, typeof obj === "string" ? obj : JSON.stringify(obj));
    return { log: write("log"), info: write("info"), warn: write("warn"), error: write("error") };
  };
  return {
    DYNAMIC_CURRENT_ENV,
    version: natives.version,
    /** cloud.init({env}): required before database() and callFunction(). minibase has one environment. */
    init(cfg) {
      initialized = true;
      config = Object.assign({}, cfg);
    },
    /** cloud.updateConfig({env}). */
    updateConfig(cfg) {
      need();
      config = Object.assign({}, config, cfg);
    },
    /** cloud.database({env?, throwOnNotFound?}): the database in wx-server-sdk's dialect, as an admin. */
    database(opts) {
      need();
      const env = opts && opts.env !== void 0 ? opts.env : config.env;
      const e = typeof env === "object" && env !== null && env !== DYNAMIC_CURRENT_ENV ? env.database : env;
      return new ServerDatabase(ops, { env: envOf(e) }, SERVER);
    },
    /**
     * cloud.callFunction({name, data}) → {result, requestID, errMsg:
     * 'callFunction:ok'}. The called function sees the original caller
     * (OPENID) and SOURCE with ',scf' appended.
     */
    callFunction(opts) {
      need();
      return settle(opts, () => {
        const api = "callFunction";
        const name = opts && opts.name;
        if (typeof name !== "string" || name === "") {
          return Promise.reject(new CloudError(ErrCode.INVALID_PARAM, `${api}:fail -501007 invalid parameters. name is required`, "INVALID_PARAM"));
        }
        const data = opts.data === void 0 ? {} : opts.data;
        return natives.callFunction(name, data).then(
          (r) => ({ result: parseResult(JSON.parse(r.result)), requestID: r.requestID, errMsg: `${api}:ok` }),
          (e) => {
            const text = ERR_TEXT[e.errCode] || e.code;
            throw new CloudError(e.errCode, `${api}:fail ${e.errCode} ${text}. ${e.message}`, e.code, e.requestID);
          }
        );
      });
    },
    /**
     * cloud.uploadFile({cloudPath, fileContent}) → {fileID, statusCode,
     * errMsg: 'uploadFile:ok'}. fileContent is a Buffer (or any typed
     * array, ArrayBuffer) or a string (stored as UTF-8); the same cloudPath
     * overwrites. As an admin: the bucket's rule does not apply.
     */
    uploadFile(opts) {
      need();
      return settle(opts, () => {
        const api = "uploadFile";
        const why = checkUpload(opts);
        if (why) return invalid2(api, why);
        return natives.uploadFile(opts.cloudPath, opts.fileContent).then((fileID) => ({ fileID, statusCode: 200, errMsg: `${api}:ok` }));
      });
    },
    /** cloud.downloadFile({fileID}) → {fileContent: Buffer, statusCode, errMsg: 'downloadFile:ok'}. */
    downloadFile(opts) {
      need();
      return settle(opts, () => {
        const api = "downloadFile";
        const fileID = opts !== null && typeof opts === "object" ? opts.fileID : void 0;
        if (!isFileID(fileID)) return invalid2(api, "fileID must be a non-empty string");
        return natives.downloadFile(fileID).then((fileContent) => ({ fileContent, statusCode: 200, errMsg: `${api}:ok` }));
      });
    },
    /**
     * cloud.getTempFileURL({fileList}) with fileIDs or {fileID, maxAge}
     * (seconds) → {fileList: [{fileID, tempFileURL, maxAge, status,
     * errMsg}], errMsg: 'getTempFileURL:ok'}; an item that failed has
     * status ≠ 0 and its reason in errMsg.
     */
    getTempFileURL(opts) {
      need();
      return settle(opts, () => {
        const api = "getTempFileURL";
        const why = checkFileList2(opts, isTempURLItem);
        if (why) return invalid2(api, why);
        const items = opts.fileList.map((it) => typeof it === "string" ? { fileID: it } : { fileID: it.fileID, maxAge: it.maxAge });
        return natives.getTempFileURL(JSON.stringify(items)).then((list2) => ({
          fileList: list2.map((r) => ({ fileID: r.fileID, tempFileURL: r.tempFileURL, maxAge: r.maxAge, status: r.status, errMsg: r.errMsg })),
          errMsg: `${api}:ok`
        }));
      });
    },
    /** cloud.deleteFile({fileList}) → {fileList: [{fileID, status, errMsg}], errMsg: 'deleteFile:ok'}. */
    deleteFile(opts) {
      need();
      return settle(opts, () => {
        const api = "deleteFile";
        const why = checkFileList2(opts, isFileID);
        if (why) return invalid2(api, why);
        return natives.deleteFile(JSON.stringify(opts.fileList)).then((list2) => ({
          fileList: list2.map((r) => ({ fileID: r.fileID, status: r.status, errMsg: r.errMsg })),
          errMsg: `${api}:ok`
        }));
      });
    },
    /** cloud.getWXContext(): OPENID, APPID, UNIONID, ENV, SOURCE, CLIENTIP of the invocation's caller. */
    getWXContext() {
      return natives.wxContext();
    },
    /** cloud.logger(): log/info/warn/error(obj) write structured lines to the invocation's log. */
    logger,
    /**
     * cloud.openapi.<module>.<method>(params): WeChat's server APIs (云调用)
     * → {...answer, errCode: 0, errMsg: 'openapi.<module>.<method>:ok'}, an
     * image as {contentType, buffer}; WeChat's errcode rejects with it.
     */
    get openapi() {
      openapi = openapi || makeOpenAPI(natives, need);
      return openapi;
    },
    /** cloud.getOpenData({list}): [{encryptedData, iv}] decrypted with the caller's session key; not cloudIDs. */
    getOpenData: makeGetOpenData(natives, need)
  };
}
