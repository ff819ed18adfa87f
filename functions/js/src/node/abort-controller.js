// The runtime's AbortController and AbortSignal, for packages that require
// the npm "abort-controller" shim.
module.exports = { AbortController: globalThis.AbortController, AbortSignal: globalThis.AbortSignal };
