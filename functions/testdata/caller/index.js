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
        await cloud.callFunction({ name: event.mode === 'missing' ? 'no-such-function' : 'runaway', data: { mode: 'throw', why: 'nested' } });
        return 'no error';
      } catch (e) {
        return { errCode: e.errCode, errMsg: e.errMsg, hasRequestId: typeof e.requestId === 'string' };
      }
    case 'recurse':
      return cloud.callFunction({ name: 'caller', data: { mode: 'recurse' } });
    case 'parallel': {
      const rs = await Promise.all([1, 2, 3].map((a) => cloud.callFunction({ name: 'sum', data: { a, b: 1 } })));
      return rs.map((r) => r.result.sum);
    }
  }
  throw new Error('unknown mode');
};
