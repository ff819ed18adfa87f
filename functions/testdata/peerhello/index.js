// bench/'s hello (the PocketBase comparison): an async main returning a
// constant, also served over HTTP access at /fn/peerhello.
exports.main = async () => ({ message: 'Hello, World!' });
