import { type Adapter, type KV } from './types';
/**
 * The transport for browsers and Node 18+: fetch with an AbortController
 * for the time limit; storage is localStorage when the platform has one,
 * else memory. Uploads go through XMLHttpRequest where there is one (it
 * reports upload progress), else fetch. WebSockets are the platform's
 * (webSocket).
 */
export declare function fetchAdapter(): Adapter;
/** A KV that lives as long as the process (Node, or no web storage). */
export declare function memoryKV(): KV;
