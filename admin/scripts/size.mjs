// Prints the gzipped size of dist/: all of it, and without the lazily
// loaded code editor chunk (editor-*.js), which the console's first load
// never fetches.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'dist');
const rows = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else {
      const b = readFileSync(p);
      rows.push({ file: relative(dist, p), raw: b.length, gz: gzipSync(b, { level: 9 }).length });
    }
  }
};
walk(dist);
const kib = (n) => (n / 1024).toFixed(1) + ' KiB';
for (const r of rows.sort((a, b) => b.gz - a.gz)) console.log(`${r.file.padEnd(40)} ${kib(r.raw).padStart(10)} ${kib(r.gz).padStart(10)} gzip`);
const lazy = (r) => /(^|\/)editor-[^/]*\.js$/.test(r.file);
const sum = (rs) => rs.reduce((n, r) => n + r.gz, 0);
console.log(`total gzipped: ${kib(sum(rows))}; without the lazy editor chunk: ${kib(sum(rows.filter((r) => !lazy(r))))}`);
