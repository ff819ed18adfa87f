/**
 * The query console's wx.cloud-style chain, read without eval (the
 * console's CSP forbids it):
 *
 *   db.collection('todos').where({ done: false, n: _.gt(3) }).orderBy('n', 'desc').skip(0).limit(20).field({ title: true }).get()
 *
 * Arguments are JavaScript-like literals: objects (bare or quoted keys),
 * arrays, 'single' or "double" strings, numbers, true/false/null,
 * commands _.gt(x), _.in([…]) … (→ {"$gt": x}) and new Date('…') (→
 * {"$date": "…"}). The result is the MongoDB-style query the server takes.
 * Anything else is a ChainError naming the position.
 */
import type { Query } from '../../api/db';

export class ChainError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(`${message} (at ${pos + 1})`);
  }
}

export interface Chain {
  collection?: string;
  query: Query;
  op: 'get' | 'count';
}

const MAX_INPUT = 20_000;
const MAX_DEPTH = 32;
const COMMANDS = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'exists', 'size', 'all', 'elemMatch', 'mod', 'and', 'or', 'nor', 'not']);
const OPNAME: Record<string, string> = { neq: 'ne' };

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  ws() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }
  peek() {
    this.ws();
    return this.s[this.i];
  }
  eat(ch: string) {
    if (this.peek() !== ch) throw new ChainError(`expected "${ch}"`, this.i);
    this.i++;
  }
  ident(): string {
    this.ws();
    const m = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i, this.i + 200));
    if (!m) throw new ChainError('expected a name', this.i);
    this.i += m[0].length;
    return m[0];
  }
  string(): string {
    this.ws();
    const q = this.s[this.i];
    if (q !== '"' && q !== "'") throw new ChainError('expected a string', this.i);
    let out = '';
    for (let j = this.i + 1; j < this.s.length; j++) {
      const ch = this.s[j];
      if (ch === '\\') {
        const n = this.s[++j];
        const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '/': '/' };
        if (n === undefined || !(n in esc)) throw new ChainError('unknown escape in a string', j);
        out += esc[n];
      } else if (ch === q) {
        this.i = j + 1;
        return out;
      } else out += ch;
    }
    throw new ChainError('a string is not closed', this.i);
  }
  number(): number {
    this.ws();
    const m = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) throw new ChainError('expected a value', this.i);
    this.i += m[0].length;
    return Number(m[0]);
  }
  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new ChainError(`nested deeper than ${MAX_DEPTH}`, this.i);
    const ch = this.peek();
    if (ch === '{') return this.object(depth);
    if (ch === '[') {
      this.i++;
      const arr: unknown[] = [];
      while (this.peek() !== ']') {
        arr.push(this.value(depth + 1));
        if (this.peek() === ',') this.i++;
        else break;
      }
      this.eat(']');
      return arr;
    }
    if (ch === '"' || ch === "'") return this.string();
    if (ch === '-' || ch === '.' || (ch !== undefined && /\d/.test(ch))) return this.number();
    const start = this.i;
    const id = this.ident();
    if (id === 'true') return true;
    if (id === 'false') return false;
    if (id === 'null') return null;
    if (id === 'new') {
      if (this.ident() !== 'Date') throw new ChainError('only new Date(…) is known', start);
      this.eat('(');
      const arg = this.peek() === ')' ? new Date().toISOString() : this.value(depth + 1);
      this.eat(')');
      const d = new Date(arg as string | number);
      if (typeof arg !== 'string' && typeof arg !== 'number') throw new ChainError('new Date takes a string or a number', start);
      if (Number.isNaN(d.getTime())) throw new ChainError('not a valid date', start);
      return { $date: d.toISOString() };
    }
    if (id === '_' || id === 'command') {
      this.eat('.');
      const cmd = this.ident();
      if (!COMMANDS.has(cmd)) throw new ChainError(`unknown command _.${cmd}`, start);
      this.eat('(');
      const args: unknown[] = [];
      while (this.peek() !== ')') {
        args.push(this.value(depth + 1));
        if (this.peek() === ',') this.i++;
        else break;
      }
      this.eat(')');
      const v = cmd === 'and' || cmd === 'or' || cmd === 'nor' ? (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) : args[0];
      return { ['$' + (OPNAME[cmd] ?? cmd)]: v };
    }
    throw new ChainError(`unexpected ${id}`, start);
  }
  object(depth: number): Record<string, unknown> {
    this.eat('{');
    const out: Record<string, unknown> = {};
    while (this.peek() !== '}') {
      const ch = this.peek();
      const key = ch === '"' || ch === "'" ? this.string() : this.ident();
      this.eat(':');
      out[key] = this.value(depth + 1);
      if (this.peek() === ',') this.i++;
      else break;
    }
    this.eat('}');
    return out;
  }
}

/** Reads a chain; throws a ChainError for anything it does not know. */
export function parseChain(src: string): Chain {
  if (src.length > MAX_INPUT) throw new ChainError(`the query is longer than ${MAX_INPUT} characters`, 0);
  const r = new Reader(src.trim().replace(/;$/, ''));
  const out: Chain = { query: {}, op: 'get' };
  if (/^\s*(db|wx\.cloud\.database\(\))\s*\./.test(r.s)) {
    const first = r.ident();
    if (first === 'wx') {
      r.eat('.');
      r.ident();
      r.eat('.');
      r.ident();
      r.eat('(');
      r.eat(')');
    }
    r.eat('.');
    if (r.ident() !== 'collection') throw new ChainError('expected .collection(name)', r.i);
    r.eat('(');
    out.collection = r.string();
    r.eat(')');
  }
  let ended = false;
  while (r.peek() !== undefined) {
    if (ended) throw new ChainError('nothing may follow .get() or .count()', r.i);
    r.eat('.');
    const at = r.i;
    const m = r.ident();
    r.eat('(');
    const q = out.query;
    switch (m) {
      case 'where': {
        const f = r.value(0);
        if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new ChainError('where takes an object', at);
        q.filter = { ...(q.filter ?? {}), ...(f as Record<string, unknown>) };
        break;
      }
      case 'orderBy': {
        const field = r.string();
        r.eat(',');
        const dir = r.string();
        if (dir !== 'asc' && dir !== 'desc') throw new ChainError("orderBy's direction is 'asc' or 'desc'", at);
        (q.sort ??= []).push([field, dir === 'asc' ? 1 : -1]);
        break;
      }
      case 'skip':
      case 'limit': {
        const n = r.number();
        if (!Number.isInteger(n) || n < 0) throw new ChainError(`${m} takes a whole number ≥ 0`, at);
        q[m] = n;
        break;
      }
      case 'field': {
        const f = r.value(0);
        if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new ChainError('field takes an object', at);
        q.projection = Object.fromEntries(Object.entries(f as Record<string, unknown>).map(([k, v]) => [k, v ? 1 : 0]));
        break;
      }
      case 'get':
      case 'count':
        out.op = m;
        ended = true;
        break;
      default:
        throw new ChainError(`unknown method .${m}()`, at);
    }
    r.eat(')');
  }
  return out;
}
