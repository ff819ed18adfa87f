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

// logRoom is how many bytes a console line may take: what is left of the
// invocation's log budget (a longer line is dropped and counted), plus one
// so that it does not fit.
func (in *instance) logRoom() int {
	if c := in.cur; c != nil {
		return max(c.logs.max-c.logs.size, 0) + 1
	}
	return in.rt.opts.MaxLog + 1
}

// line is a console line being formatted, up to max bytes: formatting
// stops once it is full, since the line would be dropped.
type line struct {
	strings.Builder
	max int
}

func (b *line) room() int { return max(b.max-b.Len(), 0) }

func (b *line) full() bool { return b.Len() >= b.max }

func (b *line) add(s string) {
	if len(s) > b.room() {
		s = s[:b.room()]
	}
	b.WriteString(s)
}

// format joins console arguments as Node's util.format does: printf-style
// %s %d %i %f %j %o %O %% in a leading string, the rest separated by
// spaces; objects appear as JSON, errors as their stack. The line is at
// most logRoom bytes.
func (in *instance) format(args []goja.Value) string {
	b := &line{max: in.logRoom()}
	rest := args
	if len(args) > 0 {
		if s := args[0]; goja.IsString(s) && strings.IndexByte(s.String(), '%') >= 0 {
			rest = in.printf(b, s.String(), args[1:])
		} else {
			b.add(in.inspect(args[0], true, b.room()))
			rest = args[1:]
		}
	}
	for _, a := range rest {
		if b.full() {
			break
		}
		if b.Len() > 0 {
			b.add(" ")
		}
		b.add(in.inspect(a, true, b.room()))
	}
	return b.String()
}

func (in *instance) printf(b *line, f string, args []goja.Value) []goja.Value {
	for i := 0; i < len(f) && !b.full(); i++ {
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
			b.add(in.inspect(a, true, b.room()))
		case 'd', 'i':
			n := a.ToFloat()
			if verb == 'i' {
				n = float64(int64(n))
			}
			b.add(strconv.FormatFloat(n, 'f', -1, 64))
		case 'f':
			b.add(strconv.FormatFloat(a.ToFloat(), 'g', -1, 64))
		case 'j', 'o', 'O':
			b.add(in.inspect(a, false, b.room()))
		}
	}
	return args
}

// inspect renders one value in about max bytes; top-level strings are
// written as they are. It runs the function's code (getters, toJSON,
// toString) in the VM, where the deadline stops it.
func (in *instance) inspect(v goja.Value, rawString bool, max int) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	o, ok := v.(*goja.Object)
	if !ok {
		if goja.IsString(v) && !rawString {
			return strconv.Quote(cut(v.String(), max))
		}
		return cut(v.String(), max)
	}
	if _, isFn := goja.AssertFunction(v); isFn {
		return "[Function: " + cut(o.Get("name").String(), max) + "]"
	}
	switch o.ClassName() {
	case "Error":
		return in.errorString(v, max)
	case "Date", "RegExp":
		return cut(v.String(), max)
	}
	var b []byte
	var present, over bool
	if ex := in.vm.Try(func() {
		w := in.newJSONWriter(max)
		b, present, over = w.write(v)
		in.freeJSONWriter(w)
	}); ex == nil && present {
		if over {
			return string(b) + "…"
		}
		return string(b)
	}
	// What JSON.stringify cannot write (a cycle, a BigInt, a toJSON that
	// throws, too deep a value): its string, else its class.
	var s string
	if ex := in.vm.Try(func() { s = cut(v.String(), max) }); ex != nil {
		return "[object " + o.ClassName() + "]"
	}
	return s
}
