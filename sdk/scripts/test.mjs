// Runs test/*.test.mjs (or the files named on the command line) with Node's
// test runner. Node 20's `node --test dir` would also run the helpers.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const files = args.length
  ? args
  : readdirSync(join(root, 'test'))
      .filter((f) => f.endsWith('.test.mjs'))
      .sort()
      .map((f) => join('test', f));
// Node 20 has a WebSocket (the realtime tests need one) behind a flag.
const ws = typeof WebSocket === 'undefined' ? ['--experimental-websocket'] : [];
const r = spawnSync(process.execPath, [...ws, '--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
