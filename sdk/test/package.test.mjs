// The package as users load it from a checkout: require('<repo>/sdk')
// returns the cloud object itself (CommonJS), import gives the default and
// named exports (ESM), and the typings are where package.json says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdk = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const node = (args) => execFileSync(process.execPath, args, { encoding: 'utf8', cwd: '/' }).trim();

test("require('<repo>/sdk') returns the cloud object", () => {
  const out = node([
    '-e',
    `const cloud = require(${JSON.stringify(sdk)});
     const r = { init: typeof cloud.init, database: typeof cloud.database, self: cloud.default === cloud,
                 CloudError: typeof cloud.CloudError };
     try { cloud.database() } catch (e) { r.before = e.message.split('\\n')[0] }
     cloud.init({ endpoint: 'http://127.0.0.1:1' });
     r.db = typeof cloud.database().collection;
     console.log(JSON.stringify(r));`,
  ]);
  assert.deepEqual(JSON.parse(out), {
    init: 'function', database: 'function', self: true, CloudError: 'function',
    before: "Cloud API isn't enabled, please call init first", db: 'function',
  });
});

test('import of dist/minibase.mjs gives the cloud object as default and the named exports', () => {
  const out = node([
    '--input-type=module',
    '-e',
    `import cloud, { init, database, Client, CloudError } from ${JSON.stringify(`${sdk}/dist/minibase.mjs`)};
     console.log(JSON.stringify([typeof cloud.init, cloud.init === init, cloud.database === database, typeof Client, typeof CloudError]));`,
  ]);
  assert.deepEqual(JSON.parse(out), ['function', true, true, 'function', 'function']);
});

// A project that installed the checkout (npm install <repo>/sdk links the
// folder into node_modules) gets ESM through import and CJS through require,
// by the exports map. (Node's ESM cannot import a directory by its path.)
test("a project that installed <repo>/sdk: import cloud from 'minibase-sdk' and require('minibase-sdk')", () => {
  const app = mkdtempSync(join(tmpdir(), 'minibase-sdk-app-'));
  try {
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(sdk, join(app, 'node_modules', 'minibase-sdk'), 'dir');
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e',
      `import cloud, { init } from 'minibase-sdk'; import { createRequire } from 'node:module';
       const cjs = createRequire(process.cwd() + '/x.js')('minibase-sdk');
       console.log(JSON.stringify([typeof cloud.init, cloud.init === init, typeof cjs.init, cjs === cjs.default, cjs !== cloud]));`,
    ], { cwd: app, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(esm), ['function', true, 'function', true, true]);
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});

test('package.json points at files that exist', () => {
  const pkg = JSON.parse(readFileSync(`${sdk}/package.json`, 'utf8'));
  assert.equal(pkg.name, 'minibase-sdk');
  assert.deepEqual(pkg.dependencies ?? {}, {});
  const targets = [pkg.main, pkg.module, pkg.types, ...Object.values(pkg.exports['.'])];
  for (const t of targets) assert.ok(existsSync(`${sdk}/${t}`), t);
  assert.match(readFileSync(`${sdk}/${pkg.types}`, 'utf8'), /export default cloud/);
});

// check:dist is what keeps the committed dist/ honest: on a copy of the
// package whose source changed after the build, it must fail and name the
// stale files.
test('check:dist fails and lists the files when dist/ is stale', () => {
  const copy = mkdtempSync(join(tmpdir(), 'minibase-sdk-stale-'));
  try {
    cpSync(sdk, copy, { recursive: true, filter: (p) => !p.includes('node_modules') && !p.includes('/bench') });
    symlinkSync(join(sdk, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const check = () => spawnSync(process.execPath, [join(copy, 'scripts', 'check-dist.mjs')], { encoding: 'utf8' });
    const fresh = check();
    assert.equal(fresh.status, 0, fresh.stderr);
    const f = join(copy, 'src', 'core', 'errors.ts');
    writeFileSync(f, readFileSync(f, 'utf8').replace("'resource system error'", "'resource system failure'"));
    const stale = check();
    assert.equal(stale.status, 1);
    assert.match(stale.stderr, /dist is stale/);
    assert.match(stale.stderr, /stale: +dist\/minibase\.mjs/);
    assert.match(stale.stderr, /stale: +dist\/minibase\.cjs/);
    assert.doesNotMatch(stale.stderr, /types\/index\.d\.ts/);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
