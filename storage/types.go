package storage

import (
	"mime"
	"path"
	"strings"
)

// TypeByName guesses a content type from a file name's extension
// (mime.TypeByExtension), else DefaultContentType.
func TypeByName(name string) string {
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(name))); t != "" {
		return t
	}
	return DefaultContentType
}
