import { fetchAdapter } from './fetch';
import { miniProgramAdapter, type MiniProgramAPI, type Platform } from './miniprogram';
import type { Adapter } from './types';

/** The names init({ adapter }) accepts. */
export type AdapterName = 'fetch' | Platform;

declare const wx: unknown, my: unknown, tt: unknown, uni: unknown;

// platformAPI reads the global by name; typeof keeps an absent one from throwing.
function platformAPI(p: Platform): MiniProgramAPI | undefined {
  let api: unknown;
  switch (p) {
    case 'wx':
      api = typeof wx === 'object' ? wx : undefined;
      break;
    case 'my':
      api = typeof my === 'object' ? my : undefined;
      break;
    case 'tt':
      api = typeof tt === 'object' ? tt : undefined;
      break;
    case 'uni':
      api = typeof uni === 'object' ? uni : undefined;
      break;
  }
  return api && typeof (api as MiniProgramAPI).request === 'function' ? (api as MiniProgramAPI) : undefined;
}

const PLATFORMS: Platform[] = ['wx', 'my', 'tt', 'uni'];

/**
 * The adapter for init's adapter option: an Adapter object as given; a
 * name; or, when absent, the first platform whose global has request (wx,
 * my, tt, uni), else fetch. Throws an Error when a named platform's global is
 * missing or the value is not an adapter.
 */
export function resolveAdapter(a?: Adapter | AdapterName): Adapter {
  if (a === undefined) {
    for (const p of PLATFORMS) {
      const api = platformAPI(p);
      if (api) return miniProgramAdapter(p, api);
    }
    return fetchAdapter();
  }
  if (a !== null && typeof a === 'object') {
    if (typeof a.request !== 'function') throw new Error('adapter must have a request(req) method');
    return a;
  }
  if (a === 'fetch') return fetchAdapter();
  if ((PLATFORMS as string[]).includes(a)) {
    const api = platformAPI(a);
    if (!api) throw new Error(`adapter '${a}' needs the global ${a}.request, which this platform does not have`);
    return miniProgramAdapter(a, api);
  }
  throw new Error(`adapter must be an Adapter object or one of fetch, ${PLATFORMS.join(', ')}; got ${String(a)}`);
}

export { fetchAdapter, memoryKV } from './fetch';
export { miniProgramAdapter } from './miniprogram';
export type { MiniProgramAPI, Platform } from './miniprogram';
export * from './types';
