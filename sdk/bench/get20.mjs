// What the SDK costs on top of the HTTP request it makes: a get() of 20
// documents through cloud.database() against the same POST /v1/db/b/query
// with bare fetch + JSON.parse, in Node, on a real minibase. The two
// alternate request by request so drift and noise hit both sides alike.
//
//   node bench/get20.mjs [requests per side, default 3000]
//
// Uses $MINIBASE_BIN when set, else builds the server (test/helpers/server.mjs).
import { performance } from 'node:perf_hooks';
import { startServer } from '../test/helpers/server.mjs';
import cloud from '../dist/minibase.mjs';

const N = Number(process.argv[2] ?? 3000);
const DOCS = 200;

const srv = await startServer();
try {
  const auth = { Authorization: `Bearer ${srv.adminKey}`, 'Content-Type': 'application/json' };
  const docs = Array.from({ length: DOCS }, (_, i) => ({
    title: `post ${i}`,
    body: 'x'.repeat(200),
    n: i,
    tags: ['a', 'b', String(i % 7)],
    author: { name: `user${i % 13}`, level: i % 5 },
    created: { $date: new Date(Date.UTC(2026, 0, 1) + i * 60000).toISOString() },
  }));
  const ins = await fetch(`${srv.endpoint}/v1/db/b/insert`, { method: 'POST', headers: auth, body: JSON.stringify({ data: docs }) });
  if (ins.status !== 200) throw new Error(`seed: HTTP ${ins.status} ${await ins.text()}`);

  cloud.init({ endpoint: srv.endpoint, accessToken: srv.adminKey });
  const coll = cloud.database().collection('b');
  const sdk = async () => {
    const r = await coll.limit(20).get();
    if (r.data.length !== 20) throw new Error('sdk: wrong count');
  };
  const body = JSON.stringify({ filter: {}, limit: 20 });
  const bare = async () => {
    const res = await fetch(`${srv.endpoint}/v1/db/b/query`, { method: 'POST', headers: auth, body });
    const r = JSON.parse(await res.text());
    if (res.status !== 200 || r.data.length !== 20) throw new Error('bare: wrong answer');
  };

  const time = async (f) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  for (let i = 0; i < 500; i++) await time(i % 2 ? sdk : bare); // warm-up: JIT, connections, server caches

  // Alternate request by request (and which side goes first), so that the
  // machine's noise (GC, other processes on the same cores) lands on both.
  const tSdk = [];
  const tBare = [];
  for (let i = 0; i < N; i++) {
    if (i % 2 === 0) {
      tSdk.push(await time(sdk));
      tBare.push(await time(bare));
    } else {
      tBare.push(await time(bare));
      tSdk.push(await time(sdk));
    }
  }
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))];
  const us = (ms) => (ms * 1000).toFixed(0).padStart(5) + ' µs';
  const row = (name, a) => console.log(`  ${name} mean ${us(sum(a) / a.length)}, median ${us(q(a, 0.5))}, p90 ${us(q(a, 0.9))}`);
  console.log(`get() of 20 documents: ${N} sequential requests per side, alternating (Node ${process.version})`);
  row("SDK  cloud.database().collection('b').limit(20).get():", tSdk);
  row('bare fetch + JSON.parse, POST /v1/db/b/query:         ', tBare);
  console.log(`  ratio SDK/bare: mean ${(sum(tSdk) / sum(tBare)).toFixed(3)}, median ${(q(tSdk, 0.5) / q(tBare, 0.5)).toFixed(3)} (goal <= 1.1)`);
} finally {
  await srv.stop();
}
