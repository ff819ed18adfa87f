import { type Platform } from './miniprogram';
import type { Adapter } from './types';
/** The names init({ adapter }) accepts. */
export type AdapterName = 'fetch' | Platform;
/**
 * The adapter for init's adapter option: an Adapter object as given; a
 * name; or, when absent, the first platform whose global has request (wx,
 * my, tt, uni), else fetch. Throws an Error when a named platform's global is
 * missing or the value is not an adapter.
 */
export declare function resolveAdapter(a?: Adapter | AdapterName): Adapter;
export { fetchAdapter, memoryKV } from './fetch';
export { miniProgramAdapter } from './miniprogram';
export type { MiniProgramAPI, Platform } from './miniprogram';
export * from './types';
