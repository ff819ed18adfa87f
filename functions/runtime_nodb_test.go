//go:build minibase_fuzz

package functions

import (
	"testing"

	"minibase/db"
)

// testDB is nil in the fuzzing binary (scripts/fuzz.sh builds with the tag
// minibase_fuzz): without a database modernc.org/sqlite is not linked and
// its coverage counters are not scanned after every execution. The fuzz
// targets run JavaScript that never reaches the database.
func testDB(testing.TB) *db.Service { return nil }
