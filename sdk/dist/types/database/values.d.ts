/**
 * The special values of spec §1.6 besides Geo: db.serverDate() and
 * db.RegExp(). Their wire forms are minibase's extended JSON (README,
 * "Extended JSON"): {"$serverDate": {"offset": ms}} and
 * {"$regex": …, "$options": …}.
 */
/**
 * The base of the SDK's value classes (Geo, ServerDate, RegExp): data that
 * travels as the extended JSON its toJSON() returns, never flattened.
 */
export declare abstract class DbValue {
    /** The wire form. */
    abstract toJSON(): object;
}
/** db.serverDate({offset}): the server's clock at write time, plus offset ms. */
export declare class ServerDate extends DbValue {
    /** wx.cloud's shape: the options the value was made with. */
    readonly options: {
        offset: number;
    };
    constructor(opts?: {
        offset?: number;
    });
    /** The wire form. */
    toJSON(): {
        $serverDate: {
            offset: number;
        };
    };
}
/**
 * db.RegExp({regexp, options}): a regular expression given as a string, so
 * that the `s` flag and patterns built at run time can be used. options is
 * any of i, m, s. Throws a TypeError when regexp is missing or empty.
 */
export declare class DbRegExp extends DbValue {
    readonly regexp: string;
    readonly options: string;
    constructor(opts: {
        regexp: string;
        options?: string;
    });
    /** The wire form. */
    toJSON(): {
        $regex: string;
        $options?: string;
    };
}
/** The wire form of a JS RegExp: its source and its i, m and s flags. */
export declare function regexpJSON(r: RegExp): {
    $regex: string;
    $options?: string;
};
