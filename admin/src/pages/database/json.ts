/**
 * The JSON editors' checks: text → a document (an object), with
 * extended-JSON dates ({"$date": "<RFC 3339>"} or {"$date": <ms>}) checked
 * to be real dates, and a size limit. Errors are in the console's language.
 */
import { t } from '../../i18n';

export const MAX_JSON = 1 << 20; // 1 MiB: the server refuses larger bodies anyway

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses text as JSON of the kind wanted ('object', 'array' or 'any'). */
export function parseJSON<T = unknown>(text: string, want: 'object' | 'array' | 'any' = 'object'): Parsed<T> {
  if (text.length > MAX_JSON) return { ok: false, error: t('json.tooLarge', { max: '1 MiB' }) };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: t('json.syntax', { detail: (e as Error).message }) };
  }
  if (want === 'object' && (v === null || typeof v !== 'object' || Array.isArray(v))) return { ok: false, error: t('json.wantObject') };
  if (want === 'array' && !Array.isArray(v)) return { ok: false, error: t('json.wantArray') };
  const bad = badDate(v, '');
  if (bad !== undefined) return { ok: false, error: t('json.badDate', { path: bad || '(root)' }) };
  return { ok: true, value: v as T };
}

// badDate is the path of the first {"$date": x} whose x is not a date.
function badDate(v: unknown, path: string): string | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const b = badDate(v[i], `${path}[${i}]`);
      if (b !== undefined) return b;
    }
    return undefined;
  }
  const o = v as Record<string, unknown>;
  if ('$date' in o) {
    const d = o.$date;
    const ok =
      (typeof d === 'number' && Number.isFinite(d)) ||
      (typeof d === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(d) && !Number.isNaN(Date.parse(d)));
    return ok && Object.keys(o).length === 1 ? undefined : path;
  }
  for (const [k, x] of Object.entries(o)) {
    const b = badDate(x, path ? `${path}.${k}` : k);
    if (b !== undefined) return b;
  }
  return undefined;
}

/** Pretty JSON for the editors. */
export const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** A one-line preview of a document, cut at n characters. */
export function preview(v: unknown, n = 160): string {
  const s = JSON.stringify(v);
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
