/**
 * The response path: documents arrive as parsed JSON with minibase's
 * extended JSON inside; as the original SDK does (spec §1.6), dates
 * ({"$date": "<RFC 3339>"} or milliseconds) become Date objects and GeoJSON
 * geometries become db.Geo instances. Everything else is left as parsed.
 *
 * The walk rewrites the parsed value in place and only descends into
 * objects and arrays, so its cost is small next to JSON.parse.
 */
import { fromGeoJSON } from './geo';

type Json = Record<string, unknown> | unknown[];

/** decode converts the extended-JSON values inside v (in place) and returns it. */
export function decode<T>(v: T): T {
  return v !== null && typeof v === 'object' ? (walk(v as unknown as Json) as unknown as T) : v;
}

function walk(v: Json): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === 'object') v[i] = walk(x as Json);
    }
    return v;
  }
  const d = v.$date;
  // Field names never start with $, so an object with $date is a date.
  if (typeof d === 'string') return new Date(isoMillis(d));
  if (typeof d === 'number') return new Date(d);
  if (typeof v.type === 'string' && Array.isArray(v.coordinates)) {
    const g = fromGeoJSON(v as { type: string; coordinates: unknown[] });
    if (g) return g;
  }
  for (const k in v) {
    const x = v[k];
    if (x !== null && typeof x === 'object') v[k] = walk(x as Json);
  }
  return v;
}

/**
 * isoMillis returns the time of an RFC 3339 date in milliseconds. The
 * server's fixed layout (YYYY-MM-DDTHH:MM:SS.mmmZ, db.DateLayout) is read
 * digit by digit, about twice as fast as Date.parse, which handles any
 * other form (NaN for what it cannot read).
 */
export function isoMillis(s: string): number {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(23) !== 90) {
    return Date.parse(s);
  }
  let bad = false;
  const num = (at: number, len: number): number => {
    let r = 0;
    for (let i = at; i < at + len; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) bad = true;
      r = r * 10 + c;
    }
    return r;
  };
  let y = num(0, 4);
  const mo = num(5, 2);
  const d = num(8, 2);
  const h = num(11, 2);
  const mi = num(14, 2);
  const sec = num(17, 2);
  const ms = num(20, 3);
  if (bad || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return Date.parse(s);
  // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  if (mo <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  return days * 86400000 + h * 3600000 + mi * 60000 + sec * 1000 + ms;
}
