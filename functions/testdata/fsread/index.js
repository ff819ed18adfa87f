// Reads its own files with fs, as real functions do (templates, data,
// certificates), and tries what fs must refuse. event.path: read that
// path and say what happened.
const fs = require('fs');
const path = require('path');

const outcome = (fn) => {
  try {
    const v = fn();
    return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString() : v;
  } catch (e) {
    return `${e.code}: ${e.syscall}`;
  }
};

exports.main = async (event) => {
  if (event.path !== undefined) {
    return {
      read: outcome(() => fs.readFileSync(event.path, 'utf8')),
      exists: fs.existsSync(event.path),
      stat: outcome(() => fs.statSync(event.path).size),
      list: outcome(() => fs.readdirSync(event.path).join(',')),
      promise: await fs.promises.readFile(event.path, 'utf8').catch((e) => `${e.code}: ${e.syscall}`),
    };
  }
  const tpl = fs.readFileSync(path.join(__dirname, 'tpl.html'), 'utf8');
  const out = {};
  out.template = tpl.replace('{{name}}', 'minibase').trim();
  out.relative = fs.readFileSync('./data/a.json', 'utf8') === fs.readFileSync('/data/a.json').toString();
  out.json = JSON.parse(fs.readFileSync(path.resolve('data', 'a.json'))).answer;
  out.root = fs.readdirSync('/').filter((n) => n !== 'node_modules');
  out.types = fs.readdirSync('data', { withFileTypes: true }).map((d) => `${d.name}:${d.isDirectory() ? 'dir' : 'file'}`);
  out.recursive = fs.readdirSync('data', { recursive: true });
  const st = fs.statSync('tpl.html');
  out.stat = [st.isFile(), st.isDirectory(), st.size, fs.statSync('data').isDirectory(), (st.mode & 0o222) === 0];
  out.exists = [fs.existsSync('tpl.html'), fs.existsSync('nope'), fs.existsSync('data/sub')];
  out.callback = await new Promise((resolve) => fs.readFile('data/sub/b.txt', 'utf8', (err, s) => resolve([err, s])));
  out.promises = await fs.promises.readFile(new URL('file:///data/a.json'), { encoding: 'utf8' });
  out.stream = await new Promise((resolve, reject) => {
    const parts = [];
    fs.createReadStream('tpl.html', { start: 3, end: 7, highWaterMark: 2 })
      .on('data', (c) => parts.push(c.toString()))
      .on('error', reject)
      .on('end', () => resolve(parts));
  });
  const fd = fs.openSync('tpl.html', 'r');
  const buf = Buffer.alloc(5);
  out.fd = [fs.readSync(fd, buf, 0, 5, null), buf.toString(), fs.readSync(fd, buf, 0, 2, 0), fs.fstatSync(fd).size];
  fs.closeSync(fd);
  out.errors = {
    missing: outcome(() => fs.readFileSync('nope.txt')),
    directory: outcome(() => fs.readFileSync('data')),
    notDir: outcome(() => fs.readdirSync('tpl.html')),
    under: outcome(() => fs.statSync('tpl.html/x')),
    write: outcome(() => fs.writeFileSync('new.txt', 'x')),
    append: outcome(() => fs.appendFileSync('tpl.html', 'x')),
    mkdir: outcome(() => fs.mkdirSync('tmp')),
    unlink: outcome(() => fs.unlinkSync('tpl.html')),
    rename: outcome(() => fs.renameSync('tpl.html', 'b.html')),
    openWrite: outcome(() => fs.openSync('tpl.html', 'w')),
    accessWrite: outcome(() => fs.accessSync('tpl.html', fs.constants.W_OK)),
    closed: outcome(() => fs.closeSync(fd)),
    writeCb: await new Promise((resolve) => fs.writeFile('x', 'y', (e) => resolve(`${e.code}: ${e.syscall}`))),
    writePromise: await fs.promises.writeFile('x', 'y').catch((e) => `${e.code}: ${e.syscall}`),
    writeStream: await new Promise((resolve) => fs.createWriteStream('log.txt').on('error', (e) => resolve(`${e.code}: ${e.syscall}`))),
    nulByte: outcome(() => fs.readFileSync('tpl\u0000.html')),
  };
  return out;
};
