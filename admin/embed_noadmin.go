//go:build noadmin

package admin

import (
	"embed"
	"io/fs"
)

// Dist is empty in a build with the noadmin tag: /_/ answers 404.
var Dist fs.FS = embed.FS{}
