// The console's Storage, Users, Functions and Logs pages in real headless
// Chromium against a real `minibase serve`: sign in as an admin, upload an
// image and see its thumbnail and preview (and the file on the server),
// create and deploy a function in the CodeMirror editor, run it from the
// run panel, find its log, compare two versions, look at a user and
// disable them. A screenshot of each page at 1280 px and 390 px goes to
// e2e/out/screenshots/ for a person to look at.
//
// The server is $MINIBASE_BIN (make e2e: bin/minibase); the browser is
// Debian's /usr/bin/chromium ($CHROMIUM to use another).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../sdk/test/helpers/server.mjs';
import { CHROMIUM_ARGS, EMAIL, PASSWORD, SHOTS, adminAPI, createAdmin, shoot as shootPage } from './console-helpers.mjs';


let api, server, browser, ctx, page, profile;

/** A w×h PNG of one colour, made here (no image library). */
function png(w, h, [r, g, b]) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.alloc(1 + w * 3);
  for (let x = 0; x < w; x++) row.set([r, g, b], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Waits for a toast saying text (a RegExp) and returns its text. */
async function toast(re) {
  const t = page.locator('.toast', { hasText: re }).first();
  await t.waitFor({ timeout: 15_000 });
  return t.innerText();
}

const shoot = (name) => shootPage(page, name);

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  api = adminAPI(server);
  await createAdmin(server.dir);
  // An end user who signs up with a password, and one anonymous visitor.
  const r = await fetch(server.endpoint + '/v1/auth/anonymous', { method: 'POST' });
  assert.equal(r.status, 200);
  profile = mkdtempSync(join(tmpdir(), 'minibase-e2e-console2-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(20_000);
  const errors = [];
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

test('storage: upload images with progress, see thumbnails, preview, copy, delete', async () => {
  await page.click('[data-testid=nav-storage]');
  const bucket = await page.locator('[data-testid=bucket-select]').inputValue();
  assert.ok(bucket, 'a default bucket is selected');
  // Two images and a text file, dropped on the picker at once.
  await page.setInputFiles('[data-testid=upload-input]', [
    { name: 'red.png', mimeType: 'image/png', buffer: png(400, 300, [220, 30, 30]) },
    { name: 'blue.png', mimeType: 'image/png', buffer: png(40, 40, [30, 60, 220]) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from the console') },
  ]);
  await page.waitForFunction(() => {
    const s = [...document.querySelectorAll('[data-testid=upload-item]')].map((e) => e.getAttribute('data-state'));
    return s.length === 3 && s.every((x) => x === 'done');
  });
  // The files are on the server, with their bytes.
  const { files } = await api('GET', `/v1/admin/storage/buckets/${bucket}/files?folders=true`);
  assert.deepEqual(files.map((f) => f.path).sort(), ['blue.png', 'notes.txt', 'red.png']);
  assert.equal(files.find((f) => f.path === 'notes.txt').size, 22);
  // Thumbnails load (the server's resized images), one per image.
  await page.locator('[data-testid=file-row]').nth(2).waitFor();
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('img.thumb')];
    return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  });
  const thumb = await page.evaluate(() => {
    const i = document.querySelector('button[aria-label="Preview red.png"] img.thumb');
    return { src: i.src, w: i.naturalWidth, h: i.naturalHeight };
  });
  assert.match(thumb.src, /w=96&h=96&fit=cover/);
  assert.deepEqual([thumb.w, thumb.h], [96, 96], 'the thumbnail of the 400×300 image is the server-made 96×96 variant');
  await shoot('storage');
  // Preview the red image.
  await page.getByRole('button', { name: 'Preview red.png' }).click();
  await page.waitForFunction(() => {
    const i = document.querySelector('[data-testid=preview-img]');
    return i && i.complete && i.naturalWidth === 400 && i.naturalHeight === 300;
  });
  await shoot('storage-preview');
  await page.keyboard.press('Escape');
  // Delete asks first, then the file is gone from the server.
  await page.getByRole('button', { name: 'Delete notes.txt' }).click();
  await page.click('[data-testid=confirm-yes]');
  await toast(/notes\.txt deleted/);
  const after = await api('GET', `/v1/admin/storage/buckets/${bucket}/files?folders=true`);
  assert.deepEqual(after.files.map((f) => f.path).sort(), ['blue.png', 'red.png']);
  // A new bucket that takes only images, made in the page: a text file is
  // refused with the server's reason and nothing is stored.
  await page.getByRole('button', { name: 'New bucket' }).click();
  await page.fill('[data-testid=bucket-name]', 'pics');
  await page.getByLabel('Allowed content types').fill('image/*');
  await page.click('[data-testid=bucket-save]');
  await toast(/Bucket pics created/);
  assert.equal(await page.locator('[data-testid=bucket-select]').inputValue(), 'pics');
  await page.setInputFiles('[data-testid=upload-input]', [{ name: 'evil.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') }]);
  const refused = page.locator('[data-testid=upload-item][data-state=failed]');
  await refused.waitFor();
  assert.match(await refused.innerText(), /type|allowed/i);
  const pics = await api('GET', '/v1/admin/storage/buckets/pics/files?folders=true');
  assert.deepEqual(pics.files, []);
  const { data: buckets } = await api('GET', '/v1/admin/storage/buckets');
  assert.deepEqual(buckets.find((b) => b.name === 'pics').allowedTypes, ['image/*']);
  await page.selectOption('[data-testid=bucket-select]', bucket);
  await page.locator('[data-testid=file-row]').first().waitFor();
  // Bucket settings show the rule.
  await page.click('[data-testid=bucket-settings]');
  await page.locator('dialog[open] input[type=radio][value=READONLY]').waitFor();
  await shoot('storage-settings');
  // A custom rule whose write expression does not parse: the server's
  // message (the side and the position) shows before saving, Save is off
  // and the bucket keeps its rule; fixed, it saves.
  await page.check('dialog[open] input[type=radio][value=CUSTOM]');
  await page.fill('[data-testid=bucket-rule-write]', 'resource.openid == ');
  await page.locator('[data-testid=bucket-rule-status][data-state=invalid]').waitFor();
  assert.match(await page.locator('[data-testid=bucket-rule-status]').innerText(), /rule write: at character \d+/);
  assert.equal(await page.locator('[data-testid=bucket-save]').isDisabled(), true);
  assert.equal((await api('GET', `/v1/admin/storage/buckets/${bucket}`)).bucket.rule, 'READONLY');
  await page.fill('[data-testid=bucket-rule-write]', 'resource.openid == auth.openid');
  await page.locator('[data-testid=bucket-rule-status][data-state=ok]').waitFor();
  await page.click('[data-testid=bucket-save]');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  assert.deepEqual((await api('GET', `/v1/admin/storage/buckets/${bucket}`)).bucket.rule, { read: true, write: 'resource.openid == auth.openid' });
});

test('functions: create, edit and deploy, run, see the log, compare versions', async () => {
  await page.click('[data-testid=nav-functions]');
  await page.fill('[data-testid=fn-new-name]', 'double');
  await page.click('[data-testid=fn-create]');
  await toast(/double deployed as version #1/);
  // The editor is CodeMirror, loaded as a chunk of its own.
  const editor = page.locator('[data-testid=code-editor] .cm-content');
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type("exports.main = async (event) => { console.log('doubling', event.n); if (typeof event.n !== 'number') throw new Error('n must be a number'); return { doubled: event.n * 2 }; };");
  // Completion offers names from functions/types.d.ts.
  await page.keyboard.press('Enter');
  await page.keyboard.type('getWXCon');
  await page.locator('.cm-tooltip-autocomplete', { hasText: 'getWXContext' }).waitFor();
  await page.keyboard.press('Escape');
  for (let i = 0; i < 'getWXCon'.length; i++) await page.keyboard.press('Backspace');
  await shoot('functions-code');
  await page.click('[data-testid=fn-deploy]');
  await toast(/double deployed as version #2/);
  const live = await fetch(`${server.endpoint}/v1/admin/functions/double/files/index.js`, { headers: { Authorization: `Bearer ${server.adminKey}` } });
  assert.match(await live.text(), /doubled: event\.n \* 2/);

  // Run it.
  await page.click('[data-testid=fn-tab-run]');
  await page.fill('[data-testid=fn-event]', '{"n": 21}');
  await page.click('[data-testid=fn-run]');
  const result = page.locator('[data-testid=fn-result]');
  await result.waitFor();
  assert.deepEqual(JSON.parse(await result.innerText()), { doubled: 42 });
  await page.locator('[data-testid=fn-logs]', { hasText: 'doubling 21' }).waitFor();
  await shoot('functions-run');
  // A run that throws shows the function's error and its output.
  await page.fill('[data-testid=fn-event]', '{"x": 1}');
  await page.click('[data-testid=fn-run]');
  await page.locator('[data-testid=fn-error]', { hasText: 'n must be a number' }).waitFor();
  await page.locator('[data-testid=fn-logs]', { hasText: 'doubling undefined' }).waitFor();
  assert.equal(await page.locator('[data-testid=fn-result]').count(), 0);
  await shoot('functions-run-error');
  await page.fill('[data-testid=fn-event]', '{"n": 21}');
  await page.click('[data-testid=fn-run]');
  await page.locator('[data-testid=fn-result]').waitFor();

  // Its log, found by the request id the run panel links to.
  await page.click('[data-testid=fn-run-result] a.mono');
  await page.locator('[data-testid=log-row]').first().waitFor();
  assert.equal(await page.locator('[data-testid=log-row]').count(), 1);
  await page.locator('[data-testid=log-row] button').first().click();
  await page.locator('.log-more', { hasText: 'doubling 21' }).waitFor();
  await shoot('logs');
  // The live tail: an invocation made elsewhere appears on top as it ends.
  await page.goto(server.endpoint + '/_/logs');
  await page.locator('[data-testid=log-row]').first().waitFor();
  const before = await page.locator('[data-testid=log-row]').count();
  await page.click('[data-testid=logs-live]');
  await page.locator('[data-testid=logs-live][aria-pressed=true]').waitFor();
  const inv = await api('POST', '/v1/functions/double/invoke', { data: { n: 5 } });
  assert.deepEqual(inv.result, { doubled: 10 });
  await page.locator('[data-testid=log-row]', { hasText: inv.requestID }).waitFor();
  assert.equal(await page.locator('[data-testid=log-row]').count(), before + 1);
  assert.match(await page.locator('[data-testid=log-row]').first().innerText(), /double/);
  await page.click('[data-testid=logs-live]');

  // Versions: #1 and #2, their diff, a rollback to #1.
  await page.goto(server.endpoint + '/_/functions/double?tab=versions');
  await page.locator('[data-testid=fn-versions] tbody tr').nth(1).waitFor();
  await page.click('[data-testid=fn-diff]');
  const diff = page.locator('[data-testid=diff-out]');
  await diff.waitFor();
  const text = await diff.innerText();
  assert.match(text, /\+ exports\.main = async \(event\) => \{ console\.log\('doubling'/);
  assert.match(text, /- +return \{ openid: OPENID, event \};/);
  await shoot('functions-versions');
  await page.getByRole('button', { name: 'Roll back' }).click();
  await page.click('[data-testid=confirm-yes]');
  await toast(/Rolled back to #1: live version is now #3/);
  const now = await fetch(`${server.endpoint}/v1/admin/functions/double/files/index.js`, { headers: { Authorization: `Bearer ${server.adminKey}` } });
  assert.match(await now.text(), /getWXContext/);

  // The configuration: a timeout and an environment variable, deployed.
  await page.click('[data-testid=fn-tab-config]');
  await page.fill('[data-testid=fn-timeout]', '7');
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.getByLabel('Variable name').fill('GREETING');
  await page.getByLabel('Value', { exact: true }).fill('hi');
  await page.getByLabel('Triggers and routes (the rest of config.json)').fill('{"triggers": [{"name": "nightly", "type": "timer", "config": "0 0 2 * * * *"}]}');
  await shoot('functions-config');
  await page.getByRole('button', { name: 'Save and deploy' }).click();
  await toast(/double deployed as version #4/);
  const det = await api('GET', '/v1/admin/functions/double');
  assert.equal(det.timeout, 7);
  assert.deepEqual(det.config.envVariables, { GREETING: 'hi' });
  assert.equal(det.timer.config, '0 0 2 * * * *');
  // A bad event is refused in the page, before any call.
  await page.click('[data-testid=fn-tab-run]');
  await page.fill('[data-testid=fn-event]', '{"n": ');
  assert.equal(await page.locator('[data-testid=fn-run]').isDisabled(), true);
  await page.click('[data-testid=fn-tab-triggers]');
  await page.locator('[data-testid=fn-cron]', { hasText: '0 0 2 * * * *' }).waitFor();
  if (det.triggers) {
    // A server with the console's trigger detail gives the next five runs (02:00 UTC+8 each day).
    await page.locator('[data-testid=fn-cron] tr').nth(4).waitFor();
    assert.equal(await page.locator('[data-testid=fn-cron] tr').count(), 5);
  }
  await shoot('functions-triggers');
  await page.click('[data-testid=nav-functions]');
  await page.locator('[data-testid=fn-table]').waitFor();
  await shoot('functions');
});

test('users: search, view, disable', async () => {
  await page.click('[data-testid=nav-users]');
  await page.locator('[data-testid=user-row]').first().waitFor();
  await shoot('users');
  await page.locator('[data-testid=user-row] a').first().click();
  await page.locator('[data-testid=login-methods]', { hasText: 'ANONYMOUS' }).waitFor();
  await page.click('[data-testid=user-toggle]');
  await toast(/User disabled/);
  const { data } = await api('GET', '/v1/admin/users');
  assert.equal(data[0].disabled, true);
  await shoot('user');
  // A search that matches nobody says so.
  await page.click('[data-testid=nav-users]');
  await page.fill('[data-testid=user-search]', 'nobody-matches-this');
  await page.keyboard.press('Enter');
  await page.getByText('No user matches').waitFor();
});
