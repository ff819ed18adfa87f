/**
 * db.command (`_`): the query, logic, update, projection and aggregation
 * operators of spec §1.7, §1.8 and §1.10. A command only records its
 * operator and operands; encode.ts turns it into MongoDB operator JSON once
 * it knows the field it applies to.
 */
import { Aggregate } from './aggregate';
import { GeoLineString, GeoMultiLineString, GeoMultiPoint, GeoMultiPolygon, GeoPoint, GeoPolygon } from './geo';

/** A query condition: a plain object of field conditions, or a logic command. */
export type QueryCondition = Record<string, unknown> | LogicCommand;

/** _.geoNear's options: distances in metres. */
export interface GeoNearOptions {
  geometry: GeoPoint;
  maxDistance?: number;
  minDistance?: number;
}

/** _.geoWithin's options: a (multi)polygon, or a circle `[centre, radius in radians]`. */
export interface GeoWithinOptions {
  geometry?: GeoPolygon | GeoMultiPolygon;
  centerSphere?: [GeoPoint | [number, number], number];
}

/** _.geoIntersects's options. */
export interface GeoIntersectsOptions {
  geometry: GeoPoint | GeoLineString | GeoPolygon | GeoMultiPoint | GeoMultiLineString | GeoMultiPolygon;
}

// Varargs or one array: _.and(a, b) and _.and([a, b]) are the same.
function args<T>(a: T[]): T[] {
  return Array.isArray(a[0]) ? (a[0] as unknown as T[]).slice() : a.slice();
}

/**
 * A logic command: `and`, `or`, `nor` or `not` of conditions. At the top of
 * where() its operands are query objects; as a field's value they are
 * commands on that field. Chaining (`.and(…)`, `.or(…)`) combines this
 * command with more.
 */
export class LogicCommand {
  /** 'and' | 'or' | 'nor' | 'not', or a query operator for a QueryCommand. */
  readonly operator: string;
  readonly operands: unknown[];
  constructor(operator: string, operands: unknown[]) {
    this.operator = operator;
    this.operands = operands;
  }
  /** This command and all of the given ones. */
  and(...expressions: unknown[]): LogicCommand {
    return new LogicCommand('and', [this, ...args(expressions)]);
  }
  /** This command or any of the given ones. */
  or(...expressions: unknown[]): LogicCommand {
    return new LogicCommand('or', [this, ...args(expressions)]);
  }
  /** Neither this command nor any of the given ones. */
  nor(...expressions: unknown[]): LogicCommand {
    return new LogicCommand('nor', [this, ...args(expressions)]);
  }
  /** This command and not the given one. */
  not(expression: unknown): LogicCommand {
    return this.and(new LogicCommand('not', [expression]));
  }
}

/**
 * A query command on one field (`_.gt(5)`); its methods chain further
 * conditions on the same field with AND: `_.gt(1).lt(5)` is
 * `_.gt(1).and(_.lt(5))`.
 */
export class QueryCommand extends LogicCommand {
  eq(v: unknown): LogicCommand {
    return this.and(command.eq(v));
  }
  neq(v: unknown): LogicCommand {
    return this.and(command.neq(v));
  }
  gt(v: unknown): LogicCommand {
    return this.and(command.gt(v));
  }
  gte(v: unknown): LogicCommand {
    return this.and(command.gte(v));
  }
  lt(v: unknown): LogicCommand {
    return this.and(command.lt(v));
  }
  lte(v: unknown): LogicCommand {
    return this.and(command.lte(v));
  }
  in(list: unknown[]): LogicCommand {
    return this.and(command.in(list));
  }
  nin(list: unknown[]): LogicCommand {
    return this.and(command.nin(list));
  }
  exists(v: boolean): LogicCommand {
    return this.and(command.exists(v));
  }
  mod(divisor: number | [number, number], remainder?: number): LogicCommand {
    return this.and(command.mod(divisor, remainder));
  }
  all(list: unknown[]): LogicCommand {
    return this.and(command.all(list));
  }
  elemMatch(cond: unknown): LogicCommand {
    return this.and(command.elemMatch(cond));
  }
  size(n: number): LogicCommand {
    return this.and(command.size(n));
  }
  geoNear(o: GeoNearOptions): LogicCommand {
    return this.and(command.geoNear(o));
  }
  geoWithin(o: GeoWithinOptions): LogicCommand {
    return this.and(command.geoWithin(o));
  }
  geoIntersects(o: GeoIntersectsOptions): LogicCommand {
    return this.and(command.geoIntersects(o));
  }
}

/** An update command on one field (`_.inc(1)`), for update({data}). */
export class UpdateCommand {
  readonly operator: string;
  readonly operands: unknown[];
  constructor(operator: string, operands: unknown[]) {
    this.operator = operator;
    this.operands = operands;
  }
}

const q = (op: string, v: unknown) => new QueryCommand(op, [v]);
const u = (op: string, v?: unknown) => new UpdateCommand(op, [v]);

function typeError(what: string, type: string, v: unknown): TypeError {
  return new TypeError(`"${what}" must be of type ${type}. Received type ${typeof v}`);
}

function checkGeoNear(o: GeoNearOptions): GeoNearOptions {
  if (!o || !(o.geometry instanceof GeoPoint)) throw typeError('geometry', 'Point', o && o.geometry);
  for (const k of ['maxDistance', 'minDistance'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'number') throw typeError(k, 'Number', o[k]);
  }
  return o;
}

function checkGeoWithin(o: GeoWithinOptions): GeoWithinOptions {
  const g = o && o.geometry;
  if (g instanceof GeoPolygon || g instanceof GeoMultiPolygon) return o;
  const c = o && o.centerSphere;
  if (g === undefined && Array.isArray(c) && c.length === 2 && typeof c[1] === 'number') {
    const p = c[0];
    if (p instanceof GeoPoint) return o;
    if (Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'number') return o;
  }
  throw typeError('geometry', 'Polygon or MultiPolygon', g);
}

const GEOMETRIES = [GeoPoint, GeoLineString, GeoPolygon, GeoMultiPoint, GeoMultiLineString, GeoMultiPolygon];

function checkGeoIntersects(o: GeoIntersectsOptions): GeoIntersectsOptions {
  const g = o && o.geometry;
  if (!GEOMETRIES.some((C) => g instanceof C)) {
    throw typeError('geometry', 'Point, LineString, Polygon, MultiPoint, MultiLineString or MultiPolygon', g);
  }
  return o;
}

/** The aggregation expression operators of `db.command.aggregate` (wx typings, §1.10). */
const AGGREGATE_OPS = [
  'abs', 'add', 'addToSet', 'allElementsTrue', 'and', 'anyElementTrue', 'arrayElemAt', 'arrayToObject', 'avg',
  'ceil', 'cmp', 'concat', 'concatArrays', 'cond', 'convert', 'dateFromParts', 'dateFromString', 'dateToParts',
  'dateToString', 'dayOfMonth', 'dayOfWeek', 'dayOfYear', 'divide', 'eq', 'exp', 'filter', 'first', 'floor', 'gt',
  'gte', 'hour', 'ifNull', 'in', 'indexOfArray', 'indexOfBytes', 'indexOfCP', 'isArray', 'isoDayOfWeek', 'isoWeek',
  'isoWeekYear', 'last', 'let', 'literal', 'ln', 'log', 'log10', 'lt', 'lte', 'ltrim', 'map', 'max',
  'mergeObjects', 'meta', 'millisecond', 'min', 'minute', 'mod', 'month', 'multiply', 'neq', 'not',
  'objectToArray', 'or', 'pow', 'push', 'range', 'reduce', 'reverseArray', 'rtrim', 'second', 'setDifference',
  'setEquals', 'setIntersection', 'setIsSubset', 'setUnion', 'size', 'slice', 'split', 'sqrt', 'stdDevPop',
  'stdDevSamp', 'strcasecmp', 'strLenBytes', 'strLenCP', 'substr', 'substrBytes', 'substrCP', 'subtract', 'sum',
  'switch', 'toBool', 'toDate', 'toDecimal', 'toDouble', 'toInt', 'toLong', 'toLower', 'toObjectId', 'toString',
  'toUpper', 'trim', 'trunc', 'type', 'week', 'year', 'zip',
] as const;

/** An aggregation expression: `{'$' + name: param}`, as plain JSON. */
export type AggregateExpression = { [op: string]: unknown };

/**
 * db.command.aggregate (`$`): each operator returns `{'$' + name: param}`
 * (neq is `$ne`); pipeline() starts a sub-pipeline for lookup() and
 * facet(), ended with done().
 */
export type AggregateCommand = { [K in (typeof AGGREGATE_OPS)[number]]: (param: unknown) => AggregateExpression } & {
  pipeline(): Aggregate;
};

const aggregate = { pipeline: () => new Aggregate() } as AggregateCommand;
for (const name of AGGREGATE_OPS) {
  const key = name === 'neq' ? '$ne' : '$' + name;
  aggregate[name] = (param: unknown) => ({ [key]: param });
}

/** db.command, conventionally `const _ = db.command`. */
export const command = {
  eq: (v: unknown) => q('eq', v),
  neq: (v: unknown) => q('neq', v),
  gt: (v: unknown) => q('gt', v),
  gte: (v: unknown) => q('gte', v),
  lt: (v: unknown) => q('lt', v),
  lte: (v: unknown) => q('lte', v),
  in: (list: unknown[]) => q('in', list),
  nin: (list: unknown[]) => q('nin', list),
  exists: (v: boolean) => q('exists', v),
  /** `_.mod(divisor, remainder)` or `_.mod([divisor, remainder])`. */
  mod: (divisor: number | [number, number], remainder?: number) =>
    q('mod', Array.isArray(divisor) ? divisor : [divisor, remainder]),
  all: (list: unknown[]) => q('all', list),
  /** A condition on array elements: a query object, or commands for scalar elements. */
  elemMatch: (cond: unknown) => q('elemMatch', cond),
  size: (n: number) => q('size', n),
  geoNear: (o: GeoNearOptions) => q('geoNear', checkGeoNear(o)),
  geoWithin: (o: GeoWithinOptions) => q('geoWithin', checkGeoWithin(o)),
  geoIntersects: (o: GeoIntersectsOptions) => q('geoIntersects', checkGeoIntersects(o)),
  and: (...expressions: unknown[]) => new LogicCommand('and', args(expressions)),
  or: (...expressions: unknown[]) => new LogicCommand('or', args(expressions)),
  nor: (...expressions: unknown[]) => new LogicCommand('nor', args(expressions)),
  not: (expression: unknown) => new LogicCommand('not', [expression]),
  /** An aggregation expression as a query condition: `where(_.expr($.gt(['$a', '$b'])))`. */
  expr: (expression: unknown): { $expr: unknown } => ({ $expr: expression }),

  /** Replaces the field's whole value (no flattening of objects). */
  set: (v: unknown) => u('set', v),
  remove: () => u('remove'),
  inc: (n: number) => u('inc', n),
  mul: (n: number) => u('mul', n),
  min: (v: unknown) => u('min', v),
  max: (v: unknown) => u('max', v),
  rename: (name: string) => u('rename', name),
  bit: (v: unknown) => u('bit', v),
  /**
   * `_.push(v…)`, `_.push([v…])`, or `_.push({each, position?, sort?, slice?})`.
   */
  push: (...values: unknown[]) => {
    const a = values[0];
    if (a !== null && typeof a === 'object' && !Array.isArray(a) && Object.prototype.hasOwnProperty.call(a, 'each')) {
      return new UpdateCommand('push', [a, true]);
    }
    return u('push', args(values));
  },
  pop: () => u('pop'),
  shift: () => u('shift'),
  unshift: (...values: unknown[]) => u('unshift', args(values)),
  /** `_.addToSet(v)` or `_.addToSet({each: [v…]})`. */
  addToSet: (v: unknown) => u('addToSet', v),
  /** Removes matching elements: a value, a command (`_.in([…])`) or a query object on element fields. */
  pull: (v: unknown) => u('pull', v),
  pullAll: (list: unknown[]) => u('pullAll', list),

  project: {
    /** `{field: _.project.slice(n)}` or `slice([skip, n])` in field(). */
    slice: (v: number | [number, number]) => ({ $slice: v }),
  },
  aggregate,
};

/** The type of db.command. */
export type Command = typeof command;
