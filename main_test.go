package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"minibase/cli"
)

func TestCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"version"}, cli.Env{Stdout: &out, Stderr: io.Discard, Version: "v1.2.3"}); err != nil || out.String() != "minibase v1.2.3\n" {
		t.Errorf("version: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run([]string{"help"}, cli.Env{Stdout: &out, Stderr: io.Discard}); err != nil || !strings.Contains(out.String(), "minibase serve") {
		t.Errorf("help: %q %v", out.String(), err)
	}
	if err := run([]string{"frobnicate"}, cli.Env{Stdout: io.Discard, Stderr: io.Discard}); err == nil {
		t.Error("unknown command: want an error")
	}
}
