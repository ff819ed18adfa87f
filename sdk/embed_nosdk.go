//go:build nosdk

package sdk

import (
	"embed"
	"io/fs"
)

// Dist is empty in a build with the nosdk tag: /sdk/ serves nothing.
var Dist fs.FS = embed.FS{}
