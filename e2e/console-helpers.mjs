// What the console's browser suites share: Chromium's flags, where the
// screenshots go, an admin account made with `minibase admin create`,
// admin API calls with the server's key, and screenshots at desktop and
// phone width.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic'];
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'out', 'screenshots');
export const EMAIL = 'owner@example.com';
export const PASSWORD = 'correct horse battery staple';

/** Runs `minibase admin create EMAIL` on the server's folder (PASSWORD on stdin). */
export function createAdmin(dir) {
  return new Promise((res, rej) => {
    const p = spawn(process.env.MINIBASE_BIN, ['admin', 'create', EMAIL, '--dir', dir, '--password-stdin'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b) => (out += b));
    p.stderr.on('data', (b) => (out += b));
    p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`admin create: ${code}: ${out}`))));
    p.stdin.end(PASSWORD + '\n');
  });
}

/** An admin API caller for server: (method, path, body) → the JSON answer; a failure fails the test. */
export function adminAPI(server) {
  return async (method, path, body) => {
    const res = await fetch(server.endpoint + path, {
      method,
      headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return res.json();
  };
}

/** Screenshots page as SHOTS/name-desktop.png and name-phone.png, then goes back to desktop width. */
export async function shoot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  for (const [w, h, tag] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForFunction((w) => document.documentElement.clientWidth === w, w);
    await page.screenshot({ path: join(SHOTS, `${name}-${tag}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
