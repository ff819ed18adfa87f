// The admin console (/_/) in real headless Chromium against a real
// `minibase serve`: first-run setup with the admin key the server printed
// (a wrong key refused first), sign out and in again (a wrong password
// refused first), create a collection,
// add and edit a document, query it in the console, set a rule and explain
// a denial, see the server's error in a toast, switch language (kept
// across a reload), open deep links, sign out. Every page is saved as a
// screenshot at 1280 px and 390 px under e2e/out/screenshots/ for a person
// to look at, and the first paint is recorded in e2e/out/console-paint.json.
//
// The server is $MINIBASE_BIN (make e2e: bin/minibase); the browser is
// Debian's /usr/bin/chromium ($CHROMIUM to use another).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../sdk/test/helpers/server.mjs';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic'];
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');
const SHOTS = join(OUT, 'screenshots');
const EMAIL = 'owner@example.com';
const PASSWORD = 'a long enough password';
// Generous: the machine may be shared and busy; every wait ends as soon as its condition holds.
const WAIT = { timeout: 30_000 };

let server, browser, context, page, profile;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  profile = mkdtempSync(join(tmpdir(), 'minibase-e2e-console-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
  });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await server?.stop();
});

// admin asks the server from Node with the admin key.
async function admin(method, path, body) {
  const res = await fetch(server.endpoint + path, {
    method,
    headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

async function shot(name) {
  await page.waitForFunction(() => !document.body.innerText.includes('Loading…') && !document.body.innerText.includes('加载中…'), null, WAIT).catch(() => {});
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// fillCode types text into a code editor: CodeMirror once its chunk has
// loaded (the editor says data-ready), which the test waits for.
async function fillCode(testid, text) {
  const box = page.getByTestId(testid);
  await box.and(page.locator('[data-ready="true"]')).waitFor(WAIT);
  await box.locator('.cm-content').fill(text);
}

// toast waits for a toast whose text matches re and returns its text.
async function toast(re, kind = 'ok') {
  const t = page.locator(`.toast-${kind}`).filter({ hasText: re }).last();
  await t.waitFor(WAIT);
  return t.innerText();
}

test('the console, from first-run setup to sign-out', async () => {
  // A new server: a deep link opens first-run setup.
  await page.goto(server.endpoint + '/_/database');
  await page.getByRole('heading', { name: 'Set up minibase' }).waitFor(WAIT);
  await shot('setup-1280');
  await page.getByLabel('Admin key').fill('mbk_not_the_key_0123456789');
  await page.getByLabel('Your email').fill(EMAIL);
  await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
  await page.getByLabel('Password again').fill(PASSWORD + '!');
  assert.equal(await page.getByRole('button', { name: 'Create the admin account' }).isDisabled(), true, 'differing passwords');
  await page.getByLabel('Password again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create the admin account' }).click();
  await toast(/admin key/i, 'error');
  assert.equal((await (await fetch(server.endpoint + '/v1/admin/setup')).json()).needed, true, 'a wrong key creates nothing');
  await page.getByLabel('Admin key').fill(server.adminKey);
  await page.getByRole('button', { name: 'Create the admin account' }).click();
  await page.getByTestId('sign-out').waitFor(WAIT);
  assert.equal((await (await fetch(server.endpoint + '/v1/admin/setup')).json()).needed, false);

  // Sign out; sign in again.
  await page.getByTestId('sign-out').click();
  await page.getByRole('heading', { name: 'Sign in to minibase' }).waitFor(WAIT);
  await page.goto(server.endpoint + '/_/database');
  await page.getByRole('heading', { name: 'Sign in to minibase' }).waitFor(WAIT);
  await shot('signin-1280');

  // A wrong password: the server's message in an error toast, still signed out.
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const refused = await toast(/INVALID_CREDENTIALS/, 'error');
  assert.match(refused, /invalid account or credentials/);

  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('sign-out').waitFor(WAIT);
  assert.match(await page.locator('.who').innerText(), new RegExp(EMAIL));
  // The deep link's page is the one shown.
  await page.getByRole('heading', { name: 'Database', exact: true }).waitFor(WAIT);

  // Create a collection; creating it again shows the server's error.
  await page.getByTestId('new-collection').fill('notes');
  await page.getByRole('button', { name: 'Create collection' }).click();
  await toast(/Collection notes created/);
  await page.getByTestId('coll-notes').waitFor(WAIT);
  await page.getByTestId('new-collection').fill('notes');
  await page.getByRole('button', { name: 'Create collection' }).click();
  const exists = await toast(/notes/, 'error');
  assert.match(exists, /exist/i);
  await shot('database-1280');

  // Add a document in the JSON editor: invalid JSON keeps Save disabled.
  await page.getByTestId('coll-notes').click();
  await page.getByTestId('tab-documents').waitFor(WAIT);
  await page.getByTestId('doc-add').click();
  await fillCode('doc-json', '{"title": "hello", ');
  assert.equal(await page.getByTestId('doc-save').isDisabled(), true);
  assert.match(await page.getByTestId('doc-json-status').innerText(), /Not valid JSON/);
  await fillCode('doc-json', '{"title": "hello", "n": 1, "at": {"$date": "not a date"}}');
  assert.match(await page.getByTestId('doc-json-status').innerText(), /at: a date is/);
  await fillCode('doc-json', '{"title": "hello", "n": 1, "at": {"$date": "2026-12-07T10:00:00Z"}}');
  await shot('doc-editor-1280');
  await page.getByTestId('doc-save').click();
  await toast(/added/);
  await page.getByTestId('docs').getByText('"title":"hello"').waitFor(WAIT);
  let { data } = await admin('POST', '/v1/db/notes/query', { filter: {} });
  assert.equal(data.length, 1);
  const id = data[0]._id;
  await shot('documents-1280');

  // Edit it.
  await page.getByTestId('docs').getByRole('button', { name: 'Edit' }).click();
  await fillCode('doc-json', '{"title": "hello edited", "n": 2}');
  await page.getByTestId('doc-save').click();
  await toast(/saved/);
  ({ data } = await admin('POST', '/v1/db/notes/query', { filter: {} }));
  assert.deepEqual(data.map((d) => [d._id, d.title, d.n]), [[id, 'hello edited', 2]]);

  // The query console: a wx.cloud chain.
  await page.getByTestId('tab-query').click();
  await page.getByTestId('q-input').fill(`db.collection('notes').where({ n: _.gt(1) }).limit(5).get()`);
  await page.getByTestId('q-run').click();
  const result = page.getByTestId('q-result');
  await result.getByText('hello edited').waitFor(WAIT);
  assert.match(await result.innerText(), /\d+(\.\d+)? ms/);
  // The server's plan: no index on n, so a full scan.
  assert.match(await page.getByTestId('q-plan').innerText(), /Full scan/);
  await page.getByTestId('q-input').fill(`db.collection('notes').where({ n: eval(1) }).get()`);
  assert.equal(await page.getByTestId('q-run').isDisabled(), true, 'a chain the console cannot read does not run');
  await shot('query-1280');

  // Indexes.
  await page.getByTestId('tab-indexes').click();
  await page.getByRole('heading', { name: 'New index' }).waitFor(WAIT);
  await shot('indexes-1280');

  // Rules: ADMINONLY, then explain a visitor's read: denied, with the rule.
  await page.getByTestId('tab-rules').click();
  await page.getByTestId('preset-ADMINONLY').click();
  await page.getByTestId('rules-save').click();
  await toast(/Rules saved/);
  await page.getByTestId('rules-current').getByText(/ADMINONLY/).waitFor(WAIT);
  assert.equal((await admin('GET', '/v1/admin/collections/notes/rules')).preset, 'ADMINONLY');
  await page.getByTestId('preset-custom').click();
  await page.getByTestId('rules-custom').fill('{"read": "auth.uid != null && (doc.n > 1", "writ": true}');
  assert.match(await page.getByTestId('rules-custom-status').innerText(), /Unknown key "writ"|does not pair up/);
  assert.equal(await page.getByTestId('rules-save').isDisabled(), true);
  await page.getByTestId('preset-ADMINONLY').click();
  await page.getByTestId('explain-run').click();
  const verdict = page.getByTestId('explain-result');
  await verdict.waitFor(WAIT);
  const verdictText = await verdict.innerText();
  assert.match(verdictText, /Denied/);
  assert.match(verdictText, /ADMINONLY|false/);
  await shot('rules-1280');

  // A custom rule whose JSON is well formed but whose expression is not:
  // the server's own message (the rule and the position), before any save,
  // and Save stays off; fixed, the server accepts it and it saves.
  const status = page.getByTestId('rules-custom-status');
  await page.getByTestId('preset-custom').click();
  await page.getByTestId('rules-custom').fill('{"read": "auth.uid != null &&", "write": false}');
  await page.locator('[data-testid="rules-custom-status"][data-state="invalid"]').waitFor(WAIT);
  assert.match(await status.innerText(), /rule "read": at character 20: unexpected end/);
  assert.equal(await page.getByTestId('rules-save').isDisabled(), true);
  assert.equal((await admin('GET', '/v1/admin/collections/notes/rules')).preset, 'ADMINONLY'); // nothing saved
  await page.getByTestId('rules-custom').fill('{"read": "auth.uid != null", "write": false}');
  await page.locator('[data-testid="rules-custom-status"][data-state="ok"]').waitFor(WAIT);
  assert.match(await status.innerText(), /The server accepts this rule/);
  await page.getByTestId('rules-save').click();
  await page.getByTestId('rules-current').getByText(/auth\.uid != null/).waitFor(WAIT); // an earlier "saved" toast may still show
  assert.deepEqual(await admin('GET', '/v1/admin/collections/notes/rules'), { read: 'auth.uid != null', write: false });
  await page.getByTestId('preset-ADMINONLY').click();
  await page.getByTestId('rules-save').click();
  await page.getByTestId('rules-current').getByText(/ADMINONLY/).waitFor(WAIT);

  // Settings: turn anonymous sign-in off; the server applies it at once.
  await page.getByTestId('nav-settings').click();
  await page.getByLabel('Anonymous sign-in').uncheck();
  await page.getByTestId('settings-save').click();
  await toast(/1 settings saved/);
  const saved = await admin('GET', '/v1/admin/settings');
  assert.equal(saved.settings['auth.anonymous'], false);
  assert.equal(saved.sources['auth.anonymous'], 'db');
  assert.equal((await fetch(server.endpoint + '/v1/auth/anonymous', { method: 'POST' })).ok, false, 'anonymous sign-in is off');
  // A value the server refuses: its message, nothing saved.
  await page.getByLabel('Public URL (https://…)').fill('not a url');
  await page.getByTestId('settings-save').click();
  await toast(/app\.publicURL/, 'error');
  assert.equal((await admin('GET', '/v1/admin/settings')).sources['app.publicURL'], 'default');

  // Every area at desktop width.
  for (const area of ['overview', 'storage', 'users', 'functions', 'logs', 'settings']) {
    await page.getByTestId('nav-' + area).click();
    await page.waitForURL(new RegExp('/_/' + (area === 'overview' ? '$' : area)));
    await shot(`${area}-1280`);
  }
  // The overview's figures come from the server (one collection, one document).
  await page.getByTestId('nav-overview').click();
  await page.getByTestId('figure-collections').getByText('1', { exact: true }).waitFor(WAIT);
  await page.getByTestId('figure-documents').getByText('1', { exact: true }).waitFor(WAIT);

  // Switch to Chinese: the nav changes, and the choice survives a reload.
  await page.getByTestId('lang-switch').selectOption('zh-CN');
  await page.getByTestId('nav-database').getByText('数据库').waitFor(WAIT);
  await page.reload();
  await page.getByTestId('nav-database').getByText('数据库').waitFor(WAIT);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');

  // Every page at phone width, in Chinese; the menu opens from the button.
  await page.setViewportSize({ width: 390, height: 844 });
  const pages = {
    overview: '/_/',
    database: '/_/database',
    documents: '/_/database/notes/documents',
    query: '/_/database/notes/query',
    indexes: '/_/database/notes/indexes',
    rules: '/_/database/notes/rules',
    storage: '/_/storage',
    users: '/_/users',
    functions: '/_/functions',
    logs: '/_/logs',
    settings: '/_/settings',
  };
  for (const [name, path] of Object.entries(pages)) {
    await page.goto(server.endpoint + path);
    await page.getByTestId('sign-out').waitFor(WAIT);
    await shot(`${name}-390`);
  }
  await page.getByRole('button', { name: '菜单' }).click();
  await page.getByTestId('nav-settings').waitFor({ state: 'visible', ...WAIT });
  await shot('menu-390');
  await page.setViewportSize({ width: 1280, height: 860 });

  // Sign out: back to the sign-in page, and the session is gone from storage.
  await page.goto(server.endpoint + '/_/');
  await page.getByTestId('sign-out').click();
  await page.getByRole('heading', { name: '登录 minibase' }).waitFor(WAIT);
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('minibase:session:')));
  assert.deepEqual(stored, []);
  await page.goto(server.endpoint + '/_/database');
  await page.getByRole('heading', { name: '登录 minibase' }).waitFor(WAIT);
});

test('first paint of the console', async () => {
  const p = await context.newPage();
  const runs = [];
  for (let i = 0; i < 5; i++) {
    await p.goto(server.endpoint + '/_/?run=' + i, { waitUntil: 'load' });
    await p.getByRole('button').first().waitFor(WAIT);
    runs.push(
      await p.evaluate(() => Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, Math.round(e.startTime)]))),
    );
  }
  const fcp = runs.map((r) => r['first-contentful-paint']).filter((x) => typeof x === 'number');
  assert.equal(fcp.length, runs.length, `every load paints: ${JSON.stringify(runs)}`);
  writeFileSync(join(OUT, 'console-paint.json'), JSON.stringify({ runs, medianFCP: fcp.sort((a, b) => a - b)[2] }, null, 2));
  console.log('console paint (ms):', JSON.stringify(runs));
  await p.close();
});
