// Fails when the committed dist/ is not what the sources build to: rebuilds
// into a temporary directory (vite build with ADMIN_OUT_DIR) and lists every
// file that differs, is missing or is left over. Fix with `npm run build`
// and commit dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tmp = mkdtempSync(join(tmpdir(), 'minibase-admin-dist-'));
try {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ADMIN_OUT_DIR: join(tmp, 'dist') },
  });
  const fresh = files(join(tmp, 'dist'));
  const committed = existsSync(dist) ? files(dist) : new Set();
  const stale = [];
  for (const f of fresh) {
    if (!committed.has(f)) stale.push(`missing: dist/${f}`);
    else if (!readFileSync(join(dist, f)).equals(readFileSync(join(tmp, 'dist', f)))) stale.push(`stale:   dist/${f}`);
  }
  for (const f of committed) if (!fresh.has(f)) stale.push(`extra:   dist/${f}`);
  if (stale.length) {
    console.error(`admin/dist is stale: it is not what the sources build to.\n  ${stale.join('\n  ')}\nRun \`npm run build\` in admin/ and commit dist/.`);
    process.exit(1);
  }
  console.log(`admin/dist is up to date (${fresh.size} files)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

function files(dir) {
  const out = new Set();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.add(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}
