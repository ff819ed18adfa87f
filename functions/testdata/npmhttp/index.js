// HTTP clients from npm over require('http') and require('https'), as real
// functions call other services: each client makes the same requests to
// the test's server (event.base) and says what it got
// (functions/node_http_test.go). With event.url, each client only GETs that
// URL and reports how it failed (the private-address and list tests).
const axios = require('axios');
const got = require('got');
const fetch = require('node-fetch');
const rp = require('request-promise');

const failed = (e) => [e.code || (e.cause && e.cause.code) || e.name, e.message];

const clients = {
  async axios(base) {
    const out = {};
    const r = await axios.get(base + '/json', { params: { a: 1 } });
    out.get = [r.status, r.data, r.headers['content-type'], r.headers['set-cookie']];
    out.post = (await axios.post(base + '/echo', { hello: 'axios' })).data;
    out.gzip = (await axios.get(base + '/gzip')).data;
    out.deflate = (await axios.get(base + '/deflate')).data;
    out.br = (await axios.get(base + '/br')).data;
    const rd = await axios.get(base + '/redirect');
    out.redirect = [rd.status, rd.data.q, rd.request.res.responseUrl];
    out.status = await axios.get(base + '/status/418').catch((e) => [e.message, e.response.status, e.response.data]);
    out.timeout = await axios.get(base + '/slow', { timeout: 200 }).catch((e) => [e.code, e.message]);
    out.stream = await axios.get(base + '/json', { responseType: 'stream' }).then((res) => new Promise((resolve, reject) => {
      let s = '';
      res.data.on('data', (c) => (s += c)).on('end', () => resolve(JSON.parse(s).method)).on('error', reject);
    }));
    return out;
  },

  async got(base) {
    const out = {};
    const r = await got(base + '/json', { searchParams: { a: 1 }, responseType: 'json' });
    out.get = [r.statusCode, r.body, r.headers['content-type'], r.headers['set-cookie']];
    out.post = await got.post(base + '/echo', { json: { hello: 'got' } }).json();
    out.gzip = await got(base + '/gzip').json();
    out.deflate = await got(base + '/deflate').json();
    out.br = await got(base + '/br').json();
    const rd = await got(base + '/redirect', { responseType: 'json' });
    out.redirect = [rd.statusCode, rd.body.q, rd.url, rd.redirectUrls.length];
    out.status = await got(base + '/status/418', { retry: 0 }).catch((e) => [e.name, e.message, e.response.statusCode]);
    out.timeout = await got(base + '/slow', { timeout: 200, retry: 0 }).catch((e) => [e.code, e.message]);
    out.stream = await new Promise((resolve, reject) => {
      let s = '';
      got.stream(base + '/json').on('data', (c) => (s += c)).on('end', () => resolve(JSON.parse(s).method)).on('error', reject);
    });
    return out;
  },

  async nodeFetch(base) {
    const out = {};
    let r = await fetch(base + '/json?a=1');
    out.get = [r.status, await r.json(), r.headers.get('content-type'), r.headers.raw()['set-cookie']];
    r = await fetch(base + '/echo', { method: 'POST', body: JSON.stringify({ hello: 'node-fetch' }), headers: { 'Content-Type': 'application/json' } });
    out.post = await r.json();
    out.gzip = await (await fetch(base + '/gzip')).json();
    out.deflate = await (await fetch(base + '/deflate')).json();
    out.br = await (await fetch(base + '/br')).json();
    r = await fetch(base + '/redirect');
    out.redirect = [r.status, (await r.json()).q, r.url, r.redirected];
    r = await fetch(base + '/redirect', { redirect: 'manual' });
    out.manual = [r.status, r.headers.get('location')];
    r = await fetch(base + '/status/418');
    out.status = [r.status, r.ok, await r.json()];
    out.timeout = await fetch(base + '/slow', { timeout: 200 }).catch((e) => [e.type, e.message.replace(base, 'BASE')]);
    out.stream = await fetch(base + '/json').then((res) => new Promise((resolve, reject) => {
      let s = '';
      res.body.on('data', (c) => (s += c)).on('end', () => resolve(JSON.parse(s).method)).on('error', reject);
    }));
    return out;
  },

  async requestPromise(base) {
    const out = {};
    const full = await rp({ uri: base + '/json', qs: { a: 1 }, json: true, resolveWithFullResponse: true });
    out.get = [full.statusCode, full.body, full.headers['content-type'], full.headers['set-cookie']];
    out.post = await rp({ method: 'POST', uri: base + '/echo', body: { hello: 'request' }, json: true });
    out.form = await rp.post(base + '/echo', { form: { a: 'x y' }, json: true });
    out.gzip = await rp({ uri: base + '/gzip', gzip: true, json: true });
    out.deflate = await rp({ uri: base + '/deflate', gzip: true, json: true });
    const rd = await rp({ uri: base + '/redirect', json: true, resolveWithFullResponse: true });
    out.redirect = [rd.statusCode, rd.body.q, rd.request.uri.href];
    out.status = await rp({ uri: base + '/status/418', json: true }).catch((e) => [e.name, e.statusCode, e.error]);
    out.timeout = await rp({ uri: base + '/slow', timeout: 200 }).catch((e) => [e.name, e.cause.code]);
    return out;
  },
};

// get GETs url and reads the body with each client (node: Node's own
// http.get): how it failed, or "ok <status>".
const get = {
  axios: (url) => axios.get(url),
  got: (url) => got(url, { retry: 0 }),
  nodeFetch: (url) => fetch(url).then(async (r) => {
    await r.text();
    return r;
  }),
  requestPromise: (url) => rp({ uri: url, resolveWithFullResponse: true }),
  node: (url) => new Promise((resolve, reject) => {
    require(url.startsWith('https:') ? 'https' : 'http').get(url, (res) => {
      res.on('data', () => {}).on('end', () => resolve(res)).on('error', reject);
    }).on('error', reject);
  }),
};

exports.main = async (event) => {
  if (event.self) { // a bundled function still reads its own files (not node_modules: they are in the bundle)
    const fs = require('fs');
    const pkg = JSON.parse(fs.readFileSync(require('path').join(__dirname, 'package.json'), 'utf8'));
    return { axios: pkg.dependencies.axios, files: fs.readdirSync('.') };
  }
  if (event.url !== undefined) {
    const out = {};
    for (const name of Object.keys(get)) {
      out[name] = await get[name](event.url).then((r) => `ok ${r.status || r.statusCode}`, failed);
    }
    return out;
  }
  if (event.ca !== undefined) { // an https server whose certificate is event.ca's
    const https = require('https');
    const url = event.base + '/json';
    const viaNode = (opts) => new Promise((resolve) => {
      https.get(url, opts, (res) => {
        let s = '';
        res.on('data', (c) => (s += c)).on('end', () => resolve(`ok ${res.statusCode} ${JSON.parse(s).method}`));
      }).on('error', (e) => resolve([e.code, e.message]));
    });
    return {
      untrusted: await viaNode({}),
      ca: await viaNode({ ca: event.ca }),
      insecure: await viaNode({ rejectUnauthorized: false }),
      axios: await axios.get(url, { httpsAgent: new https.Agent({ ca: event.ca }) }).then((r) => `ok ${r.status}`, failed),
      got: await got(url, { https: { certificateAuthority: event.ca }, retry: 0 }).then((r) => `ok ${r.statusCode}`, failed),
      untrustedAxios: await axios.get(url).then((r) => `ok ${r.status}`, failed),
    };
  }
  if (event.multipart !== undefined) { // multipart/form-data with the form-data package, as WeChat's media uploads
    const FormData = require('form-data');
    const url = event.multipart + '/multipart';
    const form = (who) => {
      const f = new FormData();
      f.append('openid', 'o-1');
      f.append('media', Buffer.from('hello from ' + who), { filename: 'a.txt', contentType: 'text/plain' });
      return f;
    };
    const own = new FormData(); // a file of the function's own, streamed from fs
    own.append('media', require('fs').createReadStream(require('path').join(__dirname, 'config.json')));
    return {
      axios: (await axios.post(url, form('axios'))).data,
      got: await got.post(url, { body: form('got') }).json(),
      requestPromise: await rp.post(url, { formData: { openid: 'o-1', media: { value: Buffer.from('hello from request'), options: { filename: 'a.txt', contentType: 'text/plain' } } }, json: true }),
      ownFile: (await axios.post(url, own)).data,
    };
  }
  if (event.body !== undefined) { // a body of event.body bytes, posted by each client
    const body = 'x'.repeat(event.body);
    const out = {};
    out.axios = await axios.post(event.base + '/echo', body).then((r) => `ok ${r.data.len}`, failed);
    out.got = await got.post(event.base + '/echo', { body, retry: 0 }).then((r) => `ok ${JSON.parse(r.body).len}`, failed);
    out.nodeFetch = await fetch(event.base + '/echo', { method: 'POST', body }).then((r) => `ok ${r.status}`, failed);
    return out;
  }
  return clients[event.client](event.base);
};
