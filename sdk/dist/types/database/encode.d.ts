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
import { LogicCommand } from './command';
/** A JSON object. */
export type Obj = Record<string, unknown>;
/** True for a plain data object: not an array, Date, RegExp, Geo/serverDate/RegExp value or command. */
export declare function isPlain(v: unknown): v is Obj;
/**
 * encodeValue returns the wire form of a data value. A query command in a
 * value position (an element of `_.all([…])`, a condition inside
 * `_.elemMatch({…})` or `_.pull(…)`) becomes its operator object; an update
 * command there is an error.
 */
export declare function encodeValue(v: unknown, depth?: number): unknown;
/**
 * encodeWhere returns the filter of where(cond): cond is a plain object
 * (nested objects flattened to dot paths) or a top-level logic command
 * (`_.or([{…}, {…}])`).
 */
export declare function encodeWhere(cond: Obj | LogicCommand): Obj;
/**
 * fieldOps returns the operator object of command c on one field
 * (`{$gt: 1, $lt: 5}`), or undefined when MongoDB needs a logic operator
 * over whole conditions to say it (an `or`, clashing operators).
 */
export declare function fieldOps(c: LogicCommand): Obj | undefined;
/**
 * encodeUpdate returns the update document of update({data}): update
 * commands become their operators, every other value a `$set` of its dot
 * path (nested plain objects are merged, not replaced); top-level `$…` keys
 * pass through as operators.
 */
export declare function encodeUpdate(data: Obj): Obj;
/** True when v holds an update command anywhere (doc.set refuses them). */
export declare function hasUpdateCommand(v: unknown, depth?: number): boolean;
/** The projection of field(p): truthy → 1, falsy → 0, operator objects (`_.project.slice`) kept. */
export declare function encodeProjection(p: Obj): Obj;
