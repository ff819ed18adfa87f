package functions

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// consoleMethods are the console functions bound, each a log level.
var consoleMethods = []string{"log", "info", "warn", "error", "debug"}

// bindConsole binds console: every line goes to the invocation's log (and
// from there to the LogSink), never to the server's output.
func (in *instance) bindConsole() {
	vm := in.vm
	console := vm.NewObject()
	for _, level := range consoleMethods {
		console.Set(level, func(call goja.FunctionCall) goja.Value {
			in.log(level, in.format(call.Arguments))
			return goja.Undefined()
		})
	}
	vm.Set("console", console)
}

// log adds a line to the running invocation's output.
func (in *instance) log(level, msg string) {
	if c := in.cur; c != nil {
		c.logs.add(level, msg)
	}
}

// format joins console arguments as Node's util.format does: printf-style
// %s %d %i %f %j %o %O %% in a leading string, the rest separated by
// spaces; objects appear as JSON, errors as their stack.
func (in *instance) format(args []goja.Value) string {
	var b strings.Builder
	rest := args
	if len(args) > 0 {
		if s, ok := args[0].Export().(string); ok && strings.IndexByte(s, '%') >= 0 {
			rest = in.printf(&b, s, args[1:])
		} else {
			b.WriteString(in.inspect(args[0], true))
			rest = args[1:]
		}
	}
	for _, a := range rest {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(in.inspect(a, true))
	}
	return b.String()
}

func (in *instance) printf(b *strings.Builder, f string, args []goja.Value) []goja.Value {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		verb := f[i+1]
		if verb == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if !strings.ContainsRune("sdifjoOc", rune(verb)) || len(args) == 0 {
			b.WriteByte('%')
			continue
		}
		a := args[0]
		args = args[1:]
		i++
		switch verb {
		case 's':
			b.WriteString(in.inspect(a, true))
		case 'd', 'i':
			n := a.ToFloat()
			if verb == 'i' {
				n = float64(int64(n))
			}
			b.WriteString(strconv.FormatFloat(n, 'f', -1, 64))
		case 'f':
			b.WriteString(strconv.FormatFloat(a.ToFloat(), 'g', -1, 64))
		case 'j', 'o', 'O':
			b.WriteString(in.inspect(a, false))
		}
	}
	return args
}

// inspect renders one value; top-level strings are written as they are.
func (in *instance) inspect(v goja.Value, rawString bool) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	o, ok := v.(*goja.Object)
	if !ok {
		if _, isStr := v.Export().(string); isStr && !rawString {
			return strconv.Quote(v.String())
		}
		return v.String()
	}
	if _, isFn := goja.AssertFunction(v); isFn {
		return "[Function: " + o.Get("name").String() + "]"
	}
	switch o.ClassName() {
	case "Error":
		return in.errorText(v)
	case "Date", "RegExp":
		return v.String()
	}
	s, err := in.stringify(goja.Undefined(), v)
	if err != nil || goja.IsUndefined(s) {
		return v.String()
	}
	return s.String()
}
