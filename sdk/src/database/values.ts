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
export abstract class DbValue {
  /** The wire form. */
  abstract toJSON(): object;
}

/** db.serverDate({offset}): the server's clock at write time, plus offset ms. */
export class ServerDate extends DbValue {
  /** wx.cloud's shape: the options the value was made with. */
  readonly options: { offset: number };
  constructor(opts?: { offset?: number }) {
    super();
    this.options = { offset: opts?.offset ?? 0 };
  }
  /** The wire form. */
  override toJSON(): { $serverDate: { offset: number } } {
    return { $serverDate: { offset: this.options.offset } };
  }
}

/**
 * db.RegExp({regexp, options}): a regular expression given as a string, so
 * that the `s` flag and patterns built at run time can be used. options is
 * any of i, m, s. Throws a TypeError when regexp is missing or empty.
 */
export class DbRegExp extends DbValue {
  readonly regexp: string;
  readonly options: string;
  constructor(opts: { regexp: string; options?: string }) {
    super();
    if (!opts || !opts.regexp) throw new TypeError('regexp must be a string');
    this.regexp = String(opts.regexp);
    this.options = opts.options === undefined ? '' : String(opts.options);
  }
  /** The wire form. */
  override toJSON(): { $regex: string; $options?: string } {
    return this.options ? { $regex: this.regexp, $options: this.options } : { $regex: this.regexp };
  }
}

/** The JS RegExp flags the server knows; g, y, u, d and v do not change what a pattern matches. */
const FLAGS = /[^ims]/g;

/** The wire form of a JS RegExp: its source and its i, m and s flags. */
export function regexpJSON(r: RegExp): { $regex: string; $options?: string } {
  const o = r.flags.replace(FLAGS, '');
  return o ? { $regex: r.source, $options: o } : { $regex: r.source };
}
