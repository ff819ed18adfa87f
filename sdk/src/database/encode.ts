/**
 * The serializer: builder input → the JSON minibase's HTTP API takes
 * (README "HTTP API", spec §1.3 and §1.6–§1.8).
 *
 * - Values: Date → {"$date": ms}, db.serverDate() → {"$serverDate":
 *   {"offset": ms}}, JS RegExp and db.RegExp → {"$regex", "$options"}, Geo →
 *   GeoJSON; undefined object values are dropped.
 * - where(): nested plain objects are flattened to dot paths (arrays are
 *   not), query commands become operators on their path, chained and
 *   field-level logic become operator objects where MongoDB can say it in
 *   one (`{a: {$gt: 1, $lt: 5}}`) and `$and`/`$or`/`$nor` otherwise.
 * - update({data}): nested plain objects become `$set` on dot paths (a
 *   merge), update commands their operators; `_.set(v)` replaces.
 *
 * Encoding errors are thrown as Error; callers turn them into CloudErrors.
 */
import { LogicCommand, QueryCommand, UpdateCommand } from './command';
import { DbValue, regexpJSON } from './values';
import type { GeoIntersectsOptions, GeoNearOptions, GeoWithinOptions } from './command';

/** A JSON object. */
export type Obj = Record<string, unknown>;

// Deeper than the server accepts (100 levels): also what a circular value hits.
const MAX_DEPTH = 100;

function tooDeep(): Error {
  return new Error('Cannot convert circular structure to JSON (or data nested deeper than 100 levels)');
}

/** True for a plain data object: not an array, Date, RegExp, Geo/serverDate/RegExp value or command. */
export function isPlain(v: unknown): v is Obj {
  return (
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp) &&
    !(v instanceof DbValue) && !(v instanceof LogicCommand) && !(v instanceof UpdateCommand)
  );
}

function hasKeys(o: Obj): boolean {
  for (const _ in o) return true;
  return false;
}

/**
 * encodeValue returns the wire form of a data value. A query command in a
 * value position (an element of `_.all([…])`, a condition inside
 * `_.elemMatch({…})` or `_.pull(…)`) becomes its operator object; an update
 * command there is an error.
 */
export function encodeValue(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return v;
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
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = encodeValue(v[i], depth + 1);
    return out;
  }
  const out: Obj = {};
  for (const k of Object.keys(v)) {
    const x = encodeValue((v as Obj)[k], depth + 1);
    if (x !== undefined) out[k] = x;
  }
  return out;
}

// ---- queries ----

// The conditions of one query object under construction: out holds field →
// value or operator object (ops marks which paths hold operator objects
// made here, so they may be merged); and collects what cannot be merged.
interface Built {
  out: Obj;
  ops: Set<string>;
  and: Obj[];
  flat: boolean;
}

/**
 * encodeWhere returns the filter of where(cond): cond is a plain object
 * (nested objects flattened to dot paths) or a top-level logic command
 * (`_.or([{…}, {…}])`).
 */
export function encodeWhere(cond: Obj | LogicCommand): Obj {
  return cond instanceof LogicCommand ? topCond(cond) : queryObject(cond, '', true);
}

/**
 * queryObject encodes the conditions of o on paths under prefix. With flat
 * false (inside `_.elemMatch` and `_.pull`, as in the original SDK), nested
 * objects are exact values rather than dot paths.
 */
function queryObject(o: Obj, prefix: string, flat: boolean): Obj {
  const b: Built = { out: {}, ops: new Set(), and: [], flat };
  walk(b, o, prefix, 0);
  if (b.and.length) {
    const prev = b.out.$and;
    b.out.$and = Array.isArray(prev) ? prev.concat(b.and) : b.and;
  }
  return b.out;
}

function walk(b: Built, o: Obj, prefix: string, depth: number): void {
  if (depth >= MAX_DEPTH) throw tooDeep();
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) continue;
    if (k.charCodeAt(0) === 36 /* $ */) {
      // A raw MongoDB operator: on the field for a nested key, top-level otherwise.
      if (prefix) addOps(b, prefix, { [k]: encodeValue(v) });
      else b.out[k] = isLogicKey(k) && Array.isArray(v) ? v.map(subCond) : encodeValue(v);
      continue;
    }
    const path = prefix ? prefix + '.' + k : k;
    if (v instanceof LogicCommand) addCommand(b, path, v);
    else if (b.flat && isPlain(v) && hasKeys(v)) walk(b, v, path, depth + 1);
    else setValue(b, path, encodeValue(v));
  }
}

function isLogicKey(k: string): boolean {
  return k === '$and' || k === '$or' || k === '$nor';
}

function subCond(x: unknown): unknown {
  return isPlain(x) || x instanceof LogicCommand ? encodeWhere(x) : encodeValue(x);
}

function setValue(b: Built, path: string, v: unknown): void {
  if (path in b.out) b.and.push({ [path]: v });
  else b.out[path] = v;
}

function addOps(b: Built, path: string, ops: Obj): void {
  const cur = b.out[path];
  if (cur === undefined) {
    b.out[path] = ops;
    b.ops.add(path);
    return;
  }
  if (b.ops.has(path) && disjoint(cur as Obj, ops)) Object.assign(cur as Obj, ops);
  else b.and.push({ [path]: ops });
}

function disjoint(a: Obj, b: Obj): boolean {
  for (const k in b) if (k in a) return false;
  return true;
}

function addCommand(b: Built, path: string, c: LogicCommand): void {
  const ops = fieldOps(c);
  if (ops) return addOps(b, path, ops);
  const cond = fieldCond(path, c);
  if (Array.isArray(cond.$and) && Object.keys(cond).length === 1) b.and.push(...(cond.$and as Obj[]));
  else b.and.push(cond);
}

/**
 * fieldOps returns the operator object of command c on one field
 * (`{$gt: 1, $lt: 5}`), or undefined when MongoDB needs a logic operator
 * over whole conditions to say it (an `or`, clashing operators).
 */
export function fieldOps(c: LogicCommand): Obj | undefined {
  if (c instanceof QueryCommand) return leafOps(c);
  if (c.operator === 'and') {
    const out: Obj = {};
    for (const x of c.operands) {
      const o = operandOps(x);
      if (!o || !disjoint(out, o)) return undefined;
      Object.assign(out, o);
    }
    return out;
  }
  if (c.operator === 'not') {
    const o = operandOps(c.operands[0]);
    return o && { $not: o };
  }
  return undefined;
}

function operandOps(x: unknown): Obj | undefined {
  if (x instanceof LogicCommand) return fieldOps(x);
  if (x instanceof RegExp) return regexpJSON(x);
  if (x instanceof DbValue && '$regex' in x.toJSON()) return x.toJSON() as Obj;
  return undefined;
}

// The full condition of x on path, for logic that fieldOps cannot merge.
function fieldCond(path: string, x: unknown): Obj {
  if (x instanceof LogicCommand) {
    const ops = fieldOps(x);
    if (ops) return { [path]: ops };
    if (x.operator === 'not') return { $nor: [fieldCond(path, x.operands[0])] };
    return { ['$' + x.operator]: x.operands.map((o) => fieldCond(path, o)) };
  }
  if (isPlain(x)) return queryObject(x, path, true);
  return { [path]: encodeValue(x) };
}

// A condition at the top of where() or inside a top-level logic command.
function topCond(x: unknown): Obj {
  if (x instanceof QueryCommand) throw new Error('Cannot encode a comparison command with unset field name');
  if (x instanceof LogicCommand) {
    if (x.operator === 'not') return { $nor: [topCond(x.operands[0])] };
    return { ['$' + x.operator]: x.operands.map(topCond) };
  }
  if (isPlain(x)) return queryObject(x, '', true);
  throw new Error('查询参数必须为对象');
}

function leafOps(c: QueryCommand): Obj {
  const a = c.operands[0];
  switch (c.operator) {
    case 'neq':
      return { $ne: encodeValue(a) };
    case 'elemMatch':
      return { $elemMatch: a instanceof LogicCommand ? encodeValue(a) : isPlain(a) ? queryObject(a, '', false) : encodeValue(a) };
    case 'geoNear': {
      const o = a as GeoNearOptions;
      return { $nearSphere: { $geometry: o.geometry.toJSON(), $maxDistance: o.maxDistance, $minDistance: o.minDistance } };
    }
    case 'geoWithin': {
      const o = a as GeoWithinOptions;
      if (o.geometry) return { $geoWithin: { $geometry: o.geometry.toJSON() } };
      const [centre, radius] = o.centerSphere!;
      const c0 = Array.isArray(centre) ? centre : centre.toJSON().coordinates;
      return { $geoWithin: { $centerSphere: [c0, radius] } };
    }
    case 'geoIntersects':
      return { $geoIntersects: { $geometry: (a as GeoIntersectsOptions).geometry.toJSON() } };
  }
  // eq gt gte lt lte in nin all exists mod size
  return { ['$' + c.operator]: encodeValue(a) };
}

// ---- updates ----

/**
 * encodeUpdate returns the update document of update({data}): update
 * commands become their operators, every other value a `$set` of its dot
 * path (nested plain objects are merged, not replaced); top-level `$…` keys
 * pass through as operators.
 */
export function encodeUpdate(data: Obj): Obj {
  const out: Record<string, Obj> = {};
  const add = (op: string, path: string, v: unknown) => {
    (out[op] ||= {})[path] = v;
  };
  updWalk(data, '', add, 0);
  return out;
}

type Add = (op: string, path: string, v: unknown) => void;

function updWalk(o: Obj, prefix: string, add: Add, depth: number): void {
  if (depth >= MAX_DEPTH) throw tooDeep();
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) continue;
    if (!prefix && k.charCodeAt(0) === 36 /* $ */) {
      const e = encodeValue(v);
      if (isPlain(e)) for (const p of Object.keys(e)) add(k, p, e[p]);
      continue;
    }
    const path = prefix ? prefix + '.' + k : k;
    if (v instanceof UpdateCommand) updateOp(v, path, add);
    else if (isPlain(v) && hasKeys(v)) updWalk(v, path, add, depth + 1);
    else add('$set', path, encodeValue(v));
  }
}

function updateOp(c: UpdateCommand, path: string, add: Add): void {
  const a = c.operands[0];
  switch (c.operator) {
    case 'remove':
      return add('$unset', path, '');
    case 'pop':
      return add('$pop', path, 1);
    case 'shift':
      return add('$pop', path, -1);
    case 'push':
      return add('$push', path, c.operands[1] ? pushModifiers(a as Obj) : { $each: encodeValue(a) });
    case 'unshift':
      return add('$push', path, { $each: encodeValue(a), $position: 0 });
    case 'addToSet':
      return add(
        '$addToSet',
        path,
        isPlain(a) && Object.prototype.hasOwnProperty.call(a, 'each') ? { $each: encodeValue(a.each) } : encodeValue(a),
      );
    case 'pull':
      return add('$pull', path, isPlain(a) ? queryObject(a, '', false) : encodeValue(a));
  }
  // set inc mul min max rename bit pullAll
  add('$' + c.operator, path, encodeValue(a));
}

function pushModifiers(m: Obj): Obj {
  const out: Obj = { $each: encodeValue(m.each) };
  if (m.position !== undefined) out.$position = m.position;
  if (m.sort !== undefined) out.$sort = m.sort;
  if (m.slice !== undefined) out.$slice = m.slice;
  return out;
}

/** True when v holds an update command anywhere (doc.set refuses them). */
export function hasUpdateCommand(v: unknown, depth = 0): boolean {
  if (v instanceof UpdateCommand) return true;
  if (depth >= MAX_DEPTH || v === null || typeof v !== 'object' || !(Array.isArray(v) || isPlain(v))) return false;
  for (const k of Object.keys(v)) if (hasUpdateCommand((v as Obj)[k], depth + 1)) return true;
  return false;
}

/** The projection of field(p): truthy → 1, falsy → 0, operator objects (`_.project.slice`) kept. */
export function encodeProjection(p: Obj): Obj {
  const out: Obj = {};
  for (const k of Object.keys(p)) {
    const v = p[k];
    out[k] = v !== null && typeof v === 'object' ? encodeValue(v) : v ? 1 : 0;
  }
  return out;
}
