/**
 * Realtime: query.watch() (spec §2.5) over minibase's watch WebSocket,
 * GET /v1/db/{coll}/watch (the protocol is in the server's
 * db/watch_conn.go). One connection per client and collection carries
 * every watch of that collection; it is made with the adapter's
 * connectSocket (wx.connectSocket and its twins in mini-programs,
 * WebSocket elsewhere), pings every 20 s, and when it drops it is made
 * again with backoff, each watch resuming from the last event it applied:
 * the server replays what it missed, or sends its documents afresh (a
 * snapshot of type 'init') when it cannot.
 */
import type { Client } from '../core/client';
import { type WatchBody } from './session';
export type { WatchBody } from './session';
/** What happened to a document (spec §2.5). */
export type DataType = 'init' | 'update' | 'replace' | 'add' | 'remove' | 'limit';
/** How the change affects the watched list. */
export type QueueType = 'init' | 'update' | 'enqueue' | 'dequeue';
/** One change in a snapshot. */
export interface ChangeEvent {
    id: number;
    queueType: QueueType;
    dataType: DataType;
    docId: string;
    doc: Record<string, unknown>;
    updatedFields?: Record<string, unknown>;
    removedFields?: string[];
}
/** What onChange receives; type is 'init' on the first call only (and when the documents are sent afresh). */
export interface Snapshot {
    id: number;
    docChanges: ChangeEvent[];
    docs: Record<string, unknown>[];
    type?: 'init';
}
/** watch()'s options: both callbacks are required, as in wx.cloud. */
export interface WatchOptions {
    onChange(snapshot: Snapshot): void;
    onError(err: Error): void;
}
/** What watch() returns. */
export interface Watcher {
    /** Stops the watch: no callback is called after it. */
    close(): Promise<void>;
}
/** How often a connection pings; the server closes one silent for 60 s (MINIBASE_WATCH_IDLE_TIMEOUT). */
export declare const PING_MS = 20000;
/**
 * Starts a watch of body's query on collection coll of client. api names
 * the call in errors ('collection.watch', 'document.watch').
 */
export declare function watch(client: Client, api: string, coll: string, body: WatchBody, opts: WatchOptions): Watcher;
