package functions

import (
	"errors"
	"math"
	"reflect"
	"runtime"
	"sync"
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
// A tag is markDigits frames of markFrame, each the return address of one
// of markBase call sites, read back by address (markPCs). MemProfile keeps
// a sample's 32 innermost frames: an allocation made deeper than that
// below the instance's entry (goja nesting native calls and callbacks
// more than about 25 deep) loses its tag and is charged to no one.
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

// markAddrs are markFrame's return addresses: end, where it calls f, and
// digit, where it calls itself for each digit.
type markAddrs struct {
	end   uintptr
	digit map[uintptr]int
}

// markPCs finds markFrame's return addresses by calling it and reading
// the stack.
var markPCs = sync.OnceValues(func() (*markAddrs, error) {
	m := &markAddrs{digit: make(map[uintptr]int, markBase)}
	name := runtime.FuncForPC(reflect.ValueOf(markFrame).Pointer()).Name()
	for d := 0; d < markBase; d++ {
		var pcs [16]uintptr
		var n int
		markFrame(d*(1+markBase+markBase*markBase), markDigits, func() { n = runtime.Callers(1, pcs[:]) })
		var mine []uintptr // markFrame's frames, innermost first
		for _, pc := range pcs[:n] {
			if f := runtime.FuncForPC(pc - 1); f != nil && f.Name() == name {
				mine = append(mine, pc)
			}
		}
		if len(mine) != markDigits+1 || m.end != 0 && m.end != mine[0] {
			return nil, errors.New("heap tags: markFrame's frames are not where they should be (inlined?)")
		}
		m.end = mine[0]
		for _, pc := range mine[1:] {
			if prev, ok := m.digit[pc]; ok && prev != d {
				return nil, errors.New("heap tags: two digits share a call site")
			}
			m.digit[pc] = d
		}
	}
	if len(m.digit) != markBase {
		return nil, errors.New("heap tags: markFrame's call sites are not distinct")
	}
	return m, nil
})

// tagOf reads the innermost tag off a stack (innermost frame first); 0
// when it carries none, or was cut off inside one.
func (m *markAddrs) tagOf(stack []uintptr) int {
	for i, pc := range stack {
		if pc == 0 {
			return 0
		}
		if pc != m.end {
			continue
		}
		if i+markDigits >= len(stack) {
			return 0
		}
		tag := 0
		for _, pc := range stack[i+1 : i+1+markDigits] {
			d, ok := m.digit[pc]
			if !ok {
				return 0
			}
			tag = tag*markBase + d
		}
		return tag
	}
	return 0
}

// tagHeap is what one tag's samples say, scaled to estimates of bytes:
// inuse is live as of the profile's garbage collection, alloc was ever
// allocated (both only grow and shrink by the tag's own code).
type tagHeap struct{ inuse, alloc float64 }

// heapProfile reads Go's heap profile into figures per tag.
type heapProfile struct {
	recs []runtime.MemProfileRecord // reused between reads
}

// read returns each tag's figures (tags absent from the profile have
// none), with ok false when the profiler is off (MemProfileRate 0).
func (p *heapProfile) read(m *markAddrs) (map[int]tagHeap, bool) {
	rate := float64(runtime.MemProfileRate)
	if rate <= 0 {
		return nil, false
	}
	n, ok := runtime.MemProfile(p.recs, true)
	for !ok {
		p.recs = make([]runtime.MemProfileRecord, n+n/4+64)
		n, ok = runtime.MemProfile(p.recs, true)
	}
	out := make(map[int]tagHeap)
	for i := range p.recs[:n] {
		r := &p.recs[i]
		if r.AllocObjects == 0 {
			continue
		}
		tag := m.tagOf(r.Stack0[:])
		if tag == 0 {
			continue
		}
		s := sampleScale(float64(r.AllocBytes)/float64(r.AllocObjects), rate)
		h := out[tag]
		h.inuse += float64(r.AllocBytes-r.FreeBytes) * s
		h.alloc += float64(r.AllocBytes) * s
		out[tag] = h
	}
	return out, true
}

// sampleScale is what one sampled byte of objects of size bytes stands
// for: an object is sampled with probability 1-exp(-size/rate), as
// pprof scales heap profiles.
func sampleScale(size, rate float64) float64 {
	if size <= 0 {
		return 1
	}
	return 1 / -math.Expm1(-size/rate)
}
