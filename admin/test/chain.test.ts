// The query console's chain reader: wx.cloud chains become the server's
// query, and any other input is a ChainError, never another exception
// (a fuzz loop feeds it mangled chains).
import { describe, expect, test } from 'vitest';
import { ChainError, parseChain } from '../src/pages/database/chain';

describe('parseChain', () => {
  test('a full chain', () => {
    const c = parseChain(
      `db.collection('todos').where({ done: false, "n": _.gt(3), tag: _.in(['a', "b"]), at: _.lt(new Date('2026-01-02T03:04:05Z')) }).orderBy('n', 'desc').skip(10).limit(20).field({ title: true, body: false }).get()`,
    );
    expect(c).toEqual({
      collection: 'todos',
      op: 'get',
      query: {
        filter: { done: false, n: { $gt: 3 }, tag: { $in: ['a', 'b'] }, at: { $lt: { $date: '2026-01-02T03:04:05.000Z' } } },
        sort: [['n', -1]],
        skip: 10,
        limit: 20,
        projection: { title: 1, body: 0 },
      },
    });
  });
  test('without the collection, counting, _.or and _.neq', () => {
    expect(parseChain(`.where({a: _.neq(1)}).where(_.or([{b: 1}, {c: -2.5e1}]) ).count();`)).toEqual({
      op: 'count',
      query: { filter: { a: { $ne: 1 }, $or: [{ b: 1 }, { c: -25 }] } },
    });
  });
  test('wx.cloud.database() as the start', () => {
    expect(parseChain(`wx.cloud.database().collection("x").get()`).collection).toBe('x');
  });
  test.each([
    ['db.collection(1).get()', /expected a string/],
    [".where({a: eval('x')})", /unexpected eval/],
    [".where([1])", /where takes an object/],
    [".limit(-1)", /whole number/],
    [".orderBy('a', 'up')", /asc/],
    [".get().where({})", /nothing may follow/],
    [".where({a: _.hack(1)})", /unknown command/],
    [".where({a: new Date('nope')})", /not a valid date/],
    [".remove()", /unknown method/],
    [".where({a: 'open", /not closed/],
    ['.where(' + '['.repeat(100) + ']'.repeat(100) + ')', /where takes an object|nested deeper/],
    ['.where(' + '{a:'.repeat(50) + '1' + '}'.repeat(50) + ')', /nested deeper/],
  ])('%s is refused', (src, want) => {
    expect(() => parseChain(src)).toThrow(want);
  });
  test('fuzz: mangled chains fail only with ChainError', () => {
    const seeds = [
      `db.collection('t').where({a: _.gt(1), b: [1, 'x', null], c: new Date(0)}).orderBy('a','asc').limit(5).get()`,
      `.where({'k': _.and([{a: 1}, {b: _.in([1,2])}])}).field({x: true}).count()`,
    ];
    const alphabet = `.(){}[]'":,_ -0123456789abcdefgtnwDe\\`;
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let i = 0; i < 20_000; i++) {
      const s = seeds[i % seeds.length].split('');
      for (let k = 0, edits = 1 + rnd(4); k < edits; k++) {
        const at = rnd(s.length + 1);
        const kind = rnd(3);
        if (kind === 0) s.splice(at, 1);
        else if (kind === 1) s.splice(at, 0, alphabet[rnd(alphabet.length)]);
        else s[at] = alphabet[rnd(alphabet.length)];
      }
      const src = s.join('');
      try {
        parseChain(src);
      } catch (e) {
        if (!(e instanceof ChainError)) throw new Error(`${src}: ${e}`);
      }
    }
  }, 60_000);
});
