// The logic behind the storage and functions pages: the version diff, the
// upload queue (concurrency, progress, failures, cancel) and the display of
// a timer's next runs.
import { describe, expect, test } from 'vitest';
import { diffLines, hunks, MAX_DIFF_LINES, splitLines } from '../src/lib/diff';
import { MAX_QUEUE, UploadQueue, type Uploader } from '../src/lib/uploadQueue';
import { nextRuns } from '../src/lib/cron';

const show = (before: string, after: string) =>
  diffLines(before, after).ops.map((o) => (o.kind === 'same' ? ' ' : o.kind === 'add' ? '+' : '-') + o.text);

describe('diff', () => {
  test('equal texts have no changes', () => {
    expect(show('a\nb\n', 'a\nb\n')).toEqual([' a', ' b']);
  });
  test('a changed line in the middle is a removal and an addition, with line numbers of each side', () => {
    const { ops } = diffLines('a\nb\nc\n', 'a\nB\nc\nd\n');
    expect(ops.map((o) => [o.kind, o.text, o.a, o.b])).toEqual([
      ['same', 'a', 1, 1],
      ['del', 'b', 2, undefined],
      ['add', 'B', undefined, 2],
      ['same', 'c', 3, 3],
      ['add', 'd', undefined, 4],
    ]);
  });
  test('from and to nothing', () => {
    expect(show('', 'x\ny')).toEqual(['+x', '+y']);
    expect(show('x\ny', '')).toEqual(['-x', '-y']);
  });
  test('keeps the longest common lines (moved block)', () => {
    expect(show('1\n2\n3\n4\n', '3\n4\n1\n2\n').filter((l) => l.startsWith(' ')).length).toBe(2);
  });
  test('CRLF and LF lines compare equal', () => {
    expect(splitLines('a\r\nb\r\n')).toEqual(['a', 'b']);
    expect(show('a\r\nb', 'a\nb\n')).toEqual([' a', ' b']);
  });
  test('texts over the limit are not diffed', () => {
    const big = 'x\n'.repeat(MAX_DIFF_LINES + 1);
    expect(diffLines(big, 'y')).toEqual({ ops: [], tooLarge: true });
  });
  test('hunks fold long unchanged runs', () => {
    const a = Array.from({ length: 20 }, (_, i) => 'l' + i).join('\n');
    const b = a.replace('l10', 'L10');
    const h = hunks(diffLines(a, b).ops, 2);
    expect(h.map((o) => (o.kind === 'skip' ? `…${o.count}` : o.kind[0] + o.text))).toEqual(['…8', 'sl8', 'sl9', 'dl10', 'aL10', 'sl11', 'sl12', '…7']);
  });
});

// A fake uploader the test drives: each call waits until the test resolves or fails it.
function fakeUploader() {
  const calls: { path: string; progress: (l: number, t: number) => void; ok: (id: string) => void; fail: (e: Error) => void; aborted: boolean }[] = [];
  const up: Uploader = (path, _blob, progress) => {
    let ok!: (id: string) => void;
    let fail!: (e: Error) => void;
    const promise = new Promise<string>((res, rej) => {
      ok = res;
      fail = rej;
    });
    const c = { path, progress, ok, fail, aborted: false };
    calls.push(c);
    return { promise, abort: () => ((c.aborted = true), fail(new Error('aborted'))) };
  };
  return { calls, up };
}
const blob = (n: number) => new Blob([new Uint8Array(n)]);
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('upload queue', () => {
  test('runs at most `concurrency` uploads and starts the next when one ends', async () => {
    const f = fakeUploader();
    const done: string[] = [];
    const q = new UploadQueue(f.up, 2, (it) => done.push(it.cloudPath + ':' + it.state));
    q.add([{ name: 'a.png', blob: blob(10) }, { name: 'b.png', blob: blob(20) }, { name: 'c.png', blob: blob(30) }], 'img/');
    expect(f.calls.map((c) => c.path)).toEqual(['img/a.png', 'img/b.png']);
    expect(q.items.map((i) => i.state)).toEqual(['uploading', 'uploading', 'queued']);
    f.calls[0].progress(5, 10);
    expect(q.totals()).toEqual({ loaded: 5, total: 60, active: 3 });
    f.calls[0].ok('cloud://x/img/a.png');
    await settle();
    expect(f.calls.map((c) => c.path)).toEqual(['img/a.png', 'img/b.png', 'img/c.png']);
    f.calls[1].fail(new Error('file is larger than the bucket allows'));
    f.calls[2].ok('cloud://x/img/c.png');
    await settle();
    expect(q.items.map((i) => [i.state, i.fileID ?? i.error])).toEqual([
      ['done', 'cloud://x/img/a.png'],
      ['failed', 'file is larger than the bucket allows'],
      ['done', 'cloud://x/img/c.png'],
    ]);
    expect(done).toEqual(['img/a.png:done', 'img/b.png:failed', 'img/c.png:done']);
    q.clearFinished();
    expect(q.items).toEqual([]);
  });
  test('cancel aborts a running upload and skips a queued one', async () => {
    const f = fakeUploader();
    const q = new UploadQueue(f.up, 1);
    q.add([{ name: 'a', blob: blob(1) }, { name: 'b', blob: blob(1) }, { name: 'c', blob: blob(1) }], '');
    const [a, b] = q.items;
    q.cancel(b.id);
    q.cancel(a.id);
    await settle();
    expect(f.calls[0].aborted).toBe(true);
    expect(q.items.map((i) => i.state)).toEqual(['cancelled', 'cancelled', 'uploading']);
    expect(f.calls.map((c) => c.path)).toEqual(['a', 'c']);
    // a late progress or result of a cancelled upload changes nothing
    f.calls[0].progress(1, 1);
    expect(q.items[0].loaded).toBe(0);
  });
  test('refuses files beyond the queue limit and says how many', () => {
    const f = fakeUploader();
    const q = new UploadQueue(f.up, 1);
    const many = Array.from({ length: MAX_QUEUE + 7 }, (_, i) => ({ name: 'f' + i, blob: blob(1) }));
    expect(q.add(many, '')).toBe(7);
    expect(q.items.length).toBe(MAX_QUEUE);
  });
});

describe('cron next runs', () => {
  test('shows up to five times in the time zone, with how far away they are', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    const times = ['2026-12-07T10:05:00Z', '2026-12-07T12:00:00Z', 'garbage', '2026-12-09T10:00:00Z', '2026-12-10T10:00:00Z', '2026-12-11T10:00:00Z', '2026-12-12T10:00:00Z'];
    const rows = nextRuns(times, now, 'en', 'UTC');
    expect(rows.length).toBe(5);
    expect(rows[0]).toEqual({ at: 'Dec 7, 2026, 10:05:00 AM', until: 'in 5 minutes' });
    expect(rows[1].until).toBe('in 2 hours');
    expect(rows[2].until).toBe('in 2 days');
    expect(nextRuns(undefined, now, 'en')).toEqual([]);
    expect(nextRuns(['2026-12-07T10:05:00Z'], now, 'zh-CN', 'Asia/Shanghai')[0].until).toBe('5分钟后');
  });
});

describe('diff on random texts', () => {
  // A seeded generator: the same texts on every run.
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const text = () => Array.from({ length: rnd(30) }, () => 'abcde'[rnd(5)]).join('\n');
  test('the ops rebuild both texts and number their lines in order', () => {
    for (let i = 0; i < 100; i++) {
      const a = text();
      const b = text();
      const { ops } = diffLines(a, b);
      expect(ops.filter((o) => o.kind !== 'add').map((o) => o.text)).toEqual(splitLines(a));
      expect(ops.filter((o) => o.kind !== 'del').map((o) => o.text)).toEqual(splitLines(b));
      expect(ops.filter((o) => o.a !== undefined).map((o) => o.a)).toEqual(splitLines(a).map((_, j) => j + 1));
      expect(ops.filter((o) => o.b !== undefined).map((o) => o.b)).toEqual(splitLines(b).map((_, j) => j + 1));
    }
  }, 30_000); // a loaded machine runs it slowly
});
