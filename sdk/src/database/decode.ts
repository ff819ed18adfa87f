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
  if (d !== undefined && (typeof d === 'string' || typeof d === 'number')) return new Date(d);
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
