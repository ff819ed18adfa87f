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
set -eu
execs=${FUZZEXECS:-50000x}
cd "$(dirname "$0")/.."
grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
	grep -v node_modules | sort | while read -r file; do
	dir=$(dirname "$file")
	for name in $(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(f \*testing\.F\).*/\1/p' "$file"); do
		echo "== $dir $name ($execs)"
		go test "$dir" -run '^$' -fuzz "^$name\$" -fuzztime "$execs"
	done
done
