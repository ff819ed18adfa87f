// The CommonJS entry: require('minibase-sdk') returns the cloud object
// itself, as code written for wx.cloud expects (const cloud = require(…);
// cloud.init(…)). The named exports ride along as its properties, and
// .default points back at it for transpiled `import cloud from`.
import cloud, * as named from './index';

declare const module: { exports: unknown };
module.exports = Object.assign(cloud, named);
