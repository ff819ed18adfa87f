// Package functions runs cloud functions: CloudBase-style folders whose
// index.js exports main(event, context), in goja runtimes, with
// require('wx-server-sdk') (dialect B of the database, callFunction,
// getWXContext, logger, storage, cloud.openapi, getOpenData), console,
// timers, fetch, crypto, Buffer, URL, TextEncoder/TextDecoder and
// process.env, and nothing else of the host.
//
// A Runtime loads code from a Source (Dir: <data>/functions/<name>/),
// keeps a pool of instances per function version (module state survives
// between invocations, as in a warm Node container), and bounds every
// invocation: timeout, memory (what each instance's own code keeps,
// measured by heap tags: watchdog.go), call depth, result and event
// sizes, and a concurrency limit with a bounded queue per function.
//
// Around the runtime: the functions' folders, deployments and their
// versions (dir.go, deploy.go, versions.go), the JavaScript the functions
// see (bind_*.go, one per namespace; guards*.go, the built-ins' limits),
// triggers (timers, HTTP access and database changes: triggers.go,
// dbtriggers*.go), asynchronous invocations (async.go), the invocation log
// store (logstore*.go) and the HTTP handlers (http*.go).
//
// This is the only package that imports goja.
package functions
