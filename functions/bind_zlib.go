package functions

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	brotli "github.com/molecule-man/go-brrr"
)

// require('zlib') compresses and decompresses with Go's compress/gzip,
// zlib and flate and go-brrr's brotli (already in the build through
// fasthttp). js/node/zlib.js makes Node's streams and convenience methods
// on two natives: once(mode, data, options) for the sync and callback
// forms, and create(mode, options) for a stream's handle, which takes its
// input chunk by chunk and answers what it can already decode. Output is
// bounded by the function's memory (and the caller's maxOutputLength):
// beyond, RangeError ERR_BUFFER_TOO_LARGE, as Node's maxOutputLength.

// zlibModes are the kinds of stream: compress (true) or decompress.
var zlibModes = map[string]bool{
	"gzip": true, "deflate": true, "deflateRaw": true, "brotliCompress": true,
	"gunzip": false, "inflate": false, "inflateRaw": false, "unzip": false, "brotliDecompress": false,
}

// zlibError is a failure as Node's zlib reports it: its message, code and
// errno.
type zlibError struct {
	msg, code string
	errno     int
	isRange   bool
}

func (e *zlibError) Error() string { return e.msg }

var errZlibClosed = &zlibError{msg: "zlib binding closed", code: "ERR_ZLIB_BINDING_CLOSED"}

// zlibFailure maps a Go error to Node's words for it.
func zlibFailure(err error, brotliMode bool) *zlibError {
	var ze *zlibError
	var corrupt flate.CorruptInputError
	switch {
	case errors.As(err, &ze):
		return ze
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errZlibClosed
	case brotliMode:
		return &zlibError{msg: "Decompression failed", code: "ERR_BROTLI_DECOMPRESSION_FAILED", errno: -1}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &zlibError{msg: "unexpected end of file", code: "Z_BUF_ERROR", errno: -5}
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, zlib.ErrHeader):
		return &zlibError{msg: "incorrect header check", code: "Z_DATA_ERROR", errno: -3}
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zlib.ErrChecksum):
		return &zlibError{msg: "incorrect data check", code: "Z_DATA_ERROR", errno: -3}
	case errors.As(err, &corrupt):
		return &zlibError{msg: "invalid stored block lengths", code: "Z_DATA_ERROR", errno: -3}
	}
	return &zlibError{msg: err.Error(), code: "Z_DATA_ERROR", errno: -3}
}

func tooLarge(max int64) *zlibError {
	return &zlibError{msg: fmt.Sprintf("Cannot create a Buffer larger than %d bytes", max), code: "ERR_BUFFER_TOO_LARGE", isRange: true}
}

// zlibOptions are what the natives read of Node's options.
type zlibOptions struct {
	level    int   // 0-9, -1 default; brotli: quality 0-11
	max      int64 // output bound
	syncEnd  bool  // finishFlush Z_SYNC_FLUSH: a truncated stream ends without error
	brotliOn bool
}

func (in *instance) zlibOptions(mode string, o goja.Value) zlibOptions {
	opts := zlibOptions{level: -1, max: in.memoryBudget(), brotliOn: mode == "brotliCompress" || mode == "brotliDecompress"}
	if opts.brotliOn {
		opts.level = 11 // BROTLI_DEFAULT_QUALITY
	}
	obj, ok := o.(*goja.Object)
	if !ok {
		return opts
	}
	if v := obj.Get("level"); v != nil && !goja.IsUndefined(v) {
		opts.level = int(v.ToInteger())
	}
	if p, ok := obj.Get("params").(*goja.Object); ok && opts.brotliOn {
		if q := p.Get("1"); q != nil && !goja.IsUndefined(q) { // BROTLI_PARAM_QUALITY
			opts.level = int(q.ToInteger())
		}
	}
	if v := obj.Get("maxOutputLength"); v != nil && !goja.IsUndefined(v) {
		if n := v.ToInteger(); n > 0 && n < opts.max {
			opts.max = n
		}
	}
	if v := obj.Get("finishFlush"); v != nil && !goja.IsUndefined(v) {
		opts.syncEnd = v.ToInteger() == 2 // Z_SYNC_FLUSH
	}
	return opts
}

// zwriter is a compressor.
type zwriter interface {
	io.WriteCloser
	Flush() error
}

func newCompressor(mode string, dst io.Writer, level int) (zwriter, error) {
	if mode == "brotliCompress" {
		return brotli.NewWriter(dst, min(max(level, 0), 11))
	}
	if level < -1 || level > 9 {
		return nil, &zlibError{msg: fmt.Sprintf("The value of \"options.level\" is out of range. It must be >= -1 and <= 9. Received %d", level), code: "ERR_OUT_OF_RANGE", isRange: true}
	}
	switch mode {
	case "gzip":
		return gzip.NewWriterLevel(dst, level)
	case "deflate":
		return zlib.NewWriterLevel(dst, level)
	}
	return flate.NewWriter(dst, level)
}

func newDecompressor(mode string, src io.Reader) (io.Reader, error) {
	switch mode {
	case "inflate":
		return zlib.NewReader(src)
	case "inflateRaw":
		return flate.NewReader(src), nil
	case "brotliDecompress":
		return brotli.NewReader(src), nil
	}
	// gunzip, and unzip (gzip or zlib): by the header, which says at once
	// when it is not gzip's, as zlib does.
	br := bufio.NewReader(src)
	head, err := br.Peek(2)
	gz := len(head) > 0 && head[0] == 0x1f && (len(head) < 2 || head[1] == 0x8b)
	switch {
	case mode == "gunzip" && len(head) > 0 && !gz:
		return nil, gzip.ErrHeader
	case err != nil:
		return nil, err
	case gz:
		return gzip.NewReader(br)
	}
	return zlib.NewReader(br)
}

// boundedBuffer collects output up to max bytes.
type boundedBuffer struct {
	buf bytes.Buffer
	max int64
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if int64(b.buf.Len()+len(p)) > b.max {
		return 0, tooLarge(b.max)
	}
	return b.buf.Write(p)
}

// zlibOnce does a whole compression or decompression (the sync forms).
func zlibOnce(mode string, data []byte, opts zlibOptions) ([]byte, error) {
	out := &boundedBuffer{max: opts.max}
	if zlibModes[mode] {
		w, err := newCompressor(mode, out, opts.level)
		if err == nil {
			if _, err = w.Write(data); err == nil {
				err = w.Close()
			}
		}
		return out.buf.Bytes(), err
	}
	r, err := newDecompressor(mode, bytes.NewReader(data))
	if err == nil {
		_, err = io.Copy(out, r)
	}
	if err != nil && opts.syncEnd && errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	return out.buf.Bytes(), err
}

// zstream is a stream's handle. A compressor writes each chunk through; a
// decompressor runs Go's reader (which pulls its input) on a goroutine of
// its own, handed one chunk at a time: write gives it a chunk and waits
// until it wants the next one (or has finished), then answers what it
// decoded meanwhile. The goroutine ends with the stream, or with the
// invocation that made it.
type zstream struct {
	mode string
	opts zlibOptions
	ctx  context.Context
	tag  int

	w   zwriter // compressing
	buf boundedBuffer

	started bool          // decompressing: the goroutine runs
	feed    chan []byte   // its input; closed by end
	hungry  chan struct{} // it took all its input
	done    chan struct{} // it finished: err says how
	out     []byte        // decoded since the last take
	total   int64
	err     error
	ended   bool
}

func (z *zstream) write(chunk []byte) ([]byte, error) {
	if z.ended {
		return nil, &zlibError{msg: "write after end", code: "ERR_STREAM_WRITE_AFTER_END"}
	}
	if zlibModes[z.mode] {
		if _, err := z.w.Write(chunk); err != nil {
			return nil, err
		}
		return z.take(), nil
	}
	if !z.started {
		z.started = true
		z.feed, z.hungry, z.done = make(chan []byte), make(chan struct{}), make(chan struct{})
		go tagged(z.tag, func() { z.decode(chunk) })
	} else {
		select {
		case z.feed <- chunk:
		case <-z.done:
			return z.take(), z.err // finished before this chunk: the rest is ignored, as zlib does
		case <-z.ctx.Done():
			return nil, errZlibClosed
		}
	}
	select {
	case <-z.hungry:
	case <-z.done:
	case <-z.ctx.Done():
		return nil, errZlibClosed
	}
	return z.take(), z.err
}

// flush answers what a compressor holds back (Z_SYNC_FLUSH).
func (z *zstream) flush() ([]byte, error) {
	if z.w != nil && !z.ended {
		if err := z.w.Flush(); err != nil {
			return nil, err
		}
	}
	return z.take(), nil
}

func (z *zstream) end() ([]byte, error) {
	if z.ended {
		return nil, nil
	}
	z.ended = true
	if zlibModes[z.mode] {
		err := z.w.Close()
		return z.take(), err
	}
	if !z.started {
		z.started = true
		z.done = make(chan struct{})
		close(z.done)
		z.err = io.ErrUnexpectedEOF // no input at all
	} else {
		close(z.feed)
		select {
		case <-z.done:
		case <-z.ctx.Done():
			return nil, errZlibClosed
		}
	}
	if z.opts.syncEnd && errors.Is(z.err, io.ErrUnexpectedEOF) {
		z.err = nil
	}
	return z.take(), z.err
}

// close ends the stream early: the goroutine stops.
func (z *zstream) close() {
	if !z.ended {
		z.ended = true
		if z.started && z.feed != nil {
			close(z.feed)
		}
	}
}

// take returns the output so far.
func (z *zstream) take() []byte {
	if zlibModes[z.mode] {
		b := bytes.Clone(z.buf.buf.Bytes())
		z.buf.buf.Reset()
		return b
	}
	b := z.out
	z.out = nil
	return b
}

// decode is the decompressing goroutine.
func (z *zstream) decode(first []byte) {
	defer close(z.done)
	src := &zfeed{z: z, cur: first}
	r, err := newDecompressor(z.mode, src)
	if err != nil {
		z.err = err
		return
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if z.total += int64(n); z.total > z.opts.max {
			z.err = tooLarge(z.opts.max)
			return
		}
		z.out = append(z.out, buf[:n]...)
		if err == io.EOF {
			return
		}
		if err != nil {
			z.err = err
			return
		}
	}
}

// zfeed is the decompressor's input: the chunks write hands over.
type zfeed struct {
	z   *zstream
	cur []byte
}

func (f *zfeed) Read(p []byte) (int, error) {
	for len(f.cur) == 0 {
		select {
		case f.z.hungry <- struct{}{}:
		case <-f.z.ctx.Done():
			return 0, context.Canceled
		}
		select {
		case chunk, ok := <-f.z.feed:
			if !ok {
				return 0, io.EOF
			}
			f.cur = chunk
		case <-f.z.ctx.Done():
			return 0, context.Canceled
		}
	}
	n := copy(p, f.cur)
	f.cur = f.cur[n:]
	return n, nil
}

// zlibNatives are js/node/zlib.js's natives.
func (in *instance) zlibNatives() goja.Value {
	vm := in.vm
	mode := func(v goja.Value) string {
		m := v.String()
		if _, ok := zlibModes[m]; !ok {
			panic(vm.NewTypeError("unknown zlib mode " + m))
		}
		return m
	}
	answer := func(b []byte, err error, brotliMode bool) goja.Value {
		if err != nil {
			panic(in.zlibException(zlibFailure(err, brotliMode)))
		}
		return buffer.WrapBytes(vm, b)
	}
	once := func(call goja.FunctionCall) goja.Value {
		m := mode(call.Argument(0))
		data, ok := in.viewBytes(call.Argument(1))
		if !ok {
			panic(vm.NewTypeError("The \"buffer\" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer."))
		}
		opts := in.zlibOptions(m, call.Argument(2))
		var out []byte
		var err error
		tagged(in.tag, func() { out, err = zlibOnce(m, data, opts) })
		return answer(out, err, m == "brotliDecompress")
	}
	create := func(call goja.FunctionCall) goja.Value {
		m := mode(call.Argument(0))
		z := &zstream{mode: m, opts: in.zlibOptions(m, call.Argument(1)), ctx: in.cur.context(), tag: in.tag}
		z.buf.max = z.opts.max
		if zlibModes[m] {
			w, err := newCompressor(m, &z.buf, z.opts.level)
			if err != nil {
				panic(in.zlibException(zlibFailure(err, false)))
			}
			z.w = w
		}
		h := vm.NewObject()
		bytesOf := func(v goja.Value) []byte {
			b, ok := in.viewBytes(v)
			if !ok {
				panic(vm.NewTypeError("zlib: a chunk must be a Buffer or a Uint8Array"))
			}
			return bytes.Clone(b) // the decoder reads it after write returns
		}
		h.Set("write", func(c goja.FunctionCall) goja.Value {
			out, err := z.write(bytesOf(c.Argument(0)))
			return answer(out, err, m == "brotliDecompress")
		})
		h.Set("flush", func(goja.FunctionCall) goja.Value {
			out, err := z.flush()
			return answer(out, err, false)
		})
		h.Set("end", func(goja.FunctionCall) goja.Value {
			out, err := z.end()
			return answer(out, err, m == "brotliDecompress")
		})
		h.Set("close", func(goja.FunctionCall) goja.Value {
			z.close()
			return goja.Undefined()
		})
		return h
	}
	return vm.ToValue(map[string]any{"once": once, "create": create})
}

// zlibException is the JavaScript error for e.
func (in *instance) zlibException(e *zlibError) goja.Value {
	kind := "Error"
	if e.isRange {
		kind = "RangeError"
	}
	o := in.jsError(kind, e.msg).ToObject(in.vm)
	o.Set("code", e.code)
	if e.errno != 0 {
		o.Set("errno", e.errno)
	}
	return o
}
