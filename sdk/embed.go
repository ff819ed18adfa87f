//go:build !nosdk

// Package sdk holds the JavaScript client SDK's committed build, which the
// server (package server) serves at /sdk/. The TypeScript sources, tests and build scripts live
// beside this file; `npm run build` writes dist/, and `npm run check:dist`
// fails when the committed dist/ is stale.
package sdk

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// Dist is the SDK's dist/ directory as a file system rooted at it:
// minibase.mjs (ESM), minibase.cjs (CommonJS) and types/ (.d.ts). Build with
// the nosdk tag to leave it out (an empty FS).
var Dist fs.FS = sub(dist, "dist")

func sub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil { // fs.Sub fails only for an invalid path, and "dist" is valid
		panic(err)
	}
	return s
}
