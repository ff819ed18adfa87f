// A fake browser XMLHttpRequest over node:http, for the SDK's upload path
// in browsers: installXHR() puts it on globalThis (the SDK uses XHR when
// the global exists), and the function it returns takes it away.
//
// The part of the XHR contract the SDK uses: open(method, url),
// setRequestHeader, timeout, send(FormData) (serialised as a browser does,
// through Response), upload.onprogress({loaded, total, lengthComputable})
// after each 64 KiB written, then onload with status, responseText and
// getAllResponseHeaders(); onerror, ontimeout, onabort (abort()).
// Every instance is recorded in .instances.
import http from 'node:http';

export class FakeXHR {
  static instances = [];

  constructor() {
    this.upload = { onprogress: null };
    this.timeout = 0;
    this.headers = {};
    this.status = 0;
    this.responseText = '';
    this.rawHeaders = '';
    FakeXHR.instances.push(this);
  }

  open(method, url) {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(k, v) {
    this.headers[k] = v;
  }

  getAllResponseHeaders() {
    return this.rawHeaders;
  }

  abort() {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.req?.destroy();
    setTimeout(() => this.onabort?.());
  }

  async send(form) {
    const r = new Response(form);
    const body = Buffer.from(await r.arrayBuffer());
    if (this.done) return;
    const headers = { ...this.headers, 'content-type': r.headers.get('content-type'), 'content-length': body.length };
    const end = (cb) => {
      if (this.done) return;
      this.done = true;
      clearTimeout(this.timer);
      cb?.();
    };
    if (this.timeout) this.timer = setTimeout(() => end(() => (this.req.destroy(), this.ontimeout?.())), this.timeout);
    this.req = http.request(this.url, { method: this.method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        end(() => {
          this.status = res.statusCode;
          this.responseText = Buffer.concat(chunks).toString('utf8');
          this.rawHeaders = Object.entries(res.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
          this.onload?.();
        }),
      );
    });
    this.req.on('error', () => end(() => this.onerror?.()));
    const write = (off) => {
      if (this.done) return;
      if (off >= body.length) return void this.req.end();
      const to = Math.min(off + 65536, body.length);
      this.req.write(body.subarray(off, to), () => {
        this.upload.onprogress?.({ loaded: to, total: body.length, lengthComputable: true });
        write(to);
      });
    };
    write(0);
  }
}

/** Installs FakeXHR as globalThis.XMLHttpRequest; returns the uninstaller. */
export function installXHR() {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'XMLHttpRequest');
  FakeXHR.instances = [];
  globalThis.XMLHttpRequest = FakeXHR;
  return () => {
    if (saved) Object.defineProperty(globalThis, 'XMLHttpRequest', saved);
    else delete globalThis.XMLHttpRequest;
  };
}
