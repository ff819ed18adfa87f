// Prints the gzipped sizes of the SDK: the committed dist files, the whole
// SDK minified, and the database module alone minified (goal <= 15 KiB).
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const kib = (n) => (n / 1024).toFixed(1) + ' KiB';
const row = (name, buf) => console.log(`${name.padEnd(34)} ${kib(buf.length).padStart(10)} ${kib(gzipSync(buf, { level: 9 }).length).padStart(10)} gz`);

async function minified(entry) {
  const r = await esbuild.build({
    absWorkingDir: root, entryPoints: [entry], bundle: true, minify: true, format: 'esm',
    target: 'es2020', platform: 'neutral', write: false, legalComments: 'none',
  });
  return Buffer.from(r.outputFiles[0].contents);
}

console.log(`${'file'.padEnd(34)} ${'raw'.padStart(10)} ${'gzip -9'.padStart(13)}`);
row('dist/minibase.mjs', readFileSync(join(root, 'dist/minibase.mjs')));
row('dist/minibase.cjs', readFileSync(join(root, 'dist/minibase.cjs')));
row('whole SDK, minified', await minified('src/index.ts'));
const db = await minified('src/database/index.ts');
row('database part, minified', db);
const gz = gzipSync(db, { level: 9 }).length;
console.log(gz <= 15 * 1024 ? 'database part: within the 15 KiB goal' : 'database part: OVER the 15 KiB goal');
