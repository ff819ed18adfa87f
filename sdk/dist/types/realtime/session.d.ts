import type { DataType, QueueType, WatchOptions } from './watch';
/** The query a watch sends: where, orderBy and limit. */
export interface WatchBody {
    filter?: object;
    sort?: ReadonlyArray<[string, 1 | -1]>;
    limit?: number;
}
/** A message from the server (db/watch_conn.go). */
export interface WireMessage {
    type: string;
    watchId?: string;
    queryId?: string;
    eventId?: number;
    docs?: Doc[];
    events?: WireChange[];
    code?: string;
    errCode?: number;
    message?: string;
}
/** A docChange as the server sends it: index places enqueued and updated documents. */
interface WireChange {
    id: number;
    dataType: DataType;
    queueType: QueueType;
    docId: string;
    doc?: Doc;
    updatedFields?: Record<string, unknown>;
    removedFields?: string[];
    index?: number;
}
type Doc = Record<string, unknown>;
/** What receive tells the connection: go on, the watch ended, or the stream has a gap. */
export type Outcome = 'ok' | 'ended' | 'gap';
/** A watch of a connection. */
export declare class Watch {
    readonly api: string;
    readonly id: string;
    private readonly body;
    private readonly opts;
    private readonly send;
    private queryId?;
    private eventId;
    private docs;
    private stopped;
    constructor(api: string, id: string, body: WatchBody, opts: WatchOptions, send: (msg: object) => void);
    /** Asks the server for the watch: afresh, or resuming after the last event applied. */
    start(): void;
    /** Stops the watch; false when it had ended already. */
    stop(): boolean;
    /** Ends the watch with err (onError). */
    fail(err: Error): void;
    /** Applies a message of this watch. */
    receive(m: WireMessage): Outcome;
    private init;
    private events;
    private apply;
    private deliver;
    private call;
}
/**
 * patch returns doc with updatedFields set and removedFields removed (dot
 * paths through objects), copying what it changes: earlier snapshots keep
 * the document they had.
 */
export declare function patch(doc: Doc, updatedFields: Record<string, unknown>, removedFields: string[]): Doc;
export {};
