// startServer runs a real `minibase serve` on a free 127.0.0.1 port with a
// fresh data directory and a generated admin key, for the SDK's tests and
// benchmarks. The binary is $MINIBASE_BIN (make test sets it), else one built
// once per process with `go build` from the repository root.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const running = new Set();
let builtBin;

process.on('exit', () => {
  for (const s of running) s.kill();
});

/** The minibase binary the tests run: $MINIBASE_BIN, else one built once per process. */
export function binary() {
  if (process.env.MINIBASE_BIN) return process.env.MINIBASE_BIN;
  if (!builtBin) {
    const dir = mkdtempSync(join(tmpdir(), 'minibase-bin-'));
    running.add({ kill: () => rmSync(dir, { recursive: true, force: true }) });
    builtBin = join(dir, 'minibase');
    execFileSync('go', ['build', '-o', builtBin, '.'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return builtBin;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; a rare race is retried by startServer). */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/**
 * Starts a server and resolves when GET /v1/health answers 200.
 * @param {{env?: Record<string,string>}} [opts] extra environment for the server
 * @returns {Promise<{endpoint: string, adminKey: string, dir: string, stop(): Promise<void>}>}
 */
export async function startServer(opts = {}) {
  const bin = binary();
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await tryStart(bin, await freePort(), opts.env ?? {});
    } catch (e) {
      lastErr = e;
    }
  }
  throw lastErr;
}

const noRateLimits = Object.fromEntries(
  ['DB', 'STORAGE', 'FUNCTIONS', 'AUTH', 'WATCH'].map((g) => [`MINIBASE_RATE_${g}`, 'off']),
);

async function tryStart(bin, port, extraEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'minibase-sdk-test-'));
  const adminKey = 'mbk_test_' + randomBytes(24).toString('base64url');
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['serve', '--dir', dir, '--http', `127.0.0.1:${port}`], {
    // The tests and benchmarks send fast from one address: the request rate
    // limits are off unless a test turns them on (as Go's servertest does).
    env: { ...process.env, MINIBASE_ADMIN_KEY: adminKey, ...noRateLimits, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (b) => {
    output = (output + b).slice(-8192);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exit = new Promise((res) => child.once('exit', (code, sig) => ((exited = true), res(code ?? sig))));
  const handle = {
    kill() {
      if (!exited) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(handle);

  const deadline = Date.now() + 20000;
  while (!(await healthy(endpoint))) {
    if (exited || Date.now() > deadline) {
      handle.kill();
      running.delete(handle);
      throw new Error(`minibase did not become healthy on ${endpoint}; output:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    endpoint,
    adminKey,
    dir,
    async stop() {
      running.delete(handle);
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// healthy uses node:http, not fetch: some tests make fetch throw.
function healthy(endpoint) {
  return new Promise((res) => {
    const req = get(endpoint + '/v1/health', (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode === 200));
    });
    req.on('error', () => res(false));
    req.setTimeout(2000, () => req.destroy());
  });
}
