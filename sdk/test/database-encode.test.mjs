// The database serializer without a server: what where(), update({data})
// and the values of spec §1.6 become on the wire, and how answers are
// decoded. The source modules are bundled together (one copy of each class).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let m; // the bundled modules
let _; // db.command
let Geo;

before(async () => {
  const contents = [
    "export * from './src/database/encode.ts';",
    "export { command } from './src/database/command.ts';",
    "export * from './src/database/geo.ts';",
    "export * from './src/database/values.ts';",
    "export * from './src/database/decode.ts';",
  ].join('\n');
  const r = await esbuild.build({
    absWorkingDir: root,
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    target: 'es2020',
    platform: 'neutral',
    write: false,
  });
  m = await import('data:text/javascript;base64,' + Buffer.from(r.outputFiles[0].contents).toString('base64'));
  _ = m.command;
  Geo = m.Geo;
});

test('where: nested plain objects flatten to dot paths; arrays, dates and _.eq({…}) do not', () => {
  const d = new Date(Date.UTC(2024, 4, 1));
  assert.deepEqual(
    m.encodeWhere({
      style: { color: 'red', size: { w: 1 } },
      numbers: [10, 20, 30],
      objs: [{ a: 1 }],
      when: d,
      exact: _.eq({ color: 'red' }),
      empty: {},
      n: null,
      skipped: undefined,
      nested: { gone: undefined },
    }),
    {
      'style.color': 'red',
      'style.size.w': 1,
      numbers: [10, 20, 30],
      objs: [{ a: 1 }],
      when: { $date: d.getTime() },
      exact: { $eq: { color: 'red' } },
      empty: {},
      n: null,
    },
  );
});

test('where: objects holding commands flatten too, and chained commands merge on their path (§1.3)', () => {
  assert.deepEqual(
    m.encodeWhere({ prop: { mem: _.gt(4).and(_.lt(8)) }, price: _.lt(5000).and(_.gt(3000)), q: _.gte(1).lte(9) }),
    { 'prop.mem': { $gt: 4, $lt: 8 }, price: { $lt: 5000, $gt: 3000 }, q: { $gte: 1, $lte: 9 } },
  );
});

test('where: field-level logic that one operator object cannot hold becomes $and/$or/$nor', () => {
  assert.deepEqual(m.encodeWhere({ a: _.gt(1).or(_.lt(-1)), b: 2 }), {
    b: 2,
    $and: [{ $or: [{ a: { $gt: 1 } }, { a: { $lt: -1 } }] }],
  });
  // Two conditions with the same operator cannot share one object.
  assert.deepEqual(m.encodeWhere({ a: _.gt(1).and(_.gt(3)) }), { $and: [{ a: { $gt: 1 } }, { a: { $gt: 3 } }] });
  // or of an and: the and merges inside.
  assert.deepEqual(m.encodeWhere({ a: _.gt(8).and(_.lt(16)).or(_.eq(32)) }), {
    $and: [{ $or: [{ a: { $gt: 8, $lt: 16 } }, { a: { $eq: 32 } }] }],
  });
  assert.deepEqual(m.encodeWhere({ a: _.nor([_.gt(5), _.lt(0)]) }), { $and: [{ $nor: [{ a: { $gt: 5 } }, { a: { $lt: 0 } }] }] });
  assert.deepEqual(m.encodeWhere({ a: _.and(_.gt(1), _.lt(3)) }), { a: { $gt: 1, $lt: 3 } });
  assert.deepEqual(m.encodeWhere({ a: _.or([_.eq(1), _.eq(2)]), b: _.or(_.eq(3), _.eq(4)) }), {
    $and: [{ $or: [{ a: { $eq: 1 } }, { a: { $eq: 2 } }] }, { $or: [{ b: { $eq: 3 } }, { b: { $eq: 4 } }] }],
  });
  // Plain objects inside field-level logic are conditions under that field.
  assert.deepEqual(m.encodeWhere({ style: _.or([{ color: 'red' }, { color: 'blue' }]) }), {
    $and: [{ $or: [{ 'style.color': 'red' }, { 'style.color': 'blue' }] }],
  });
});

test('where: not', () => {
  assert.deepEqual(m.encodeWhere({ a: _.not(_.gt(5)) }), { a: { $not: { $gt: 5 } } });
  assert.deepEqual(m.encodeWhere({ a: _.not(/x/i) }), { a: { $not: { $regex: 'x', $options: 'i' } } });
  assert.deepEqual(m.encodeWhere({ a: _.not(_.gt(1).and(_.lt(5))) }), { a: { $not: { $gt: 1, $lt: 5 } } });
  // not of an or has no $not form: $nor says the same.
  assert.deepEqual(m.encodeWhere({ a: _.not(_.gt(3).or(_.lt(0))) }), {
    $and: [{ $nor: [{ $or: [{ a: { $gt: 3 } }, { a: { $lt: 0 } }] }] }],
  });
  assert.deepEqual(m.encodeWhere({ a: _.gt(1).not(_.eq(3)) }), { a: { $gt: 1, $not: { $eq: 3 } } });
});

test('where: top-level logic, as varargs or one array', () => {
  assert.deepEqual(m.encodeWhere(_.or([{ a: 1 }, { b: _.gt(2) }])), { $or: [{ a: 1 }, { b: { $gt: 2 } }] });
  assert.deepEqual(m.encodeWhere(_.or({ a: 1 }, { b: 2 })), { $or: [{ a: 1 }, { b: 2 }] });
  assert.deepEqual(m.encodeWhere(_.and([{ a: { x: 1 } }, _.or({ b: 1 }, { c: 1 })])), {
    $and: [{ 'a.x': 1 }, { $or: [{ b: 1 }, { c: 1 }] }],
  });
  assert.deepEqual(m.encodeWhere(_.nor([{ a: 1 }, { b: 2 }])), { $nor: [{ a: 1 }, { b: 2 }] });
  assert.deepEqual(m.encodeWhere(_.not({ a: 1 })), { $nor: [{ a: 1 }] });
  assert.deepEqual(m.encodeWhere(_.or([{ a: 1 }]).and({ b: 2 })), { $and: [{ $or: [{ a: 1 }] }, { b: 2 }] });
  assert.throws(() => m.encodeWhere(_.or([_.gt(1)])), /unset field name/);
  assert.throws(() => m.encodeWhere(_.or([1])), /查询参数必须为对象/);
});

test('where: raw MongoDB operators pass through, with commands inside encoded', () => {
  assert.deepEqual(m.encodeWhere({ a: { $gt: 1 }, b: { $in: [1], c: 2 } }), { a: { $gt: 1 }, b: { $in: [1] }, 'b.c': 2 });
  assert.deepEqual(m.encodeWhere({ $or: [{ a: _.gt(1) }, { b: { c: 1 } }] }), { $or: [{ a: { $gt: 1 } }, { 'b.c': 1 }] });
  assert.deepEqual(m.encodeWhere({ a: _.gt(1), $and: [{ b: 1 }], c: _.lt(1).or(_.gt(9)) }), {
    a: { $gt: 1 },
    $and: [{ b: 1 }, { $or: [{ c: { $lt: 1 } }, { c: { $gt: 9 } }] }],
  });
});

test('every query command has its MongoDB operator (§1.7)', () => {
  const P = Geo.Point(113.3, 23.1);
  const square = Geo.Polygon([Geo.LineString([Geo.Point(0, 0), Geo.Point(1, 0), Geo.Point(1, 1), Geo.Point(0, 0)])]);
  const cases = [
    [_.eq(1), { $eq: 1 }],
    [_.neq('x'), { $ne: 'x' }],
    [_.lt(1), { $lt: 1 }],
    [_.lte(1), { $lte: 1 }],
    [_.gt(1), { $gt: 1 }],
    [_.gte(1), { $gte: 1 }],
    [_.in([1, new Date(7)]), { $in: [1, { $date: 7 }] }],
    [_.nin(['a']), { $nin: ['a'] }],
    [_.exists(false), { $exists: false }],
    [_.mod(10, 1), { $mod: [10, 1] }],
    [_.mod([4, 0]), { $mod: [4, 0] }],
    [_.all(['a', 'b']), { $all: ['a', 'b'] }],
    [_.all([_.elemMatch({ x: 1 }), _.elemMatch({ y: _.gt(2) })]), { $all: [{ $elemMatch: { x: 1 } }, { $elemMatch: { y: { $gt: 2 } } }] }],
    [_.elemMatch({ a: _.gt(1), b: { c: 1 } }), { $elemMatch: { a: { $gt: 1 }, b: { c: 1 } } }],
    [_.elemMatch(_.gte(80).lt(85)), { $elemMatch: { $gte: 80, $lt: 85 } }],
    [_.elemMatch({ a: _.gt(1).or(_.lt(0)) }), { $elemMatch: { $and: [{ $or: [{ a: { $gt: 1 } }, { a: { $lt: 0 } }] }] } }],
    [_.size(3), { $size: 3 }],
    [_.geoNear({ geometry: P }), { $nearSphere: { $geometry: { type: 'Point', coordinates: [113.3, 23.1] } } }],
    [
      _.geoNear({ geometry: P, maxDistance: 1000, minDistance: 10 }),
      { $nearSphere: { $geometry: P.toJSON(), $maxDistance: 1000, $minDistance: 10 } },
    ],
    [_.geoWithin({ geometry: square }), { $geoWithin: { $geometry: square.toJSON() } }],
    [_.geoWithin({ centerSphere: [P, 0.1] }), { $geoWithin: { $centerSphere: [[113.3, 23.1], 0.1] } }],
    [_.geoWithin({ centerSphere: [[1, 2], 0.1] }), { $geoWithin: { $centerSphere: [[1, 2], 0.1] } }],
    [_.geoIntersects({ geometry: square }), { $geoIntersects: { $geometry: square.toJSON() } }],
    [_.eq(/a.c/s), { $eq: { $regex: 'a.c', $options: 's' } }],
  ];
  for (const [cmd, want] of cases) {
    // JSON round trip: undefined members ($maxDistance) vanish as on the wire.
    assert.deepEqual(JSON.parse(JSON.stringify(m.encodeWhere({ f: cmd }))), { f: want }, JSON.stringify(want));
  }
  assert.deepEqual(m.encodeWhere(_.expr(_.aggregate.gt(['$a', '$b']))), { $expr: { $gt: ['$a', '$b'] } });
});

test('query commands chain on the same field', () => {
  const chains = [
    [_.gt(1).lt(5), { $gt: 1, $lt: 5 }],
    [_.exists(true).neq(null), { $exists: true, $ne: null }],
    [_.size(2).all([1]), { $size: 2, $all: [1] }],
    [_.in([1, 2]).nin([2]), { $in: [1, 2], $nin: [2] }],
    [_.gte(0).mod(2, 0), { $gte: 0, $mod: [2, 0] }],
    [_.eq(1).and(_.gte(1)).and(_.lte(1)), { $eq: 1, $gte: 1, $lte: 1 }],
    [_.exists(true).elemMatch({ a: 1 }), { $exists: true, $elemMatch: { a: 1 } }],
  ];
  for (const [cmd, want] of chains) assert.deepEqual(m.encodeWhere({ f: cmd }), { f: want });
});

test('geo commands check their options with the original messages', () => {
  assert.throws(() => _.geoNear({ geometry: { type: 'Point', coordinates: [1, 2] } }), {
    name: 'TypeError',
    message: '"geometry" must be of type Point. Received type object',
  });
  assert.throws(() => _.geoNear({ geometry: Geo.Point(1, 2), maxDistance: '1' }), {
    message: '"maxDistance" must be of type Number. Received type string',
  });
  assert.throws(() => _.geoWithin({ geometry: Geo.Point(1, 2) }), {
    message: '"geometry" must be of type Polygon or MultiPolygon. Received type object',
  });
  assert.throws(() => _.geoIntersects({ geometry: [1, 2] }), /"geometry" must be of type Point, LineString, Polygon, MultiPoint, MultiLineString or MultiPolygon/);
  assert.throws(() => _.gt(1).geoNear({}), /"geometry" must be of type Point/);
});

test('every update command has its MongoDB operator (§1.8)', () => {
  const cases = [
    [_.set({ color: 'red', deep: { x: 1 } }), { $set: { f: { color: 'red', deep: { x: 1 } } } }],
    [_.remove(), { $unset: { f: '' } }],
    [_.inc(10), { $inc: { f: 10 } }],
    [_.mul(2), { $mul: { f: 2 } }],
    [_.min(5), { $min: { f: 5 } }],
    [_.max(new Date(9)), { $max: { f: { $date: 9 } } }],
    [_.rename('title'), { $rename: { f: 'title' } }],
    [_.bit({ and: 5 }), { $bit: { f: { and: 5 } } }],
    [_.push('a'), { $push: { f: { $each: ['a'] } } }],
    [_.push('a', 'b'), { $push: { f: { $each: ['a', 'b'] } } }],
    [_.push(['a', 'b']), { $push: { f: { $each: ['a', 'b'] } } }],
    [_.push({ x: 1 }), { $push: { f: { $each: [{ x: 1 }] } } }],
    [
      _.push({ each: [3, 1], position: -1, sort: { score: -1 }, slice: 5 }),
      { $push: { f: { $each: [3, 1], $position: -1, $sort: { score: -1 }, $slice: 5 } } },
    ],
    [_.push({ each: [new Date(1)] }), { $push: { f: { $each: [{ $date: 1 }] } } }],
    [_.pop(), { $pop: { f: 1 } }],
    [_.shift(), { $pop: { f: -1 } }],
    [_.unshift('x', 'y'), { $push: { f: { $each: ['x', 'y'], $position: 0 } } }],
    [_.unshift(['x']), { $push: { f: { $each: ['x'], $position: 0 } } }],
    [_.addToSet('db'), { $addToSet: { f: 'db' } }],
    [_.addToSet({ each: ['a', 'b'] }), { $addToSet: { f: { $each: ['a', 'b'] } } }],
    [_.addToSet({ $each: ['a'] }), { $addToSet: { f: { $each: ['a'] } } }],
    [_.pull('x'), { $pull: { f: 'x' } }],
    [_.pull(_.in(['a', 'b'])), { $pull: { f: { $in: ['a', 'b'] } } }],
    [_.pull(_.gt(1).lt(5)), { $pull: { f: { $gt: 1, $lt: 5 } } }],
    [_.pull({ age: _.gt(10), tag: 'x' }), { $pull: { f: { age: { $gt: 10 }, tag: 'x' } } }],
    [_.pullAll(['a', 'b']), { $pullAll: { f: ['a', 'b'] } }],
  ];
  for (const [cmd, want] of cases) assert.deepEqual(m.encodeUpdate({ f: cmd }), want, JSON.stringify(want));
});

test('update data: nested objects merge by dot path, commands on nested fields, $ keys pass through (§1.3)', () => {
  const d = new Date(3);
  assert.deepEqual(
    m.encodeUpdate({
      style: { color: 'blue', size: { w: 2 } },
      a: { a1: _.set({ a11: 'test' }), a2: _.inc(10) },
      tags: ['x', { y: 1 }],
      when: d,
      loc: Geo.Point(1, 2),
      at: new m.ServerDate({ offset: 60000 }),
      empty: {},
      gone: undefined,
      $inc: { n: 1 },
      'b.c': 3,
    }),
    {
      $set: {
        'style.color': 'blue',
        'style.size.w': 2,
        'a.a1': { a11: 'test' },
        tags: ['x', { y: 1 }],
        when: { $date: 3 },
        loc: { type: 'Point', coordinates: [1, 2] },
        at: { $serverDate: { offset: 60000 } },
        empty: {},
        'b.c': 3,
      },
      $inc: { 'a.a2': 10, n: 1 },
    },
  );
});

test('values: dates, serverDate, RegExp, db.RegExp, Geo, undefined, depth (§1.6)', () => {
  assert.deepEqual(m.encodeValue(new Date(1717200000123)), { $date: 1717200000123 });
  assert.deepEqual(m.encodeValue(new m.ServerDate()), { $serverDate: { offset: 0 } });
  assert.deepEqual(new m.ServerDate({ offset: -5 }).options, { offset: -5 });
  // g and y do not change what matches; the server knows i, m and s.
  assert.deepEqual(m.encodeValue(/^a\d+$/gimsuy), { $regex: '^a\\d+$', $options: 'ims' });
  assert.deepEqual(m.encodeValue(/x/g), { $regex: 'x' });
  const r = new m.DbRegExp({ regexp: 'mini.*', options: 'is' });
  assert.equal(r.regexp, 'mini.*');
  assert.equal(r.options, 'is');
  assert.deepEqual(m.encodeValue(r), { $regex: 'mini.*', $options: 'is' });
  assert.deepEqual(m.encodeValue(new m.DbRegExp({ regexp: 'a' })), { $regex: 'a' });
  assert.throws(() => new m.DbRegExp({}), { name: 'TypeError', message: 'regexp must be a string' });
  assert.deepEqual(m.encodeValue({ a: [undefined, { b: undefined, c: new Date(0) }] }), { a: [undefined, { c: { $date: 0 } }] });
  const circ = { a: 1 };
  circ.self = circ;
  assert.throws(() => m.encodeValue(circ), /circular/);
  assert.throws(() => m.encodeWhere({ x: circ }), /circular/);
  assert.throws(() => m.encodeUpdate({ x: circ }), /circular/);
  assert.throws(() => m.encodeValue({ a: _.inc(1) }), /update command/);
  assert.throws(() => m.encodeValue(_.gt(1).or(_.lt(0))), /cannot be used as a value/);
});

test('Geo: callable with or without new, GeoJSON in and out, the original validation messages', () => {
  const p = Geo.Point(113.3, 23.1);
  assert.ok(p instanceof Geo.Point && new Geo.Point(1, 2) instanceof Geo.Point && p instanceof m.GeoPoint);
  assert.equal(p.longitude, 113.3);
  assert.equal(p.latitude, 23.1);
  assert.deepEqual(p.toJSON(), { type: 'Point', coordinates: [113.3, 23.1] });
  assert.equal(String(p), '[113.3,23.1]');
  assert.deepEqual(Geo.Point({ type: 'Point', coordinates: [1, 2] }).toJSON(), { type: 'Point', coordinates: [1, 2] });

  const ring = [[0, 0], [2, 0], [2, 2], [0, 0]];
  const line = Geo.LineString(ring.map(([x, y]) => Geo.Point(x, y)));
  assert.deepEqual(line.toJSON(), { type: 'LineString', coordinates: ring });
  const poly = new Geo.Polygon([line]);
  assert.deepEqual(poly.toJSON(), { type: 'Polygon', coordinates: [ring] });
  assert.deepEqual(Geo.MultiPoint([Geo.Point(1, 2)]).toJSON(), { type: 'MultiPoint', coordinates: [[1, 2]] });
  assert.deepEqual(Geo.MultiLineString([line]).toJSON(), { type: 'MultiLineString', coordinates: [ring] });
  assert.deepEqual(Geo.MultiPolygon([poly]).toJSON(), { type: 'MultiPolygon', coordinates: [[ring]] });
  for (const [C, json] of [
    [Geo.LineString, { type: 'LineString', coordinates: ring }],
    [Geo.Polygon, { type: 'Polygon', coordinates: [ring] }],
    [Geo.MultiPoint, { type: 'MultiPoint', coordinates: ring }],
    [Geo.MultiLineString, { type: 'MultiLineString', coordinates: [ring] }],
    [Geo.MultiPolygon, { type: 'MultiPolygon', coordinates: [[ring]] }],
  ]) {
    const g = C(json);
    assert.ok(g instanceof C);
    assert.deepEqual(g.toJSON(), json);
    assert.deepEqual(JSON.parse(JSON.stringify({ g })), { g: json });
  }

  const errs = [
    [() => Geo.Point('1', 2), 'Geo Point must be number type'],
    [() => Geo.Point(1), 'Geo Point must be number type'],
    [() => Geo.Point(181, 0), 'longitude should be a number ranges from -180 to 180'],
    [() => Geo.Point(0, -90.5), 'latitude should be a number ranges from -90 to 90'],
    [() => Geo.LineString([p]), '"points" must contain 2 points at least'],
    [() => Geo.LineString('x'), '"points" must be of type Point[]. Received type string'],
    [() => Geo.LineString([p, [1, 2]]), '"points" must be of type Point[]. Received type object[]'],
    [() => Geo.Polygon([]), 'Polygon must contain 1 linestring at least'],
    [() => Geo.Polygon([Geo.LineString([Geo.Point(0, 0), Geo.Point(1, 1)])]), 'LineString [0,0],[1,1] is not a closed cycle'],
    [() => Geo.Polygon([p]), '"lines" must be of type LineString[]. Received type object[]'],
    [() => Geo.MultiPoint([]), '"points" must contain 1 point at least'],
    [() => Geo.MultiLineString([]), 'MultiLineString must contain 1 linestring at least'],
    [() => Geo.MultiPolygon([]), 'MultiPolygon must contain 1 polygon at least'],
    [() => Geo.MultiPolygon([line]), '"polygons" must be of type Polygon[]. Received type object[]'],
  ];
  for (const [f, msg] of errs) assert.throws(f, { message: msg });
});

test('decode: dates become Date, GeoJSON becomes Geo instances, the rest stays as parsed', () => {
  const doc = m.decode({
    _id: 'a',
    at: { $date: '2026-12-01T09:00:00.000Z' },
    ms: { $date: 5 },
    list: [{ $date: '1970-01-01T00:00:00.007Z' }, 1, [{ $date: 8 }]],
    loc: { type: 'Point', coordinates: [113.3, 23.1] },
    area: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
    notGeo: { type: 'Point', coordinates: [500, 1] },
    kind: { type: 'Circle', coordinates: [1] },
    re: { $regex: 'x', $options: 'i' },
    plain: { a: { b: null } },
  });
  assert.ok(doc.at instanceof Date);
  assert.equal(doc.at.toISOString(), '2026-12-01T09:00:00.000Z');
  assert.equal(doc.ms.getTime(), 5);
  assert.equal(doc.list[0].getTime(), 7);
  assert.equal(doc.list[2][0].getTime(), 8);
  assert.ok(doc.loc instanceof Geo.Point);
  assert.equal(doc.loc.longitude, 113.3);
  assert.ok(doc.area instanceof Geo.Polygon);
  assert.deepEqual(doc.notGeo, { type: 'Point', coordinates: [500, 1] });
  assert.deepEqual(doc.kind, { type: 'Circle', coordinates: [1] });
  assert.deepEqual(doc.re, { $regex: 'x', $options: 'i' });
  assert.deepEqual(doc.plain, { a: { b: null } });
  assert.equal(m.decode(null), null);
});

test('dates in the server\'s layout are read exactly as Date.parse reads them; other forms go to Date.parse', () => {
  const lo = Date.UTC(1, 0, 1);
  const hi = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  const samples = [lo, hi, 0, -1, 951825600000 /* 2000-02-29T12:00Z */, -2203891200000 /* 1900-03-01 */];
  for (let i = 0; i < 20000; i++) samples.push(Math.floor(lo + Math.random() * (hi - lo)));
  for (const t of samples) {
    const s = new Date(t).toISOString();
    if (s.length !== 24) continue; // years beyond 9999 or before 0
    assert.equal(m.isoMillis(s), t, s);
  }
  for (const s of ['2024-05-01T08:00:00Z', '2024-05-01T16:00:00.5+08:00', '2024-05-01', 'yesterday', '2024-13-01T00:00:00.000Z', '2024-0x-01T00:00:00.000Z']) {
    assert.ok(Object.is(m.isoMillis(s), Date.parse(s)), s);
  }
});

test('db.command.aggregate: every expression operator is {$name: param}; neq is $ne', () => {
  // The wx typings' list (106 names; the spec's prose says 105).
  const typings = `abs add addToSet allElementsTrue and anyElementTrue arrayElemAt arrayToObject avg ceil cmp concat
    concatArrays cond convert dateFromParts dateToParts dateFromString dateToString dayOfMonth dayOfWeek dayOfYear divide
    eq exp filter first floor gt gte hour ifNull in indexOfArray indexOfBytes indexOfCP isArray isoDayOfWeek isoWeek
    isoWeekYear last let literal ln log log10 lt lte ltrim map max mergeObjects meta min millisecond minute mod month
    multiply neq not objectToArray or pow push range reduce reverseArray rtrim second setDifference setEquals
    setIntersection setIsSubset setUnion size slice split sqrt stdDevPop stdDevSamp strcasecmp strLenBytes strLenCP
    substr substrBytes substrCP subtract sum switch toBool toDate toDecimal toDouble toInt toLong toObjectId toString
    toLower toUpper trim trunc type week year zip`.split(/\s+/);
  const names = Object.keys(_.aggregate).filter((n) => n !== 'pipeline');
  assert.deepEqual([...names].sort(), [...typings].sort());
  assert.deepEqual(_.aggregate.pipeline().match({ a: 1 }).limit(2).done(), [{ $match: { a: 1 } }, { $limit: 2 }]);
  for (const name of names) {
    const want = name === 'neq' ? '$ne' : '$' + name;
    assert.deepEqual(_.aggregate[name](['$a', 1]), { [want]: ['$a', 1] }, name);
  }
  assert.deepEqual(_.project.slice(2), { $slice: 2 });
  assert.deepEqual(_.project.slice([1, 2]), { $slice: [1, 2] });
});

test('projection: truthy → 1, falsy → 0, operator objects kept', () => {
  assert.deepEqual(m.encodeProjection({ a: true, b: false, c: 1, d: 0, e: 'yes', f: _.project.slice(-2), g: null }), {
    a: 1,
    b: 0,
    c: 1,
    d: 0,
    e: 1,
    f: { $slice: -2 },
    g: 0,
  });
});

test('hasUpdateCommand finds update commands at any depth', () => {
  assert.equal(m.hasUpdateCommand({ a: 1, b: { c: [1, { d: 2 }] } }), false);
  assert.equal(m.hasUpdateCommand({ a: _.inc(1) }), true);
  assert.equal(m.hasUpdateCommand({ a: { b: [{ c: _.remove() }] } }), true);
  assert.equal(m.hasUpdateCommand({ a: _.gt(1) }), false);
});
