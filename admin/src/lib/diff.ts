/**
 * A line diff of two texts (two versions of a function's file): the
 * longest common subsequence of their lines, as a list of kept, added and
 * removed lines with their line numbers. Texts over MAX_DIFF_LINES lines
 * each are not diffed line by line (the table would be too large for the
 * page): the answer says so with tooLarge.
 */
export type DiffOp = { kind: 'same' | 'add' | 'del'; text: string; a?: number; b?: number };

export const MAX_DIFF_LINES = 5000;

export function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function diffLines(before: string, after: string): { ops: DiffOp[]; tooLarge: boolean } {
  const a = splitLines(before);
  const b = splitLines(after);
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) return { ops: [], tooLarge: true };
  // Common head and tail first: most versions differ in a few lines.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops: DiffOp[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: 'same', text: a[i], a: i + 1, b: i + 1 });
  // LCS table over the middle (bounded: at most MAX_DIFF_LINES² cells only when everything differs).
  const n = am.length;
  const m = bm.length;
  if (n * m > 4_000_000) {
    am.forEach((t, i) => ops.push({ kind: 'del', text: t, a: head + i + 1 }));
    bm.forEach((t, j) => ops.push({ kind: 'add', text: t, b: head + j + 1 }));
  } else {
    const w = m + 1;
    const L = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        L[i * w + j] = am[i] === bm[j] ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        ops.push({ kind: 'same', text: am[i], a: head + i + 1, b: head + j + 1 });
        i++;
        j++;
      } else if (j < m && (i === n || L[i * w + j + 1] > L[(i + 1) * w + j])) {
        ops.push({ kind: 'add', text: bm[j], b: head + j + 1 });
        j++;
      } else {
        ops.push({ kind: 'del', text: am[i], a: head + i + 1 });
        i++;
      }
    }
  }
  for (let k = tail; k > 0; k--) {
    ops.push({ kind: 'same', text: a[a.length - k], a: a.length - k + 1, b: b.length - k + 1 });
  }
  return { ops, tooLarge: false };
}

/** Keeps changed lines with context lines around them; long unchanged runs become one 'skip' of their length. */
export function hunks(ops: DiffOp[], context = 3): (DiffOp | { kind: 'skip'; count: number })[] {
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((o, i) => {
    if (o.kind !== 'same') for (let k = Math.max(0, i - context); k <= Math.min(ops.length - 1, i + context); k++) keep[k] = true;
  });
  const out: (DiffOp | { kind: 'skip'; count: number })[] = [];
  let skipped = 0;
  ops.forEach((o, i) => {
    if (keep[i]) {
      if (skipped) out.push({ kind: 'skip', count: skipped });
      skipped = 0;
      out.push(o);
    } else skipped++;
  });
  if (skipped) out.push({ kind: 'skip', count: skipped });
  return out;
}
