/**
 * Realtime: query.watch(), filled in by the realtime issue.
 *
 * Not exposed: the server has no GET /v1/db/{coll}/watch WebSocket yet. The
 * shapes below are wx.cloud's (spec §2.5). The implementation will open the
 * socket with the adapter's connectSocket (wx.connectSocket in
 * mini-programs, WebSocket elsewhere; added to the adapters with it) and
 * the database module's Query will call it from watch().
 */

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

/** What onChange receives; type is 'init' on the first call only. */
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
  close(): Promise<void>;
}
