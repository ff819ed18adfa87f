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
/**
 * A logic command: `and`, `or`, `nor` or `not` of conditions. At the top of
 * where() its operands are query objects; as a field's value they are
 * commands on that field. Chaining (`.and(…)`, `.or(…)`) combines this
 * command with more.
 */
export declare class LogicCommand {
    /** 'and' | 'or' | 'nor' | 'not', or a query operator for a QueryCommand. */
    readonly operator: string;
    readonly operands: unknown[];
    constructor(operator: string, operands: unknown[]);
    /** This command and all of the given ones. */
    and(...expressions: unknown[]): LogicCommand;
    /** This command or any of the given ones. */
    or(...expressions: unknown[]): LogicCommand;
    /** Neither this command nor any of the given ones. */
    nor(...expressions: unknown[]): LogicCommand;
    /** This command and not the given one. */
    not(expression: unknown): LogicCommand;
}
/**
 * A query command on one field (`_.gt(5)`); its methods chain further
 * conditions on the same field with AND: `_.gt(1).lt(5)` is
 * `_.gt(1).and(_.lt(5))`.
 */
export declare class QueryCommand extends LogicCommand {
    eq(v: unknown): LogicCommand;
    neq(v: unknown): LogicCommand;
    gt(v: unknown): LogicCommand;
    gte(v: unknown): LogicCommand;
    lt(v: unknown): LogicCommand;
    lte(v: unknown): LogicCommand;
    in(list: unknown[]): LogicCommand;
    nin(list: unknown[]): LogicCommand;
    exists(v: boolean): LogicCommand;
    mod(divisor: number | [number, number], remainder?: number): LogicCommand;
    all(list: unknown[]): LogicCommand;
    elemMatch(cond: unknown): LogicCommand;
    size(n: number): LogicCommand;
    geoNear(o: GeoNearOptions): LogicCommand;
    geoWithin(o: GeoWithinOptions): LogicCommand;
    geoIntersects(o: GeoIntersectsOptions): LogicCommand;
}
/** An update command on one field (`_.inc(1)`), for update({data}). */
export declare class UpdateCommand {
    readonly operator: string;
    readonly operands: unknown[];
    constructor(operator: string, operands: unknown[]);
}
/** The aggregation expression operators of `db.command.aggregate` (wx typings, §1.10). */
declare const AGGREGATE_OPS: readonly ["abs", "add", "addToSet", "allElementsTrue", "and", "anyElementTrue", "arrayElemAt", "arrayToObject", "avg", "ceil", "cmp", "concat", "concatArrays", "cond", "convert", "dateFromParts", "dateFromString", "dateToParts", "dateToString", "dayOfMonth", "dayOfWeek", "dayOfYear", "divide", "eq", "exp", "filter", "first", "floor", "gt", "gte", "hour", "ifNull", "in", "indexOfArray", "indexOfBytes", "indexOfCP", "isArray", "isoDayOfWeek", "isoWeek", "isoWeekYear", "last", "let", "literal", "ln", "log", "log10", "lt", "lte", "ltrim", "map", "max", "mergeObjects", "meta", "millisecond", "min", "minute", "mod", "month", "multiply", "neq", "not", "objectToArray", "or", "pow", "push", "range", "reduce", "reverseArray", "rtrim", "second", "setDifference", "setEquals", "setIntersection", "setIsSubset", "setUnion", "size", "slice", "split", "sqrt", "stdDevPop", "stdDevSamp", "strcasecmp", "strLenBytes", "strLenCP", "substr", "substrBytes", "substrCP", "subtract", "sum", "switch", "toBool", "toDate", "toDecimal", "toDouble", "toInt", "toLong", "toLower", "toObjectId", "toString", "toUpper", "trim", "trunc", "type", "week", "year", "zip"];
/** An aggregation expression: `{'$' + name: param}`, as plain JSON. */
export type AggregateExpression = {
    [op: string]: unknown;
};
/**
 * db.command.aggregate (`$`): each operator returns `{'$' + name: param}`
 * (neq is `$ne`); pipeline() starts a sub-pipeline for lookup() and
 * facet(), ended with done().
 */
export type AggregateCommand = {
    [K in (typeof AGGREGATE_OPS)[number]]: (param: unknown) => AggregateExpression;
} & {
    pipeline(): Aggregate;
};
/** db.command, conventionally `const _ = db.command`. */
export declare const command: {
    eq: (v: unknown) => QueryCommand;
    neq: (v: unknown) => QueryCommand;
    gt: (v: unknown) => QueryCommand;
    gte: (v: unknown) => QueryCommand;
    lt: (v: unknown) => QueryCommand;
    lte: (v: unknown) => QueryCommand;
    in: (list: unknown[]) => QueryCommand;
    nin: (list: unknown[]) => QueryCommand;
    exists: (v: boolean) => QueryCommand;
    /** `_.mod(divisor, remainder)` or `_.mod([divisor, remainder])`. */
    mod: (divisor: number | [number, number], remainder?: number) => QueryCommand;
    all: (list: unknown[]) => QueryCommand;
    /** A condition on array elements: a query object, or commands for scalar elements. */
    elemMatch: (cond: unknown) => QueryCommand;
    size: (n: number) => QueryCommand;
    geoNear: (o: GeoNearOptions) => QueryCommand;
    geoWithin: (o: GeoWithinOptions) => QueryCommand;
    geoIntersects: (o: GeoIntersectsOptions) => QueryCommand;
    and: (...expressions: unknown[]) => LogicCommand;
    or: (...expressions: unknown[]) => LogicCommand;
    nor: (...expressions: unknown[]) => LogicCommand;
    not: (expression: unknown) => LogicCommand;
    /** An aggregation expression as a query condition: `where(_.expr($.gt(['$a', '$b'])))`. */
    expr: (expression: unknown) => {
        $expr: unknown;
    };
    /** Replaces the field's whole value (no flattening of objects). */
    set: (v: unknown) => UpdateCommand;
    remove: () => UpdateCommand;
    inc: (n: number) => UpdateCommand;
    mul: (n: number) => UpdateCommand;
    min: (v: unknown) => UpdateCommand;
    max: (v: unknown) => UpdateCommand;
    rename: (name: string) => UpdateCommand;
    bit: (v: unknown) => UpdateCommand;
    /**
     * `_.push(v…)`, `_.push([v…])`, or `_.push({each, position?, sort?, slice?})`.
     */
    push: (...values: unknown[]) => UpdateCommand;
    pop: () => UpdateCommand;
    shift: () => UpdateCommand;
    unshift: (...values: unknown[]) => UpdateCommand;
    /** `_.addToSet(v)` or `_.addToSet({each: [v…]})`. */
    addToSet: (v: unknown) => UpdateCommand;
    /** Removes matching elements: a value, a command (`_.in([…])`) or a query object on element fields. */
    pull: (v: unknown) => UpdateCommand;
    pullAll: (list: unknown[]) => UpdateCommand;
    project: {
        /** `{field: _.project.slice(n)}` or `slice([skip, n])` in field(). */
        slice: (v: number | [number, number]) => {
            $slice: number | [number, number];
        };
    };
    aggregate: AggregateCommand;
};
/** The type of db.command. */
export type Command = typeof command;
export {};
