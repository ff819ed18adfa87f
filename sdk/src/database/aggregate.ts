/**
 * Aggregation (spec §1.10): `collection.aggregate()` builds a pipeline
 * stage by stage; `end()` runs it (POST …/aggregate) and resolves
 * `{list, errMsg: 'collection.aggregate:ok'}`.
 *
 * Each stage method appends `{'$' + stage: argument}` with the argument
 * encoded as the server takes it: values as everywhere (Date → `{$date}`,
 * RegExp, Geo), `match()` through where()'s encoder (db.command queries,
 * nested objects as dot paths), a sub-pipeline (lookup's `pipeline`, a
 * facet) from `db.command.aggregate.pipeline()…done()` or a plain array.
 * As in CloudBase, a pipeline without a `limit` stage returns at most 20
 * documents (the builder adds the stage); give `limit(n)` for more (the
 * server caps what a client gets at 1000).
 */
import { promiseOrCallback, type CallbackOptions } from '../core/callback';
import { LogicCommand } from './command';
import { decode } from './decode';
import { encodeValue, encodeWhere, isPlain, type Obj } from './encode';
import { encodeFor, type Target } from './request';
import type { DocumentData, NoCallback, WithCallback } from './types';

/** Documents a pipeline without a limit stage returns (CloudBase's default). */
export const AGGREGATE_DEFAULT_LIMIT = 20;

/** The result of end(). */
export interface AggregateResult {
  list: DocumentData[];
  errMsg: string;
}

/**
 * A pipeline under construction. Stage methods append a stage and return
 * the same pipeline (as CloudBase's builder does).
 */
export class Aggregate {
  /** @internal */
  private readonly _t?: Target;
  /** @internal */
  private readonly _stages: Obj[] = [];

  /** @internal: t is undefined for db.command.aggregate.pipeline(). */
  constructor(t?: Target) {
    this._t = t;
  }

  /** $addFields: new or replaced fields, `{field: expression}`. */
  addFields(fields: object): Aggregate {
    return this._add('addFields', fields);
  }
  /** $bucket: `{groupBy, boundaries, default?, output?}`. */
  bucket(options: object): Aggregate {
    return this._add('bucket', options);
  }
  /** $bucketAuto: `{groupBy, buckets, granularity?, output?}`. */
  bucketAuto(options: object): Aggregate {
    return this._add('bucketAuto', options);
  }
  /** $count: one document `{[fieldName]: n}`. */
  count(fieldName: string): Aggregate {
    return this._add('count', fieldName);
  }
  /** $facet: `{name: pipeline, …}` over the same input. */
  facet(pipelines: Record<string, unknown>): Aggregate {
    if (!isPlain(pipelines)) throw new TypeError('facet() takes an object of pipelines');
    const out: Obj = {};
    for (const k of Object.keys(pipelines)) out[k] = subPipeline(pipelines[k]);
    return this._push({ $facet: out });
  }
  /** $geoNear (first stage only; needs a 2dsphere index): `{near: db.Geo.Point, distanceField, maxDistance?, minDistance?, query?, distanceMultiplier?, includeLocs?, key?}`, nearest first, distances in metres. */
  geoNear(options: Obj): Aggregate {
    const o: Obj = { ...options };
    if (o.query) o.query = encodeWhere(o.query as Obj);
    return this._add('geoNear', o);
  }
  /** $group: `{_id: expression, field: {accumulator: expression}, …}`. */
  group(spec: object): Aggregate {
    return this._add('group', spec);
  }
  /** $limit: at most n documents. */
  limit(n: number): Aggregate {
    return this._add('limit', n);
  }
  /**
   * $lookup: `{from, localField, foreignField, as}`, or `{from, let,
   * pipeline, as}` with pipeline from `$.pipeline()…done()`. On the client
   * too (CloudBase refuses it there): the rules of `from` apply.
   */
  lookup(options: Obj): Aggregate {
    const o: Obj = { ...options };
    if (o.pipeline !== undefined) o.pipeline = subPipeline(o.pipeline);
    return this._add('lookup', o);
  }
  /** $match: a where() condition (db.command queries, `_.expr(…)`). */
  match(condition: Obj | LogicCommand): Aggregate {
    if (!isPlain(condition) && !(condition instanceof LogicCommand)) throw new TypeError('match() takes a query object');
    return this._push({ $match: encodeFor('collection.aggregate', () => encodeWhere(condition)) });
  }
  /** $project: `{field: 1 | 0 | expression}`. */
  project(spec: object): Aggregate {
    return this._add('project', spec);
  }
  /** $replaceRoot: `{newRoot: expression}`. */
  replaceRoot(options: object): Aggregate {
    return this._add('replaceRoot', options);
  }
  /** $replaceWith: an expression that gives the new document. */
  replaceWith(expression: unknown): Aggregate {
    return this._add('replaceWith', expression);
  }
  /** $sample: `{size}` documents at random. */
  sample(options: { size: number }): Aggregate {
    return this._add('sample', options);
  }
  /** $set: the same as addFields. */
  set(fields: object): Aggregate {
    return this._add('set', fields);
  }
  /** $skip: skips n documents. */
  skip(n: number): Aggregate {
    return this._add('skip', n);
  }
  /** $sort: `{field: 1 | -1, …}`. */
  sort(spec: object): Aggregate {
    return this._add('sort', spec);
  }
  /** $sortByCount: groups by an expression and counts, most first. */
  sortByCount(expression: unknown): Aggregate {
    return this._add('sortByCount', expression);
  }
  /** $unset: removes a field or fields. */
  unset(fields: string | string[]): Aggregate {
    return this._add('unset', fields);
  }
  /** $unwind: `'$field'` or `{path, includeArrayIndex?, preserveNullAndEmptyArrays?}`. */
  unwind(path: string | object): Aggregate {
    return this._add('unwind', path);
  }

  /** The stages so far, as plain objects: a sub-pipeline for lookup() or facet(). */
  done(): Obj[] {
    return this._stages.slice();
  }

  /** Runs the pipeline: `{list, errMsg: 'collection.aggregate:ok'}`. */
  end(options: WithCallback<object, AggregateResult>): void;
  end(options?: NoCallback<object>): Promise<AggregateResult>;
  end(options?: CallbackOptions<AggregateResult>): Promise<AggregateResult> | void {
    return promiseOrCallback(options, async () => {
      const t = this._t;
      if (!t) throw new Error('a pipeline made with db.command.aggregate.pipeline() has no collection: pass its done() to lookup()');
      const pipeline = this.done();
      if (!pipeline.some((s) => '$limit' in s)) pipeline.push({ $limit: AGGREGATE_DEFAULT_LIMIT });
      const r = await t.ops.aggregate('collection.aggregate', t.coll, { pipeline });
      return { list: t.flavor.decode ? decode(r.data) : r.data, errMsg: 'collection.aggregate:ok' };
    }, !!(this._t && this._t.flavor.alwaysPromise));
  }

  /** @internal */
  private _add(stage: string, arg: unknown): Aggregate {
    return this._push({ ['$' + stage]: encodeFor('collection.aggregate', () => encodeValue(arg)) });
  }

  /** @internal */
  private _push(stage: Obj): Aggregate {
    this._stages.push(stage);
    return this;
  }
}

/** A sub-pipeline: an Aggregate's stages, or an array of stage objects. */
function subPipeline(p: unknown): unknown {
  if (p instanceof Aggregate) return p.done();
  if (!Array.isArray(p)) throw new TypeError('a pipeline is $.pipeline()…done() or an array of stages');
  return p.map((s) => encodeValue(s));
}
