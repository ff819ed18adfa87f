#!/bin/sh
# Runs every fuzz target in the module for a fixed number of executions.
#
# Targets are found, not listed: any `func FuzzX(f *testing.F)` in a
# _test.go file is run, so a new parser's target cannot be forgotten here.
#
# The budget is a count (-fuzztime Nx), not a duration: with a duration,
# Go's fuzz coordinator (through go1.26, go.dev/issue/75804) can report a
# bare "context deadline exceeded" failure when a starved worker misses the
# deadline, with no failing input. A count has no deadline to race.
#
# Each package's fuzzing test binary is built once (go test -c -fuzz: the
# same coverage instrumentation `go test -fuzz` compiles in) and run once
# per target from the package's directory, as go test runs it, with go
# test's corpus cache: `go test -fuzz` would link a new binary for every
# target, and a binary holding modernc.org/sqlite takes many seconds to link.
#
# The binaries are built with the tag minibase_fuzz, which leaves out the
# test files that open a real database or server (they begin with
# `//go:build !minibase_fuzz`; the unit run has them all). Coverage guidance
# scans the counters of every instrumented package after each execution,
# and modernc.org/sqlite's are most of a binary's: a target in db/ ran
# ~1,300 executions a second with it linked, ~3,600 without, on a loaded
# machine. A new test file in such a package that needs SQLite or the
# server takes the tag line too; fuzz targets stay in files without it.
set -eu
execs=${FUZZEXECS:-50000x}
cd "$(dirname "$0")/.."
root=$(pwd)
cache=$(go env GOCACHE)/fuzz
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
	grep -v node_modules | xargs -n1 dirname | sort -u | while read -r dir; do
	pkg=$(go list "$dir")
	names=$(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(f \*testing\.F\).*/\1/p' "$dir"/*_test.go)
	test=$bin/$(echo "$pkg" | tr / _).test
	go test -c -fuzz=. -tags minibase_fuzz -o "$test" "$dir"
	for name in $names; do
		echo "== $dir $name ($execs)"
		(cd "$root/$dir" && "$test" -test.run='^$' -test.fuzz="^$name\$" -test.fuzztime="$execs" \
			-test.fuzzcachedir="$cache/$pkg")
	done
	rm -f "$test"
done
