// minibase from a web page on another origin, in real headless Chromium:
// the page imports the SDK from the server's /sdk/, signs in, writes, reads
// and uploads (preflighted requests: JSON bodies and a bearer token) when
// its origin is in MINIBASE_CORS_ORIGINS, and is stopped by the browser,
// with nothing written, when it is not.
//
// The server is $MINIBASE_BIN (make e2e: bin/minibase); the browser is
// Debian's /usr/bin/chromium ($CHROMIUM to use another), launched once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../sdk/test/helpers/server.mjs';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic'];

let server, allowed, other, context, profile;

// pageServer serves one page on a free 127.0.0.1 port: a module script that
// imports the SDK from the minibase server (set .endpoint before loading
// it), as the README shows, and hands the initialised SDK to the test as
// window.cloud (or the import's error as window.importError).
async function pageServer() {
  const s = { endpoint: '', origin: '', close: null };
  const page = () => `<!doctype html>
<meta charset="utf-8">
<title>minibase e2e</title>
<script type="module">
  try {
    const { default: cloud } = await import(${JSON.stringify(s.endpoint + '/sdk/minibase.mjs')});
    cloud.init({ endpoint: ${JSON.stringify(s.endpoint)} });
    window.cloud = cloud;
  } catch (e) {
    window.importError = String(e);
  }
</script>`;
  const srv = http.createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(req.url === '/' ? page() : 'not found');
  });
  await new Promise((res, rej) => srv.once('error', rej).listen(0, '127.0.0.1', res));
  s.origin = `http://127.0.0.1:${srv.address().port}`;
  s.close = () => new Promise((res) => srv.close(res));
  return s;
}

before(async () => {
  allowed = await pageServer();
  other = await pageServer();
  server = await startServer({ env: { MINIBASE_CORS_ORIGINS: allowed.origin } });
  allowed.endpoint = other.endpoint = server.endpoint;
  await admin('/v1/admin/collections', { name: 'notes' }); // clients write to collections, admins make them
  profile = mkdtempSync(join(tmpdir(), 'minibase-e2e-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await allowed?.close();
  await other?.close();
  await server?.stop();
});

// open loads the page of s in a new tab and waits until the SDK is imported;
// it collects the console's messages (Chromium reports CORS refusals there).
async function open(s) {
  const page = await context.newPage();
  const messages = [];
  page.on('console', (m) => messages.push(m.text()));
  await page.goto(s.origin + '/');
  await page.waitForFunction(() => window.cloud || window.importError, null, { timeout: 15_000 });
  const importError = await page.evaluate(() => window.importError);
  assert.equal(importError, undefined, `the page on ${s.origin} could not import the SDK`);
  return { page, messages };
}

// admin asks the server from Node, with the admin key (no CORS here).
async function admin(path, body) {
  const res = await fetch(server.endpoint + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

test('a page on an allowed origin uses the whole SDK', async () => {
  const { page } = await open(allowed);
  const got = await page.evaluate(async () => {
    const cloud = window.cloud;
    const out = {};
    const { user } = await cloud.auth().signInAnonymously();
    out.signedIn = typeof user.uid === 'string' && user.uid.length > 0;
    const db = cloud.database();
    const added = await db.collection('notes').add({ data: { text: 'from chromium', n: 1 } });
    out.id = added._id;
    const { data } = await db.collection('notes').where({ n: 1 }).get();
    out.texts = data.map((d) => d.text);
    out.openidStamped = data.every((d) => d._openid === user.openid);
    // An error answer reaches the page with the server's code, not as a
    // network error: error responses carry the CORS headers too.
    try {
      await db.collection('notes').doc('no-such-note').get();
      out.missing = 'found';
    } catch (e) {
      out.missing = e.code ?? e.errMsg;
    }
    const up = await cloud.uploadFile({ cloudPath: 'e2e/hello.txt', file: new Blob(['hello from chromium']) });
    out.fileID = up.fileID;
    const down = await cloud.downloadFile({ fileID: up.fileID });
    out.downloaded = new TextDecoder().decode(down.fileContent);
    const { fileList } = await cloud.getTempFileURL({ fileList: [up.fileID] });
    const res = await fetch(fileList[0].tempFileURL); // a plain cross-origin fetch of /f/…
    out.fetched = await res.text();
    return out;
  });
  assert.equal(got.signedIn, true);
  assert.match(got.id, /^[0-9a-f]{32}$/);
  assert.deepEqual(got.texts, ['from chromium']);
  assert.equal(got.openidStamped, true);
  assert.equal(got.missing, 'DATABASE_DOCUMENT_NOT_EXIST');
  assert.match(got.fileID, /^cloud:\/\/.+e2e\/hello\.txt$/);
  assert.equal(got.downloaded, 'hello from chromium');
  assert.equal(got.fetched, 'hello from chromium');
  // The server has the document.
  const { data } = await admin('/v1/db/notes/query', { filter: { n: 1 } });
  assert.equal(data.length, 1);
  await page.close();
});

test('a page on another origin imports the SDK but cannot call the API', async () => {
  // A real user's token, so only the origin is wrong.
  const res = await fetch(server.endpoint + '/v1/auth/anonymous', { method: 'POST' });
  assert.equal(res.status, 200);
  const { access_token: token } = await res.json();
  const { page, messages } = await open(other);
  const got = await page.evaluate(async ({ endpoint, token }) => {
    const out = {};
    try {
      await window.cloud.auth().signInAnonymously();
      out.signIn = 'ok';
    } catch (e) {
      out.signIn = e.errMsg;
    }
    const cloud = window.cloud;
    cloud.init({ endpoint, accessToken: token });
    try {
      await cloud.database().collection('notes').add({ data: { text: 'from another origin', n: 2 } });
      out.add = 'ok';
    } catch (e) {
      out.add = e.errMsg;
    }
    return out;
  }, { endpoint: server.endpoint, token });
  assert.match(got.signIn, /network error: Failed to fetch/);
  assert.match(got.add, /network error: Failed to fetch/);
  const refusals = messages.filter((m) => m.includes('blocked by CORS policy') && m.includes(`'${other.origin}'`));
  assert.ok(refusals.length >= 2, `want Chromium's CORS refusals in the console, got:\n${messages.join('\n')}`);
  // The browser never sent the write: the preflight was refused.
  const { data } = await admin('/v1/db/notes/query', { filter: { n: 2 } });
  assert.deepEqual(data, []);
  await page.close();
});
