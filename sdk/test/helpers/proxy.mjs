// startProxy runs a TCP proxy on 127.0.0.1 in front of endpoint (an
// http://host:port), so a test can cut every connection through it at
// once, without a closing handshake, as a network that goes away does.
import net from 'node:net';

export function startProxy(endpoint) {
  const target = new URL(endpoint);
  const open = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = [client, upstream];
    open.add(pair);
    const end = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        endpoint: `http://127.0.0.1:${server.address().port}`,
        /** Cuts every connection now (a reset, no close frame). */
        drop() {
          for (const [c, u] of open) {
            c.resetAndDestroy();
            u.destroy();
          }
          open.clear();
        },
        close: () => new Promise((r) => server.close(r)),
      }),
    );
  });
}
