/** decode converts the extended-JSON values inside v (in place) and returns it. */
export declare function decode<T>(v: T): T;
