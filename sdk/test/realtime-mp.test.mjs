// query.watch() in a mini-program: the wx adapter opens the socket with
// wx.connectSocket (a fake over a real socket: test/helpers/fakewx.mjs),
// sends the token as a header, and resumes after the network drops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import { startProxy } from './helpers/proxy.mjs';
import { fakeWx } from './helpers/fakewx.mjs';
import { watching } from './helpers/watching.mjs';
import cloud from '../dist/minibase.mjs';

let srv, proxy, wx;

before(async () => {
  srv = await startServer();
  proxy = await startProxy(srv.endpoint);
  wx = globalThis.wx = fakeWx();
  cloud.init({ endpoint: proxy.endpoint, accessToken: srv.adminKey, adapter: 'wx' });
});
after(async () => {
  delete globalThis.wx;
  await proxy?.close();
  await srv?.stop();
});

async function insert(coll, data) {
  const r = await fetch(`${srv.endpoint}/v1/db/${coll}/insert`, {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + srv.adminKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ data }),
  });
  assert.equal(r.status, 200);
}

test('wx.connectSocket carries the watch, the token as a header, and is made again when it drops', async () => {
  await insert('mp', { _id: 'a' });
  const w = watching(cloud.database().collection('mp').orderBy('_id', 'asc'));
  const init = await w.next();
  assert.deepEqual(init.docs.map((d) => d._id), ['a']);
  const first = wx.calls.find((c) => c.api === 'connectSocket').options;
  assert.equal(first.url, proxy.endpoint.replace('http', 'ws') + '/v1/db/mp/watch', 'no token in the URL');
  assert.equal(first.header.Authorization, 'Bearer ' + srv.adminKey);
  assert.equal(wx.calls.filter((c) => c.api === 'request').length, 0, 'no HTTP request: the socket carries the watch');

  proxy.drop();
  await insert('mp', { _id: 'b' });
  const s = await w.next();
  assert.equal(s.id, init.id + 1);
  assert.deepEqual(s.docs.map((d) => d._id), ['a', 'b']);
  assert.ok(wx.sockets.length >= 2, 'a second connectSocket after the drop');
  await w.watcher.close();
});
