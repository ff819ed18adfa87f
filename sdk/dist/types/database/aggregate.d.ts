import { LogicCommand } from './command';
import { type Obj } from './encode';
import type { DocumentData, NoCallback, WithCallback } from './types';
/** Documents a pipeline without a limit stage returns (CloudBase's default). */
export declare const AGGREGATE_DEFAULT_LIMIT = 20;
/** The result of end(). */
export interface AggregateResult {
    list: DocumentData[];
    errMsg: string;
}
/**
 * A pipeline under construction. Stage methods append a stage and return
 * the same pipeline (as CloudBase's builder does).
 */
export declare class Aggregate {
    /** $addFields: new or replaced fields, `{field: expression}`. */
    addFields(fields: object): Aggregate;
    /** $bucket: `{groupBy, boundaries, default?, output?}`. */
    bucket(options: object): Aggregate;
    /** $bucketAuto: `{groupBy, buckets, granularity?, output?}`. */
    bucketAuto(options: object): Aggregate;
    /** $count: one document `{[fieldName]: n}`. */
    count(fieldName: string): Aggregate;
    /** $facet: `{name: pipeline, …}` over the same input. */
    facet(pipelines: Record<string, unknown>): Aggregate;
    /** $geoNear (first stage only; needs a 2dsphere index): `{near: db.Geo.Point, distanceField, maxDistance?, minDistance?, query?, distanceMultiplier?, includeLocs?, key?}`, nearest first, distances in metres. */
    geoNear(options: Obj): Aggregate;
    /** $group: `{_id: expression, field: {accumulator: expression}, …}`. */
    group(spec: object): Aggregate;
    /** $limit: at most n documents. */
    limit(n: number): Aggregate;
    /**
     * $lookup: `{from, localField, foreignField, as}`, or `{from, let,
     * pipeline, as}` with pipeline from `$.pipeline()…done()`. On the client
     * too (CloudBase refuses it there): the rules of `from` apply.
     */
    lookup(options: Obj): Aggregate;
    /** $match: a where() condition (db.command queries, `_.expr(…)`). */
    match(condition: Obj | LogicCommand): Aggregate;
    /** $project: `{field: 1 | 0 | expression}`. */
    project(spec: object): Aggregate;
    /** $replaceRoot: `{newRoot: expression}`. */
    replaceRoot(options: object): Aggregate;
    /** $replaceWith: an expression that gives the new document. */
    replaceWith(expression: unknown): Aggregate;
    /** $sample: `{size}` documents at random. */
    sample(options: {
        size: number;
    }): Aggregate;
    /** $set: the same as addFields. */
    set(fields: object): Aggregate;
    /** $skip: skips n documents. */
    skip(n: number): Aggregate;
    /** $sort: `{field: 1 | -1, …}`. */
    sort(spec: object): Aggregate;
    /** $sortByCount: groups by an expression and counts, most first. */
    sortByCount(expression: unknown): Aggregate;
    /** $unset: removes a field or fields. */
    unset(fields: string | string[]): Aggregate;
    /** $unwind: `'$field'` or `{path, includeArrayIndex?, preserveNullAndEmptyArrays?}`. */
    unwind(path: string | object): Aggregate;
    /** The stages so far, as plain objects: a sub-pipeline for lookup() or facet(). */
    done(): Obj[];
    /** Runs the pipeline: `{list, errMsg: 'collection.aggregate:ok'}`. */
    end(options: WithCallback<object, AggregateResult>): void;
    end(options?: NoCallback<object>): Promise<AggregateResult>;
}
