/**
 * The upload queue of the storage page: many files, a few at a time, each
 * with its own progress and outcome. The uploader is given (the page's is
 * api/storage's XMLHttpRequest upload), so the queue's logic is tested
 * without a browser. Subscribers are told of every change.
 */
export type UploadState = 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled';

export interface UploadItem {
  id: number;
  name: string;
  cloudPath: string;
  size: number;
  loaded: number;
  state: UploadState;
  fileID?: string;
  error?: string;
  /** The server's code of a failure (FILE_TYPE_NOT_ALLOWED…), when it gave one. */
  code?: string;
}

export type Uploader = (
  cloudPath: string,
  file: Blob,
  onProgress: (loaded: number, total: number) => void,
) => { promise: Promise<string>; abort(): void };

/** At most this many files wait in the queue (one drop of a huge folder is refused with a message). */
export const MAX_QUEUE = 500;

export class UploadQueue {
  items: UploadItem[] = [];
  private files = new Map<number, Blob>();
  private aborts = new Map<number, () => void>();
  private running = 0;
  private nextId = 1;
  private subs = new Set<() => void>();

  constructor(
    private upload: Uploader,
    private concurrency = 3,
    private onDone?: (item: UploadItem) => void,
  ) {}

  subscribe(f: () => void): () => void {
    this.subs.add(f);
    return () => this.subs.delete(f);
  }

  private changed(): void {
    this.items = [...this.items];
    for (const f of this.subs) f();
  }

  /** Queues files under folder (a prefix like "photos/" or ""); returns how many were refused for room. */
  add(files: { name: string; blob: Blob }[], folder: string): number {
    const room = Math.max(0, MAX_QUEUE - this.items.filter((i) => i.state === 'queued' || i.state === 'uploading').length);
    const take = files.slice(0, room);
    for (const f of take) {
      const id = this.nextId++;
      this.files.set(id, f.blob);
      this.items.push({ id, name: f.name, cloudPath: folder + f.name, size: f.blob.size, loaded: 0, state: 'queued' });
    }
    this.changed();
    this.pump();
    return files.length - take.length;
  }

  /** Cancels a queued or running upload. */
  cancel(id: number): void {
    const it = this.items.find((i) => i.id === id);
    if (!it || (it.state !== 'queued' && it.state !== 'uploading')) return;
    if (it.state === 'uploading') this.aborts.get(id)?.();
    this.finish(it, { state: 'cancelled' });
  }

  /** Forgets finished items (done, failed, cancelled). */
  clearFinished(): void {
    this.items = this.items.filter((i) => i.state === 'queued' || i.state === 'uploading');
    this.changed();
  }

  /** Bytes sent and total over the items not cancelled. */
  totals(): { loaded: number; total: number; active: number } {
    let loaded = 0;
    let total = 0;
    let active = 0;
    for (const i of this.items) {
      if (i.state === 'cancelled') continue;
      loaded += i.loaded;
      total += i.size;
      if (i.state === 'queued' || i.state === 'uploading') active++;
    }
    return { loaded, total, active };
  }

  private finish(it: UploadItem, patch: Partial<UploadItem>): void {
    if (it.state === 'uploading') this.running--;
    Object.assign(it, patch);
    this.files.delete(it.id);
    this.aborts.delete(it.id);
    this.changed();
    if (patch.state === 'done' || patch.state === 'failed') this.onDone?.(it);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const it = this.items.find((i) => i.state === 'queued');
      if (!it) return;
      const blob = this.files.get(it.id)!;
      it.state = 'uploading';
      this.running++;
      const up = this.upload(it.cloudPath, blob, (loaded) => {
        if (it.state !== 'uploading') return;
        it.loaded = Math.min(loaded, it.size);
        this.changed();
      });
      this.aborts.set(it.id, up.abort);
      this.changed();
      up.promise.then(
        (fileID) => it.state === 'uploading' && this.finish(it, { state: 'done', fileID, loaded: it.size }),
        (e: unknown) =>
          it.state === 'uploading' &&
          this.finish(it, { state: 'failed', error: e instanceof Error ? e.message : String(e), code: (e as { code?: string } | null)?.code }),
      );
    }
  }
}
