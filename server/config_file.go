package server

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// The config file: TOML, one key per setting (its variable's name in
// lowercase without MINIBASE_: body_limit = "16MiB"), at the top level.
// Values are strings, whole numbers or true/false, read as the variable's
// text would be; a list setting also takes an array of strings. A key no
// setting has, a table, or a value of another type (a decimal number, a
// date) is an error naming the file, the line and the key: a typo is never
// ignored.

// maxConfigFile bounds the config file's size.
const maxConfigFile = 1 << 20

// fileValue is a setting's value in the config file, as text, and the
// line it is on.
type fileValue struct {
	raw  string
	line int
}

// fileKey is s's key in the config file.
func (s *setting) fileKey() string {
	if s.key != "" {
		return s.key
	}
	return strings.ToLower(strings.TrimPrefix(s.env, "MINIBASE_"))
}

// aliasValue is the value of s's older variable (alias), if any.
func (s *setting) aliasValue(getenv func(string) string) string {
	if s.alias == "" {
		return ""
	}
	return getenv(s.alias)
}

// readConfigFile reads the config file at path: the value of each setting
// of table it gives, by file key. Every problem of the file is in the
// error, one a line, each naming path, line and key; with problems of
// keys and types, the values it could read are returned too (so that
// their own problems are told as well).
func readConfigFile(path string, table []setting) (map[string]fileValue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	if len(data) > maxConfigFile {
		return nil, fmt.Errorf("%s: larger than %s: not a config file", path, sizeText(maxConfigFile))
	}
	return parseConfigFile(path, data, table)
}

// parseConfigFile is readConfigFile of data, read from path.
func parseConfigFile(path string, data []byte, table []setting) (map[string]fileValue, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("%s:%d:%d: not valid TOML: %s", path, row, col, strings.TrimPrefix(err.Error(), "toml: "))
		}
		return nil, fmt.Errorf("%s: not valid TOML: %s", path, strings.TrimPrefix(err.Error(), "toml: "))
	}
	lines := keyLines(data)
	byKey := make(map[string]*setting, len(table))
	for i := range table {
		byKey[table[i].fileKey()] = &table[i]
		if a := table[i].alias; a != "" {
			byKey[strings.ToLower(strings.TrimPrefix(a, "MINIBASE_"))] = &table[i]
		}
	}
	type problem struct {
		line int
		msg  string
	}
	var problems []problem
	out := map[string]fileValue{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := prefix + k
			line := lineOf(lines, key)
			s := byKey[key]
			if sub, ok := v.(map[string]any); ok && s == nil {
				if len(sub) == 0 {
					problems = append(problems, problem{line, fmt.Sprintf("%s:%d: unknown key %q%s", path, line, key, keyHint(key, byKey))})
				}
				walk(key+".", sub)
				continue
			}
			if s == nil {
				problems = append(problems, problem{line, fmt.Sprintf("%s:%d: unknown key %q%s", path, line, key, keyHint(key, byKey))})
				continue
			}
			raw, err := fileText(v, s.list)
			if err != nil {
				problems = append(problems, problem{line, fmt.Sprintf("%s:%d: %s %v", path, line, key, err)})
				continue
			}
			if _, twice := out[s.fileKey()]; twice {
				problems = append(problems, problem{line, fmt.Sprintf("%s:%d: %s is %s's older name: give one of them", path, line,
					strings.ToLower(strings.TrimPrefix(s.alias, "MINIBASE_")), s.fileKey())})
				continue
			}
			out[s.fileKey()] = fileValue{raw: raw, line: line}
		}
	}
	walk("", doc)
	if len(problems) == 0 {
		return out, nil
	}
	slices.SortFunc(problems, func(a, b problem) int {
		if a.line != b.line {
			return a.line - b.line
		}
		return strings.Compare(a.msg, b.msg)
	})
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = errors.New(p.msg)
	}
	return out, errors.Join(errs...)
}

// fileText is a file value as the variable would write it.
func fileText(v any, list bool) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []any:
		if !list {
			return "", errors.New("takes one value, not an array")
		}
		items := make([]string, len(x))
		for i, it := range x {
			s, ok := it.(string)
			if !ok || strings.Contains(s, ",") {
				return "", errors.New(`must be an array of strings without commas, like ["a", "b"]`)
			}
			items[i] = s
		}
		return strings.Join(items, ","), nil
	case float64:
		return "", errors.New("must be a string, a whole number or true/false, not a decimal number (sizes: \"1.5GiB\" is not taken either; write \"1536MiB\")")
	}
	return "", fmt.Errorf("must be a string, a whole number or true/false, not a %s", tomlType(v))
}

// tomlType names the TOML type of a decoded value.
func tomlType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "table"
	case []any:
		return "array"
	}
	return "date or time"
}

// keyHint suggests the key meant by an unknown one: the flat key a
// table's key spells ([s3] access_key: s3_access_key), or one a typo or
// two away.
func keyHint(key string, byKey map[string]*setting) string {
	if flat := strings.ReplaceAll(key, ".", "_"); flat != key && byKey[flat] != nil {
		return fmt.Sprintf(" (keys are not in tables: write %s = … at the top of the file)", flat)
	}
	if i := strings.LastIndexByte(key, '.'); i >= 0 && byKey[key[i+1:]] != nil {
		return fmt.Sprintf(" (%s is a key of its own: write it at the top of the file, before any [table])", key[i+1:])
	}
	best, bestD := "", 3
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		if d := editDistance(key, k, bestD); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return ""
}

// editDistance is the Levenshtein distance of a and b, or limit when it
// is at least that.
func editDistance(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 || abs(len(a)-len(b)) >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// lineOf is the line of key, or of the nearest table or key it is in (a
// key inside an inline table).
func lineOf(lines map[string]int, key string) int {
	for {
		if l, ok := lines[key]; ok {
			return l
		}
		i := strings.LastIndexByte(key, '.')
		if i < 0 {
			return 0
		}
		key = key[:i]
	}
}

// keyLines maps each key of a TOML document (dotted, tables included) to
// the line it is written on. data is valid TOML (toml.Unmarshal took it).
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		var parts []string
		line := 0
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = table[:0]
		case unstable.KeyValue:
			parts = append(parts, table...)
		default:
			continue
		}
		for it := e.Key(); it.Next(); {
			n := it.Node()
			parts = append(parts, string(n.Data))
			if line == 0 {
				line = p.Shape(n.Raw).Start.Line
			}
			if k := strings.Join(parts, "."); lines[k] == 0 {
				lines[k] = line
			}
		}
		if e.Kind != unstable.KeyValue {
			table = parts
		}
	}
	return lines
}
