import { type Adapter, type KV } from './types';
/**
 * The transport for browsers and Node 18+: fetch with an AbortController
 * for the time limit; storage is localStorage when the platform has one,
 * else memory. (The realtime and storage issues add connectSocket,
 * uploadFile and downloadFile.)
 */
export declare function fetchAdapter(): Adapter;
/** A KV that lives as long as the process (Node, or no web storage). */
export declare function memoryKV(): KV;
