package functions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Which functions are bundled at deploy: those the runtime's CommonJS
// loader cannot run as they are. A plain CommonJS folder without
// dependencies runs as it is, so edits on disk keep working file by file.

// esmSyntax finds an import or export statement at the start of a line:
// a file written as an ES module.
var esmSyntax = regexp.MustCompile(`(?m)^[ \t]*(?:import\b[ \t]*[\w$*{"']|export\b[ \t]*(?:default|const|let|var|function|async|class|\{|\*))`)

// lowered is the syntax goja cannot parse, which the bundle rewrites into
// what it can (esbuild's feature names): async generators and for await
// become generators driven by esbuild's helpers (Symbol.asyncIterator is
// the prelude's), import() of a module left to require() a promise of it,
// using declarations try/finally blocks, and regular expression literals
// with the d or v flag new RegExp(...) calls, which throw only if they run
// (goja has neither flag). Everything else of ES2025 goja runs as written,
// so the bundle targets ESNext minus these (bundle_test.go runs each).
var lowered = map[string]bool{
	"async-generator":      false,
	"for-await":            false,
	"dynamic-import":       false,
	"using":                false,
	"regexp-match-indices": false,
	"regexp-set-notation":  false,
}

// loweredSyntax finds, in a script, syntax goja cannot parse that
// the bundle lowers: an async generator or a for await loop (a match in a
// comment or a string only costs a bundle). Files without "async" are not
// searched: both live only in async functions.
var loweredSyntax = regexp.MustCompile(`\basync\s*(?:function\s*)?\*|\bfor\s+await\s*\(`)

// entryOf is the file a function starts from: index.js, else index.ts.
func entryOf(files map[string][]byte) string {
	if _, ok := files["index.js"]; !ok {
		if _, ok := files["index.ts"]; ok {
			return "index.ts"
		}
	}
	return "index.js"
}

// bundleReason says why files must be bundled before they run, or ""
// when they run as they are: the entry is index.ts; package.json declares
// dependencies (other than wx-server-sdk) or "type": "module"; a file of
// the function's own (outside node_modules) is TypeScript, .mjs, or a .js
// file with import/export statements; or any script, its own or a
// package's, uses syntax goja lacks (loweredSyntax), which only a bundle
// rewrites.
func bundleReason(files map[string][]byte) string {
	if entryOf(files) == "index.ts" {
		return "index.ts"
	}
	if b, ok := files["package.json"]; ok {
		var pkg struct {
			Type         string            `json:"type"`
			Dependencies map[string]string `json:"dependencies"`
		}
		if json.Unmarshal(b, &pkg) == nil {
			if pkg.Type == "module" {
				return `package.json "type": "module"`
			}
			for dep := range pkg.Dependencies {
				if !slices.Contains(providedModules, dep) {
					return "package.json dependencies"
				}
			}
		}
	}
	for p, b := range files {
		ext := path.Ext(p)
		if (ext == ".js" || ext == ".cjs") && bytes.Contains(b, []byte("async")) && loweredSyntax.Match(b) {
			return p + " (async generators or for await)"
		}
		if strings.HasPrefix(p, "node_modules/") || strings.HasSuffix(p, ".d.ts") {
			continue
		}
		switch ext {
		case ".ts", ".mts", ".mjs":
			return p
		case ".js":
			if esmSyntax.Match(b) {
				return p + " (ES module syntax)"
			}
		}
	}
	return ""
}

// bundle builds the function whose sources are in folder, starting at
// entry, into one CommonJS script with esbuild: platform node, the syntax
// goja runs (ESNext minus lowered), wx-server-sdk and Node's built-ins
// left to require(), an inline source map so stack traces name the source
// files and lines.
// Every file the bundle reads must be inside folder. Build errors are
// *Error INVALID_PARAM carrying esbuild's messages with file:line:column.
func bundle(folder, entry string) ([]byte, error) {
	root, err := filepath.Abs(folder)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	res := api.Build(api.BuildOptions{
		EntryPoints:    []string{"./" + entry},
		AbsWorkingDir:  root,
		Outfile:        filepath.Join(root, "index.bundle.js"), // named, never written
		Bundle:         true,
		Write:          false,
		Platform:       api.PlatformNode,
		Format:         api.FormatCommonJS,
		Target:         api.ESNext,
		Supported:      lowered,
		External:       providedModules,
		Charset:        api.CharsetUTF8,
		Sourcemap:      api.SourceMapInline,
		SourcesContent: api.SourcesContentExclude,
		LogLevel:       api.LogLevelSilent,
		Plugins:        []api.Plugin{insideOnly(root)},
	})
	if len(res.Errors) > 0 {
		return nil, Errorf(CodeInvalidParam, "bundling %s failed (esbuild):\n%s", entry, bundleMessages(res.Errors, root))
	}
	for _, f := range res.OutputFiles {
		if strings.HasSuffix(f.Path, ".js") {
			return f.Contents, nil
		}
	}
	return nil, fmt.Errorf("bundle: esbuild wrote no script")
}

// insideOnly refuses to load any file outside root: a bundle must not
// carry the host's files (a "../../etc" import, a package found in a
// node_modules above the function's folder, a symbolic link out of it).
func insideOnly(root string) api.Plugin {
	return api.Plugin{Name: "inside-the-function", Setup: func(b api.PluginBuild) {
		b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: "file"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
			rel, err := filepath.Rel(root, a.Path)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return api.OnLoadResult{Errors: []api.Message{{Text: fmt.Sprintf(
					"%s is outside the function's folder: a function can use only its own files (put packages in its node_modules/)", filepath.ToSlash(rel))}}}, nil
			}
			return api.OnLoadResult{}, nil // esbuild loads it
		})
	}}
}

// bundleMessages formats esbuild's errors as "file:line:column: text", at
// most 10 of them, with paths relative to the function's folder.
func bundleMessages(msgs []api.Message, root string) string {
	var b strings.Builder
	for i, m := range msgs {
		if i == 10 {
			fmt.Fprintf(&b, "… and %d more errors\n", len(msgs)-i)
			break
		}
		text := strings.ReplaceAll(m.Text, root+string(filepath.Separator), "")
		if strings.HasPrefix(text, "Could not resolve \"") {
			text += " (include the package in node_modules/: minibase does not install packages)"
		}
		if l := m.Location; l != nil {
			fmt.Fprintf(&b, "%s:%d:%d: %s\n", filepath.ToSlash(l.File), l.Line, l.Column+1, text)
			if l.LineText != "" {
				fmt.Fprintf(&b, "    %s\n", strings.TrimSpace(l.LineText))
			}
		} else {
			fmt.Fprintf(&b, "%s\n", text)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}
