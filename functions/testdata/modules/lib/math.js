exports.loads = (exports.loads || 0) + 1;
exports.add = (a, b) => a + b;
exports.filename = __filename;
