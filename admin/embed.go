//go:build !noadmin

// Package admin holds the admin console's committed build, which the
// server (package server) serves at /_/. The Preact sources, unit tests
// and build scripts live beside this file; `npm run build` writes dist/,
// and `npm run check:dist` fails when the committed dist/ is stale.
package admin

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// Dist is the console's dist/ directory as a file system rooted at it:
// index.html and assets/ (JavaScript and CSS whose names carry a content
// hash). Build with the noadmin tag to leave it out (an empty FS).
var Dist fs.FS = sub(dist, "dist")

func sub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil { // fs.Sub fails only for an invalid path, and "dist" is valid
		panic(err)
	}
	return s
}
