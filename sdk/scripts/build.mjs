// Builds the SDK into the directory given (default dist/): minibase.mjs (ESM),
// minibase.cjs (CommonJS, module.exports = cloud) and types/ (.d.ts). The
// output depends only on the sources: no timestamps, so check-dist.mjs can
// compare a fresh build with the committed one byte for byte.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] ?? 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(out, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  bundle: true,
  target: 'es2020',
  platform: 'neutral',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: `/* ${pkg.name} ${pkg.version}: built from sdk/src by scripts/build.mjs; do not edit. */` },
};
await esbuild.build({ ...common, entryPoints: ['src/index.ts'], format: 'esm', outfile: join(out, 'minibase.mjs') });
await esbuild.build({ ...common, entryPoints: ['src/cjs.ts'], format: 'cjs', outfile: join(out, 'minibase.cjs') });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(
  process.execPath,
  [tsc, '-p', join(root, 'tsconfig.json'), '--emitDeclarationOnly', '--outDir', join(out, 'types')],
  { stdio: 'inherit' },
);
rmSync(join(out, 'types', 'cjs.d.ts'), { force: true });
