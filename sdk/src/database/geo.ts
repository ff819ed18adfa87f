/**
 * db.Geo: the six GeoJSON geometries of wx.cloud (spec §1.6). Each is
 * callable with or without `new`, validates its input with the original
 * SDK's messages, takes either Geo instances or the GeoJSON object, and
 * serialises to GeoJSON through toJSON(). Coordinates are [longitude,
 * latitude], longitude first.
 */

import { DbValue } from './values';

type Pair = [number, number];

function checkDegree(name: 'longitude' | 'latitude', v: unknown): number {
  if (typeof v !== 'number') throw new Error('Geo Point must be number type');
  if (name === 'latitude' ? Math.abs(v) > 90 : Math.abs(v) > 180) {
    throw new Error(
      name === 'latitude'
        ? 'latitude should be a number ranges from -90 to 90'
        : 'longitude should be a number ranges from -180 to 180',
    );
  }
  return v;
}

function isGeoJSON(v: unknown, type: string): v is { type: string; coordinates: unknown[] } {
  return (
    v !== null && typeof v === 'object' && (v as { type?: unknown }).type === type &&
    Array.isArray((v as { coordinates?: unknown }).coordinates)
  );
}

function list<T>(v: unknown, what: string, type: string, cls: { prototype: T }): T[] {
  if (!Array.isArray(v)) throw new TypeError(`"${what}" must be of type ${type}[]. Received type ${typeof v}`);
  for (const x of v) {
    if (!(x instanceof (cls as unknown as new () => T))) {
      throw new TypeError(`"${what}" must be of type ${type}[]. Received type ${typeof x}[]`);
    }
  }
  return v as T[];
}

const coords = (points: GeoPoint[]): Pair[] => points.map((p) => [p.longitude, p.latitude]);

/** A point: `Geo.Point(longitude, latitude)` or `Geo.Point({type: 'Point', coordinates})`. */
export class GeoPoint extends DbValue {
  readonly longitude: number;
  readonly latitude: number;
  constructor(longitude: number | { type: 'Point'; coordinates: Pair }, latitude?: number) {
    super();
    if (isGeoJSON(longitude, 'Point')) {
      latitude = longitude.coordinates[1] as number;
      longitude = longitude.coordinates[0] as number;
    }
    this.longitude = checkDegree('longitude', longitude);
    this.latitude = checkDegree('latitude', latitude);
  }
  override toJSON(): { type: 'Point'; coordinates: Pair } {
    return { type: 'Point', coordinates: [this.longitude, this.latitude] };
  }
  override toString(): string {
    return `[${this.longitude},${this.latitude}]`;
  }
}

function points(v: unknown, type: string): GeoPoint[] {
  return isGeoJSON(v, type) ? v.coordinates.map((c) => new GeoPoint((c as Pair)[0], (c as Pair)[1])) : list(v, 'points', 'Point', GeoPoint);
}

/** A line of two or more points. */
export class GeoLineString extends DbValue {
  readonly points: GeoPoint[];
  constructor(pts: GeoPoint[] | { type: 'LineString'; coordinates: Pair[] }) {
    super();
    const p = points(pts, 'LineString');
    if (p.length < 2) throw new Error('"points" must contain 2 points at least');
    this.points = p;
  }
  override toJSON(): { type: 'LineString'; coordinates: Pair[] } {
    return { type: 'LineString', coordinates: coords(this.points) };
  }
  override toString(): string {
    return JSON.stringify(this.toJSON().coordinates);
  }
}

function lines(v: unknown, type: string, closed: boolean): GeoLineString[] {
  const ls = isGeoJSON(v, type)
    ? v.coordinates.map((l) => new GeoLineString({ type: 'LineString', coordinates: l as Pair[] }))
    : list(v, 'lines', 'LineString', GeoLineString);
  if (closed) {
    for (const l of ls) {
      const a = l.points[0];
      const b = l.points[l.points.length - 1];
      if (a.longitude !== b.longitude || a.latitude !== b.latitude) {
        throw new Error(`LineString ${l.points.map(String)} is not a closed cycle`);
      }
    }
  }
  return ls;
}

/** A polygon: one or more closed line strings (the first is the outer ring). */
export class GeoPolygon extends DbValue {
  readonly lines: GeoLineString[];
  constructor(ls: GeoLineString[] | { type: 'Polygon'; coordinates: Pair[][] }) {
    super();
    const l = lines(ls, 'Polygon', true);
    if (l.length === 0) throw new Error('Polygon must contain 1 linestring at least');
    this.lines = l;
  }
  override toJSON(): { type: 'Polygon'; coordinates: Pair[][] } {
    return { type: 'Polygon', coordinates: this.lines.map((l) => coords(l.points)) };
  }
  override toString(): string {
    return JSON.stringify(this.toJSON().coordinates);
  }
}

/** One or more points. */
export class GeoMultiPoint extends DbValue {
  readonly points: GeoPoint[];
  constructor(pts: GeoPoint[] | { type: 'MultiPoint'; coordinates: Pair[] }) {
    super();
    const p = points(pts, 'MultiPoint');
    if (p.length === 0) throw new Error('"points" must contain 1 point at least');
    this.points = p;
  }
  override toJSON(): { type: 'MultiPoint'; coordinates: Pair[] } {
    return { type: 'MultiPoint', coordinates: coords(this.points) };
  }
  override toString(): string {
    return JSON.stringify(this.toJSON().coordinates);
  }
}

/** One or more line strings. */
export class GeoMultiLineString extends DbValue {
  readonly lines: GeoLineString[];
  constructor(ls: GeoLineString[] | { type: 'MultiLineString'; coordinates: Pair[][] }) {
    super();
    const l = lines(ls, 'MultiLineString', false);
    if (l.length === 0) throw new Error('MultiLineString must contain 1 linestring at least');
    this.lines = l;
  }
  override toJSON(): { type: 'MultiLineString'; coordinates: Pair[][] } {
    return { type: 'MultiLineString', coordinates: this.lines.map((l) => coords(l.points)) };
  }
  override toString(): string {
    return JSON.stringify(this.toJSON().coordinates);
  }
}

/** One or more polygons. */
export class GeoMultiPolygon extends DbValue {
  readonly polygons: GeoPolygon[];
  constructor(ps: GeoPolygon[] | { type: 'MultiPolygon'; coordinates: Pair[][][] }) {
    super();
    const p = isGeoJSON(ps, 'MultiPolygon')
      ? ps.coordinates.map((c) => new GeoPolygon({ type: 'Polygon', coordinates: c as Pair[][] }))
      : list(ps, 'polygons', 'Polygon', GeoPolygon);
    if (p.length === 0) throw new Error('MultiPolygon must contain 1 polygon at least');
    this.polygons = p;
  }
  override toJSON(): { type: 'MultiPolygon'; coordinates: Pair[][][] } {
    return { type: 'MultiPolygon', coordinates: this.polygons.map((p) => p.toJSON().coordinates) };
  }
  override toString(): string {
    return JSON.stringify(this.toJSON().coordinates);
  }
}

/** Any Geo value. */
export type GeoValue = GeoPoint | GeoLineString | GeoPolygon | GeoMultiPoint | GeoMultiLineString | GeoMultiPolygon;

/** True when v is one of the six Geo classes. */
export function isGeo(v: unknown): v is GeoValue {
  return (
    v instanceof GeoPoint || v instanceof GeoLineString || v instanceof GeoPolygon ||
    v instanceof GeoMultiPoint || v instanceof GeoMultiLineString || v instanceof GeoMultiPolygon
  );
}

/** A class that may also be called without `new`, as wx.cloud's constructors can. */
export type Callable<A extends unknown[], T> = { new (...args: A): T; (...args: A): T; prototype: T };

/**
 * callable wraps class C so that C(...) and new C(...) both construct it;
 * `x instanceof callable(C)` holds for every instance of C.
 */
export function callable<A extends unknown[], T>(C: new (...args: A) => T): Callable<A, T> {
  const f = function (...args: A): T {
    return new C(...args);
  } as unknown as Callable<A, T>;
  f.prototype = C.prototype;
  return f;
}

/** db.Geo. */
export const Geo = {
  Point: callable(GeoPoint),
  LineString: callable(GeoLineString),
  Polygon: callable(GeoPolygon),
  MultiPoint: callable(GeoMultiPoint),
  MultiLineString: callable(GeoMultiLineString),
  MultiPolygon: callable(GeoMultiPolygon),
};

/**
 * fromGeoJSON turns a GeoJSON object read from the server into its Geo
 * instance, as the original SDK does on the response path, or returns
 * undefined when o is not valid GeoJSON of the six types (it then stays a
 * plain object).
 */
export function fromGeoJSON(o: { type: string; coordinates: unknown[] }): GeoValue | undefined {
  try {
    switch (o.type) {
      case 'Point':
        return new GeoPoint(o as { type: 'Point'; coordinates: Pair });
      case 'LineString':
        return new GeoLineString(o as { type: 'LineString'; coordinates: Pair[] });
      case 'Polygon':
        return new GeoPolygon(o as { type: 'Polygon'; coordinates: Pair[][] });
      case 'MultiPoint':
        return new GeoMultiPoint(o as { type: 'MultiPoint'; coordinates: Pair[] });
      case 'MultiLineString':
        return new GeoMultiLineString(o as { type: 'MultiLineString'; coordinates: Pair[][] });
      case 'MultiPolygon':
        return new GeoMultiPolygon(o as { type: 'MultiPolygon'; coordinates: Pair[][][] });
    }
  } catch {
    // not valid GeoJSON: leave it as data
  }
  return undefined;
}
