// wx-server-sdk's storage calls, step by step: each step names a call and
// its options; fileContent is described in JSON (content below). Each
// step's result, or its error's errCode and errMsg, is returned.
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

const content = (c) => {
  if (c === null || typeof c !== 'object') return c; // as it is: a number, undefined
  if (c.text !== undefined) return Buffer.from(c.text);
  if (c.string !== undefined) return c.string;
  if (c.bytes !== undefined) return new Uint8Array(c.bytes).map((_, i) => i % 256);
  if (c.arrayBuffer !== undefined) return new TextEncoder().encode(c.arrayBuffer).buffer;
  if (c.view !== undefined) {
    const b = Buffer.from('<<' + c.view + '>>');
    return new DataView(b.buffer, b.byteOffset + 2, b.length - 4);
  }
  if (c.size !== undefined) return Buffer.alloc(c.size, 'x');
  return c;
};

exports.main = async (event) => {
  const out = [];
  for (const step of event.steps) {
    let opts = step.args;
    if (opts && typeof opts === 'object' && 'fileContent' in opts) opts = { ...opts, fileContent: content(opts.fileContent) };
    try {
      const r = await cloud[step.call](opts);
      if (r.fileContent !== undefined) {
        const c = r.fileContent;
        r.fileContent = { isBuffer: Buffer.isBuffer(c), length: c.length, base64: c.toString('base64') };
      }
      out.push(r);
    } catch (e) {
      out.push({ error: true, isError: e instanceof Error, errCode: e.errCode, errMsg: e.errMsg });
    }
  }
  return out;
};
