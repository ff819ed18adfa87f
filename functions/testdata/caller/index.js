// Functions calling functions: the callee sees the original caller and
// SOURCE with ",scf" appended; failures keep wx-server-sdk's shape.
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

exports.main = async (event) => {
  switch (event.mode) {
    case 'context':
      return cloud.callFunction({ name: 'wxcontext', data: { from: 'caller' } });
    case 'sum':
      return cloud.callFunction({ name: 'sum', data: { a: 2, b: 40 } });
    case 'string':
      return cloud.callFunction({ name: 'caller', data: { mode: 'returnJSONText' } });
    case 'returnJSONText':
      return '{"parsed":true}';
    case 'missing':
    case 'throws':
      try {
        await cloud.callFunction({ name: event.mode === 'missing' ? 'no-such-function' : 'failing', data: { mode: 'throw', why: 'nested' } });
        return 'no error';
      } catch (e) {
        return { errCode: e.errCode, errMsg: e.errMsg, hasRequestId: typeof e.requestId === 'string' };
      }
    case 'recurse':
      return cloud.callFunction({ name: 'caller', data: { mode: 'recurse' } });
    case 'unserializable': {
      // What JSON.stringify refuses is refused as it would be, for data and
      // for a database write; Dates and toJSON go as JSON.stringify sends them.
      const cyclic = { a: 1 };
      cyclic.self = cyclic;
      const out = [];
      for (const f of [() => cloud.callFunction({ name: 'sum', data: cyclic }), () => cloud.callFunction({ name: 'sum', data: { n: 1n } })]) {
        try {
          await f();
          out.push('no error');
        } catch (e) {
          out.push(e.name + ': ' + e.message);
        }
      }
      const echoed = await cloud.callFunction({ name: 'echo', data: { when: new Date(0), custom: { toJSON: () => 'custom' }, skip: undefined } });
      out.push(echoed.result.event);
      return out;
    }
    case 'parallel': {
      const rs = await Promise.all([1, 2, 3].map((a) => cloud.callFunction({ name: 'sum', data: { a, b: 1 } })));
      return rs.map((r) => r.result.sum);
    }
  }
  throw new Error('unknown mode');
};
