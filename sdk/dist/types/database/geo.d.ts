/**
 * db.Geo: the six GeoJSON geometries of wx.cloud (spec §1.6). Each is
 * callable with or without `new`, validates its input with the original
 * SDK's messages, takes either Geo instances or the GeoJSON object, and
 * serialises to GeoJSON through toJSON(). Coordinates are [longitude,
 * latitude], longitude first.
 */
import { DbValue } from './values';
type Pair = [number, number];
/** A point: `Geo.Point(longitude, latitude)` or `Geo.Point({type: 'Point', coordinates})`. */
export declare class GeoPoint extends DbValue {
    readonly longitude: number;
    readonly latitude: number;
    constructor(longitude: number | {
        type: 'Point';
        coordinates: Pair;
    }, latitude?: number);
    toJSON(): {
        type: 'Point';
        coordinates: Pair;
    };
    toString(): string;
}
/** A line of two or more points. */
export declare class GeoLineString extends DbValue {
    readonly points: GeoPoint[];
    constructor(pts: GeoPoint[] | {
        type: 'LineString';
        coordinates: Pair[];
    });
    toJSON(): {
        type: 'LineString';
        coordinates: Pair[];
    };
    toString(): string;
}
/** A polygon: one or more closed line strings (the first is the outer ring). */
export declare class GeoPolygon extends DbValue {
    readonly lines: GeoLineString[];
    constructor(ls: GeoLineString[] | {
        type: 'Polygon';
        coordinates: Pair[][];
    });
    toJSON(): {
        type: 'Polygon';
        coordinates: Pair[][];
    };
    toString(): string;
}
/** One or more points. */
export declare class GeoMultiPoint extends DbValue {
    readonly points: GeoPoint[];
    constructor(pts: GeoPoint[] | {
        type: 'MultiPoint';
        coordinates: Pair[];
    });
    toJSON(): {
        type: 'MultiPoint';
        coordinates: Pair[];
    };
    toString(): string;
}
/** One or more line strings. */
export declare class GeoMultiLineString extends DbValue {
    readonly lines: GeoLineString[];
    constructor(ls: GeoLineString[] | {
        type: 'MultiLineString';
        coordinates: Pair[][];
    });
    toJSON(): {
        type: 'MultiLineString';
        coordinates: Pair[][];
    };
    toString(): string;
}
/** One or more polygons. */
export declare class GeoMultiPolygon extends DbValue {
    readonly polygons: GeoPolygon[];
    constructor(ps: GeoPolygon[] | {
        type: 'MultiPolygon';
        coordinates: Pair[][][];
    });
    toJSON(): {
        type: 'MultiPolygon';
        coordinates: Pair[][][];
    };
    toString(): string;
}
/** Any Geo value. */
export type GeoValue = GeoPoint | GeoLineString | GeoPolygon | GeoMultiPoint | GeoMultiLineString | GeoMultiPolygon;
/** True when v is one of the six Geo classes. */
export declare function isGeo(v: unknown): v is GeoValue;
/** A class that may also be called without `new`, as wx.cloud's constructors can. */
export type Callable<A extends unknown[], T> = {
    new (...args: A): T;
    (...args: A): T;
    prototype: T;
};
/**
 * callable wraps class C so that C(...) and new C(...) both construct it;
 * `x instanceof callable(C)` holds for every instance of C.
 */
export declare function callable<A extends unknown[], T>(C: new (...args: A) => T): Callable<A, T>;
/** db.Geo. */
export declare const Geo: {
    Point: Callable<[longitude: number | {
        type: "Point";
        coordinates: Pair;
    }, latitude?: number | undefined], GeoPoint>;
    LineString: Callable<[pts: GeoPoint[] | {
        type: "LineString";
        coordinates: Pair[];
    }], GeoLineString>;
    Polygon: Callable<[ls: GeoLineString[] | {
        type: "Polygon";
        coordinates: Pair[][];
    }], GeoPolygon>;
    MultiPoint: Callable<[pts: GeoPoint[] | {
        type: "MultiPoint";
        coordinates: Pair[];
    }], GeoMultiPoint>;
    MultiLineString: Callable<[ls: GeoLineString[] | {
        type: "MultiLineString";
        coordinates: Pair[][];
    }], GeoMultiLineString>;
    MultiPolygon: Callable<[ps: GeoPolygon[] | {
        type: "MultiPolygon";
        coordinates: Pair[][][];
    }], GeoMultiPolygon>;
};
/**
 * fromGeoJSON turns a GeoJSON object read from the server into its Geo
 * instance, as the original SDK does on the response path, or returns
 * undefined when o is not valid GeoJSON of the six types (it then stays a
 * plain object).
 */
export declare function fromGeoJSON(o: {
    type: string;
    coordinates: unknown[];
}): GeoValue | undefined;
export {};
