// fetch against event.base (a test server on 127.0.0.1).
exports.main = async (event) => {
  const out = {};
  try {
    switch (event.mode) {
      case 'json': {
        const r = await fetch(event.base + '/json?q=1', { headers: { 'X-Test': 'yes' } });
        out.status = r.status;
        out.ok = r.ok;
        out.type = r.headers.get('content-type');
        out.body = await r.json();
        break;
      }
      case 'post': {
        const r = await fetch(event.base + '/echo', { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } });
        out.status = r.status;
        out.text = await r.text();
        break;
      }
      case 'form': {
        const r = await fetch(event.base + '/echo', { method: 'POST', body: new URLSearchParams({ x: '1 2' }) });
        out.text = await r.text();
        break;
      }
      case 'status': {
        const r = await fetch(event.base + '/teapot');
        out.status = r.status;
        out.ok = r.ok;
        out.statusText = r.statusText;
        break;
      }
      case 'redirect': {
        const r = await fetch(event.base + '/redirect');
        out.status = r.status;
        out.redirected = r.redirected;
        out.text = await r.text();
        break;
      }
      default: {
        const r = await fetch(event.url, { timeout: event.timeout });
        out.status = r.status;
        out.length = (await r.arrayBuffer()).byteLength;
      }
    }
  } catch (e) {
    out.error = e.name + ': ' + e.message;
  }
  return out;
};
