// localServer starts a plain HTTP server on 127.0.0.1 for the cases a real
// minibase cannot produce on demand: a proxy's HTML 502, a server that never
// answers, a header echo. Resolves to {url, requests, close()}.
import http from 'node:http';

export function localServer(handler) {
  const requests = [];
  const sockets = new Set();
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      handler(r, res);
    });
  });
  srv.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${srv.address().port}`,
        requests,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            srv.close(() => r());
          }),
      });
    });
  });
}

/** A URL on 127.0.0.1 where nothing listens (connection refused). */
export async function deadURL() {
  const s = await localServer(() => {});
  await s.close();
  return s.url;
}
