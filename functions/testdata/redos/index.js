// A catastrophically backtracking expression (look-ahead: goja's regexp2
// engine, which no interrupt can stop) is cut off by the match timeout.
exports.main = async () => /^(a+)+(?=b)/.test('a'.repeat(40));
