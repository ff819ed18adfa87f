import { Aggregate } from './aggregate';
import type { QueryCondition } from './command';
import { DocumentReference } from './document';
import type { WatchOptions, Watcher } from '../realtime/watch';
import type { AddManyResult, AddResult, CountResult, DataOptions, GetResult, NoCallback, RemoveResult, UpdateResult, WithCallback } from './types';
/** A query on one collection: conditions, order, page and fields. */
export declare class Query {
    /**
     * Replaces the query's conditions. condition is a plain object (nested
     * objects match by dot path; undefined values are ignored) or a logic
     * command such as `_.or([…])`. Throws '查询参数必须为对象' when it is not an
     * object and '查询参数对象值不能均为undefined' when all its values are
     * undefined.
     */
    where(condition: QueryCondition): Query;
    /**
     * Adds a sort key (calls accumulate: the first is the primary key).
     * direction is 'asc' or 'desc'; anything else throws '排序字符不合法'.
     */
    orderBy(fieldPath: string, direction: 'asc' | 'desc'): Query;
    /** At most max documents; throws 'limit must be integer' for a non-integer. */
    limit(max: number): Query;
    /** Skips offset documents; throws 'offset must be integer' for a non-integer. */
    skip(offset: number): Query;
    /**
     * Which fields to return: `{name: true}` keeps, `{name: false}` drops,
     * `{tags: _.project.slice(2)}` slices an array.
     */
    field(projection: Record<string, unknown>): Query;
    /** Fetches the matching documents: `{data, errMsg: 'collection.get:ok'}`. */
    get(options: WithCallback<object, GetResult>): void;
    get(options?: NoCallback<object>): Promise<GetResult>;
    /** Counts the matching documents: `{total, errMsg: 'collection.count:ok'}`. */
    count(options: WithCallback<object, CountResult>): void;
    count(options?: NoCallback<object>): Promise<CountResult>;
    /**
     * Updates every matching document with data (nested objects merge by dot
     * path; update commands apply): `{stats: {updated}, errMsg}`.
     */
    update(options: WithCallback<DataOptions, UpdateResult>): void;
    update(options: NoCallback<DataOptions>): Promise<UpdateResult>;
    /**
     * Removes every matching document: `{stats: {removed}, errMsg}`. skip,
     * limit, orderBy and field do not apply to a remove (a warning says so).
     */
    remove(options: WithCallback<object, RemoveResult>): void;
    remove(options?: NoCallback<object>): Promise<RemoveResult>;
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
    watch(options: WatchOptions): Watcher;
}
/** A collection: a Query on all its documents, plus doc() and add(). */
export declare class CollectionReference extends Query {
    /** The collection's name. */
    readonly collectionName: string;
    /**
     * The document with this _id. Numeric ids are sent as strings: minibase's
     * ids are strings (an inserted numeric _id is stored as its decimal
     * string). Throws 'docId必须为字符串或数字' for any other type.
     */
    doc(id: string | number): DocumentReference;
    /**
     * A pipeline over the collection's documents (spec §1.10): stage methods,
     * then end() → `{list, errMsg: 'collection.aggregate:ok'}`.
     */
    aggregate(): Aggregate;
    /**
     * Inserts data as a new document (the server generates _id unless data
     * has one): `{_id, errMsg: 'collection.add:ok'}`. A collection that does
     * not exist is created (admin). In wx-server-sdk, data may also be an
     * array of documents: `{_ids, errMsg}`.
     */
    add(options: WithCallback<DataOptions, AddResult>): void;
    add(options: NoCallback<DataOptions>): Promise<AddResult>;
    add(options: NoCallback<{
        data: Record<string, any>[];
    }>): Promise<AddManyResult>;
}
