/**
 * Aggregation: collection.aggregate(), filled in by the aggregation issue.
 *
 * Not exposed: the server has no POST /v1/db/{coll}/aggregate yet, and an
 * aggregate() that can only fail would pretend to work. The shapes below
 * are wx.cloud's (spec §1.10). The implementation will build the pipeline
 * with these stages (match() through encodeWhere, geoNear's near through
 * Geo.toJSON, expressions from db.command.aggregate, which already
 * serialises), send `{pipeline}` and resolve
 * `{list, errMsg: 'collection.aggregate:ok'}`; CollectionReference will
 * gain aggregate() then.
 */
/** The result of end(). */
export interface AggregateResult {
    list: Record<string, unknown>[];
    errMsg: string;
}
/** A pipeline under construction: each stage method returns the pipeline. */
export interface Aggregate {
    addFields(fields: object): Aggregate;
    bucket(options: object): Aggregate;
    bucketAuto(options: object): Aggregate;
    count(fieldName: string): Aggregate;
    geoNear(options: object): Aggregate;
    group(spec: object): Aggregate;
    limit(n: number): Aggregate;
    lookup(options: object): Aggregate;
    match(condition: object): Aggregate;
    project(spec: object): Aggregate;
    replaceRoot(options: object): Aggregate;
    sample(options: {
        size: number;
    }): Aggregate;
    skip(n: number): Aggregate;
    sort(spec: object): Aggregate;
    sortByCount(expression: unknown): Aggregate;
    unwind(path: string | object): Aggregate;
    /** Runs the pipeline. */
    end(): Promise<AggregateResult>;
}
