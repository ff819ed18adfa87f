// The smallest function: a synchronous return.
exports.main = () => ({ message: 'Hello, World!' });
