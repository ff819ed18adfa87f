package functions

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// memSource serves functions from memory; put replaces one (a redeploy).
type memSource struct {
	mu    sync.Mutex
	codes map[string]*Code
}

func (m *memSource) Load(_ context.Context, name string) (*Code, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.codes[name]; ok {
		return c, nil
	}
	return nil, ErrNotFound
}

func (m *memSource) put(t testing.TB, name, index string) {
	t.Helper()
	c, err := NewCode(name, map[string][]byte{"index.js": []byte(index)})
	if err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.codes == nil {
		m.codes = map[string]*Code{}
	}
	m.codes[name] = c
}

// gateServer is a local HTTP server whose requests each signal arrived
// (buffered n) and then wait until release is closed; event is the
// {"url": …} of the gate function that fetches it.
func gateServer(t *testing.T, n int) (arrived chan struct{}, release chan struct{}, event []byte) {
	arrived, release = make(chan struct{}, n), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		fmt.Fprint(w, "done")
	}))
	t.Cleanup(srv.Close)
	return arrived, release, []byte(`{"url":"` + srv.URL + `"}`)
}

// idleOf returns the idle instances of name's current version.
func (r *Runtime) idleOf(name string) []*instance {
	fn := r.currentFunction(name)
	fn.mu.Lock()
	defer fn.mu.Unlock()
	return append([]*instance(nil), fn.idle...)
}

// currentFunction is name's function as the runtime holds it now.
func (r *Runtime) currentFunction(name string) *function {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fns[name]
}
