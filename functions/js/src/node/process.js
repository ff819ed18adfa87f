// The runtime's process, for packages that require the npm "process" shim.
module.exports = process;
