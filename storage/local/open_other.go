//go:build !linux

package local

import "os"

// opener opens files for reading below a directory through os.Root.
type opener struct{ root *os.Root }

func newOpener(_ string, root *os.Root) (*opener, error) { return &opener{root: root}, nil }

func (o *opener) open(name string) (*os.File, error) { return o.root.Open(name) }

func (o *opener) close() error { return nil }
