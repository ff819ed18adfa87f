// The console's Backups page in real headless Chromium
// against a real `minibase serve` with a backup schedule: the schedule,
// retention and destination are shown; "Back up now" makes a backup that
// is listed; downloading it through the console (the admin's token goes
// with the request) gives a gzip'd tar archive ending in manifest.json;
// deleting it asks first and removes it from the server. Screenshots at
// 1280 px and 390 px go to e2e/out/screenshots/.
//
// The server is $MINIBASE_BIN (make e2e: bin/minibase); the browser is
// Debian's /usr/bin/chromium ($CHROMIUM to use another).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../sdk/test/helpers/server.mjs';
import { CHROMIUM_ARGS, EMAIL, PASSWORD, SHOTS, adminAPI, createAdmin, shoot as shootPage } from './console-helpers.mjs';


let api, server, ctx, page, profile;
const errors = [];

/** A tar archive's entries (ustar: 512-byte headers), PAX headers skipped. */
function tarEntries(tar) {
  const out = [];
  const cut = (b) => b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)).toString();
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const prefix = cut(h.subarray(345, 500));
    const name = cut(h.subarray(0, 100));
    const size = parseInt(cut(h.subarray(124, 136)).trim() || '0', 8);
    if (h[156] !== 0x78 && h[156] !== 0x67) out.push({ name: prefix ? prefix + '/' + name : name, data: tar.subarray(off + 512, off + 512 + size) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const shoot = (name) => shootPage(page, name);

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ env: { MINIBASE_BACKUP_SCHEDULE: '0 3 * * *', MINIBASE_BACKUP_KEEP: '5' } });
  api = adminAPI(server);
  await createAdmin(server.dir);
  await api('POST', '/v1/db/notes/insert', { data: [{ _id: 'n1', text: 'kept in the backup' }] });
  profile = mkdtempSync(join(tmpdir(), 'minibase-e2e-backups-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    acceptDownloads: true,
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.endpoint + '/_/');
  await page.fill('input[name=email]', EMAIL);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=sign-out]').waitFor();
});

after(async () => {
  await ctx?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await server?.stop();
});

test('backups: settings shown, back up now, listed, download a gzip archive with a manifest, delete', async () => {
  await page.click('[data-testid=nav-backups]');
  const section = page.locator('[data-testid=backups]');
  await section.locator('[data-testid=backups-empty]').waitFor();
  const settings = await section.locator('[data-testid=backup-settings]').innerText();
  assert.match(settings, /0 0 3 \* \* \* \*/, 'the schedule');
  assert.match(settings, /newest 5 scheduled backups/, 'the retention');
  assert.match(settings, /backups\/ folder/, 'the destination');
  assert.match(await section.innerText(), /minibase backup restore <archive>/, 'how to restore');

  await section.locator('[data-testid=backup-now]').click();
  const row = section.locator('[data-testid=backup-row]');
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  const name = await row.first().getAttribute('data-name');
  assert.match(name, /^minibase-\d{8}T\d{6}Z\.tar\.gz$/);
  assert.match(await row.first().innerText(), /On demand/);
  assert.equal(await section.locator('[data-testid=backup-now]').isEnabled(), true, 'the button is back');
  const { backups } = await api('GET', '/v1/admin/backups');
  assert.deepEqual(backups.map((b) => b.name), [name]);
  await shoot('console-backups');

  // Download through the console: the bytes are the server's archive.
  const [download] = await Promise.all([page.waitForEvent('download'), row.first().locator('[data-testid=backup-download]').click()]);
  assert.equal(download.suggestedFilename(), name);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.length, backups[0].size);
  assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic');
  const entries = tarEntries(gunzipSync(bytes));
  const last = entries.at(-1);
  assert.equal(last?.name, 'manifest.json', `entries: ${entries.map((e) => e.name)}`);
  const manifest = JSON.parse(last.data.toString());
  assert.ok(Array.isArray(manifest.entries) && manifest.entries.length > 0, 'the manifest lists the entries');

  // Delete asks first; cancelling keeps it.
  await row.first().locator('[data-testid=backup-delete]').click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await api('GET', '/v1/admin/backups')).backups.length, 1, 'cancel keeps the backup');
  await row.first().locator('[data-testid=backup-delete]').click();
  await page.click('[data-testid=confirm-yes]');
  await section.locator('[data-testid=backups-empty]').waitFor();
  assert.deepEqual((await api('GET', '/v1/admin/backups')).backups, []);
  assert.deepEqual(errors, [], 'no page errors');
});
