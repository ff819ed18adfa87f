// Libraries from npm that real functions use, loaded by require() from
// node_modules as they are (no package.json dependencies: this folder is
// not bundled): moment@2.31.0, dayjs@1.11.23, lodash@4.18.1,
// crypto-js@4.2.0. Each value is what Node 20 gives for the same code
// (functions/node_http_test.go).
const moment = require('moment');
require('moment/locale/zh-cn');
const dayjs = require('dayjs');
const utc = require('dayjs/plugin/utc');
const _ = require('lodash');
const CryptoJS = require('crypto-js');

dayjs.extend(utc);

exports.main = async () => {
  const t = '2024-03-05T08:09:10Z';
  return {
    moment: [
      moment.utc(t).locale('en').format('YYYY-MM-DD HH:mm:ss dddd'), moment.utc(t).add(1, 'month').toISOString(),
      moment.utc(t).locale('zh-cn').format('LL dddd'), moment.utc('2024-01-01').diff(moment.utc(t), 'days'),
      moment('not a date', 'YYYY-MM-DD', true).isValid(), moment.utc(t).locale('en').from(moment.utc(t).add(3, 'days')),
    ],
    dayjs: [dayjs.utc(t).format('YYYY/MM/DD HH:mm'), dayjs.utc(t).add(7, 'day').toISOString(), dayjs.utc(t).startOf('month').toISOString(), dayjs.utc(t).day()],
    lodash: [
      _.chunk([1, 2, 3, 4, 5], 2), _.groupBy(['one', 'two', 'three'], 'length'), _.get({ a: [{ b: 2 }] }, 'a[0].b'),
      _.uniqBy([{ x: 1 }, { x: 1 }, { x: 2 }], 'x').length, _.template('hi <%= name %>')({ name: 'x' }),
      _.cloneDeep({ d: new Date(0) }).d.getTime(), _.isEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }),
      _.orderBy([{ n: 'b', v: 1 }, { n: 'a', v: 2 }], ['n'], ['asc']).map((o) => o.v), _.merge({ a: { b: 1 } }, { a: { c: 2 } }),
    ],
    cryptojs: [
      CryptoJS.MD5('abc').toString(), CryptoJS.SHA256('abc').toString(CryptoJS.enc.Base64), CryptoJS.HmacSHA1('msg', 'key').toString(),
      CryptoJS.AES.decrypt(CryptoJS.AES.encrypt('secret text', 'pass').toString(), 'pass').toString(CryptoJS.enc.Utf8),
      CryptoJS.AES.encrypt(CryptoJS.enc.Utf8.parse('fixed'), CryptoJS.enc.Utf8.parse('0123456789abcdef'),
        { iv: CryptoJS.enc.Utf8.parse('fedcba9876543210'), mode: CryptoJS.mode.CBC, padding: CryptoJS.pad.Pkcs7 }).toString(),
      CryptoJS.enc.Base64.stringify(CryptoJS.enc.Utf8.parse('你好')), CryptoJS.lib.WordArray.random(16).sigBytes,
    ],
  };
};
