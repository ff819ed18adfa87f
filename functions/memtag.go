package functions

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"runtime/pprof"
	"sync"

	"github.com/google/pprof/profile"
)

// Heap tags say which instance allocated a piece of the Go heap.
//
// goja has no memory accounting, and Go none per goroutine, but Go's heap
// profiler records, for a sample of allocations (one per MemProfileRate
// bytes on average, chosen at random, so the scaled sum is an unbiased
// estimate), the stack of the goroutine that made it, and keeps how many
// bytes of each stack's samples are still live after each garbage
// collection. A runtime runs JavaScript only on the goroutine that calls
// into it, so every allocation its code makes (strings, objects, arrays,
// buffers, and whatever the Go bindings it calls synchronously allocate)
// has that call in its stack. The runtime makes each instance's calls,
// and the Go work it starts for it (database calls, fetch, storage),
// through tagged, which puts marker frames encoding the instance's tag on
// the stack. Summing the live bytes of the samples whose stack carries a
// tag gives that instance's memory, and nothing else's: the frames of tag
// t are on a goroutine's stack only while it runs instance t's code, so
// memory another instance, a request for a thumbnail, an upload or a query
// allocates never carries t, whatever runs at the same time and on
// whichever core.
//
// A tag is markDigits frames of markFrame, each one of markBase call
// sites, told apart by source line. The profile keeps a sample's 128
// innermost frames (Go's default profstackdepth): an allocation made
// deeper than that below the instance's entry (native calls and callbacks
// nested a dozen deep; an await in goja costs about 10 frames, a callback
// such as map's about 12) loses its tag and is charged to no one.
const (
	markBase   = 16
	markDigits = 3
	maxTags    = markBase * markBase * markBase // tags are 1..maxTags-1; 0 is "untagged"
)

// tagged runs f with tag's marker frames on the stack (tag 0: none).
func tagged(tag int, f func()) {
	if tag <= 0 || tag >= maxTags {
		f()
		return
	}
	markFrame(tag, markDigits, f)
}

// untagged runs f with marker frames that read as no tag: what it
// allocates is charged to no instance, even inside an instance's tagged
// work (a function calling another: the callee's instance is charged for
// its own, the server's bookkeeping to no one).
func untagged(f func()) { markFrame(0, markDigits, f) }

// markFrame calls itself levels times, through the call site of one digit
// of tag each time (least significant first), then f.
//
//go:noinline
func markFrame(tag, levels int, f func()) {
	if levels == 0 {
		f()
		return
	}
	next := tag / markBase
	switch tag % markBase {
	case 0:
		markFrame(next, levels-1, f)
	case 1:
		markFrame(next, levels-1, f)
	case 2:
		markFrame(next, levels-1, f)
	case 3:
		markFrame(next, levels-1, f)
	case 4:
		markFrame(next, levels-1, f)
	case 5:
		markFrame(next, levels-1, f)
	case 6:
		markFrame(next, levels-1, f)
	case 7:
		markFrame(next, levels-1, f)
	case 8:
		markFrame(next, levels-1, f)
	case 9:
		markFrame(next, levels-1, f)
	case 10:
		markFrame(next, levels-1, f)
	case 11:
		markFrame(next, levels-1, f)
	case 12:
		markFrame(next, levels-1, f)
	case 13:
		markFrame(next, levels-1, f)
	case 14:
		markFrame(next, levels-1, f)
	case 15:
		markFrame(next, levels-1, f)
	}
}

// markLines are markFrame's call sites: its name, the line where it calls
// f, and the line where it calls itself for each digit.
type markLines struct {
	name  string
	end   int64
	digit map[int64]int
}

// markSites finds markFrame's call sites by calling it and reading the
// stack.
var markSites = sync.OnceValues(func() (*markLines, error) {
	m := &markLines{name: runtime.FuncForPC(reflect.ValueOf(markFrame).Pointer()).Name(), digit: make(map[int64]int, markBase)}
	for d := 0; d < markBase; d++ {
		var pcs [16]uintptr
		var n int
		markFrame(d*(1+markBase+markBase*markBase), markDigits, func() { n = runtime.Callers(1, pcs[:]) })
		var lines []int64 // markFrame's frames, innermost first
		for frames, more := runtime.CallersFrames(pcs[:n]), true; more; {
			var f runtime.Frame
			if f, more = frames.Next(); f.Function == m.name {
				lines = append(lines, int64(f.Line))
			}
		}
		if len(lines) != markDigits+1 || m.end != 0 && m.end != lines[0] {
			return nil, errors.New("heap tags: markFrame's frames are not where they should be (inlined?)")
		}
		m.end = lines[0]
		for _, l := range lines[1:] {
			if prev, ok := m.digit[l]; ok && prev != d {
				return nil, errors.New("heap tags: two digits share a call site")
			}
			m.digit[l] = d
		}
	}
	if len(m.digit) != markBase {
		return nil, errors.New("heap tags: markFrame's call sites are not on lines of their own")
	}
	return m, nil
})

// tagOf reads the innermost tag off a stack of function names and lines
// (innermost first); 0 when it carries none, or was cut off inside one.
func (m *markLines) tagOf(names []string, lines []int64) int {
	for i := range names {
		if names[i] != m.name || lines[i] != m.end {
			continue
		}
		if i+markDigits >= len(names) {
			return 0
		}
		tag := 0
		for j := i + 1; j <= i+markDigits; j++ {
			d, ok := m.digit[lines[j]]
			if !ok || names[j] != m.name {
				return 0
			}
			tag = tag*markBase + d
		}
		return tag
	}
	return 0
}

// tagHeap is what one tag's samples say, as estimates of bytes: inuse is
// live as of the profile's garbage collection, alloc was ever allocated.
// Both move only by what the tag's own code does.
type tagHeap struct{ inuse, alloc float64 }

// heapProfile reads Go's heap profile into figures per tag.
type heapProfile struct {
	buf   bytes.Buffer // reused between reads
	names []string
	lines []int64
}

// read returns each tag's figures (tags absent from the profile have
// none), scaled as pprof scales them, with ok false when the profiler is
// off (MemProfileRate 0). Its cost grows with the profile: a few
// milliseconds for a thousand stacks.
func (p *heapProfile) read(m *markLines) (map[int]tagHeap, bool, error) {
	if runtime.MemProfileRate <= 0 {
		return nil, false, nil
	}
	p.buf.Reset()
	if err := pprof.Lookup("heap").WriteTo(&p.buf, 0); err != nil {
		return nil, false, fmt.Errorf("heap profile: %w", err)
	}
	prof, err := profile.Parse(&p.buf)
	if err != nil {
		return nil, false, fmt.Errorf("heap profile: %w", err)
	}
	alloc, inuse := -1, -1
	for i, st := range prof.SampleType {
		switch st.Type {
		case "alloc_space":
			alloc = i
		case "inuse_space":
			inuse = i
		}
	}
	if alloc < 0 || inuse < 0 {
		return nil, false, errors.New("heap profile: no alloc_space or inuse_space")
	}
	out := make(map[int]tagHeap)
	for _, s := range prof.Sample {
		p.names, p.lines = p.names[:0], p.lines[:0]
		for _, loc := range s.Location {
			for _, l := range loc.Line { // inlined ones first
				if l.Function != nil {
					p.names, p.lines = append(p.names, l.Function.Name), append(p.lines, l.Line)
				}
			}
		}
		if tag := m.tagOf(p.names, p.lines); tag != 0 {
			h := out[tag]
			h.inuse += float64(s.Value[inuse])
			h.alloc += float64(s.Value[alloc])
			out[tag] = h
		}
	}
	return out, true, nil
}

// heapTags hands out heap tags. The heap profile is the process's, so the
// tags are too: one pool for every Runtime.
var heapTags tagPool

// tagPool hands out tags, and takes them back. A returned tag cools
// before it is reused: the profile shows an allocation two garbage
// collections late, so a tag released at collection n is given again
// only once a read at n+cooledCycles or later saw all its previous
// instance allocated; what of that is still live becomes the new
// instance's base, not its memory.
type tagPool struct {
	mu     sync.Mutex
	minted int       // tags handed out for the first time, 1..minted
	free   []freeTag // returned, oldest first
}

// freeTag is a tag returned at garbage collection cycle.
type freeTag struct {
	tag   int
	cycle uint64
	ready bool    // a read after it cooled gave its base
	base  tagHeap // its figures then
}

// cooledCycles is how many collections a returned tag waits.
const cooledCycles = 3

// take returns a tag and the figures its previous instance left (0: none
// left; the instance is then not watched).
func (p *tagPool) take() (int, tagHeap) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, f := range p.free {
		if f.ready {
			p.free = append(p.free[:i], p.free[i+1:]...)
			return f.tag, f.base
		}
	}
	if p.minted < maxTags-1 {
		p.minted++
		return p.minted, tagHeap{}
	}
	return 0, tagHeap{}
}

// give returns tag at garbage collection cycle.
func (p *tagPool) give(tag int, cycle uint64) {
	if tag == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, freeTag{tag: tag, cycle: cycle})
}

// cooling reports whether a read at cycle would make a returned tag
// ready.
func (p *tagPool) cooling(cycle uint64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.free {
		if !f.ready && cycle >= f.cycle+cooledCycles {
			return true
		}
	}
	return false
}

// cooled makes ready the returned tags that had cooled when heap was read
// at cycle.
func (p *tagPool) cooled(heap map[int]tagHeap, cycle uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.free {
		if f := &p.free[i]; !f.ready && cycle >= f.cycle+cooledCycles {
			f.ready, f.base = true, heap[f.tag]
		}
	}
}
