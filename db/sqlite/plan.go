package sqlite

import (
	"context"
	"database/sql"
	"math"
	"strconv"
	"sync"
	"time"

	"minibase/db"
)

// Choosing between two indexes. A query with an equality on a field that
// has an index and a sort on another field that has one ({author: x}
// sorted by created, indexes on author and on created) runs one of two
// ways: read the equality's index and sort the m documents it finds (work
// ~ m), or walk the sort's index in order, testing each document, until
// skip+limit match (work ~ (skip+limit)·N/m for N documents, when the
// field and the order are unrelated). The first wins when the equality is
// selective, the second when it is not. SQLite has no statistics to tell
// them apart, and with ANALYZE's averages it still reads the equality's
// index and sorts (measured: 2 authors of 20,000 posts, 113 ms a query;
// the averages also hide a prolific author among many). So the driver
// asks, for the value at hand: it counts the equality's matches on its
// index up to T = √((skip+limit)·N), where both ways cost the same, and
// tells SQLite which index to use by spelling the other's terms with a
// unary + (which changes no value). N is max(rowid), which costs one
// B-tree descent and is at least the collection's size. The count costs
// about a tenth of the query it decides, so a decision is kept a few
// seconds for the same value and page (planCache): the same user's list
// asked again and again pays once.

// indexUse is which index a plan leaves SQLite to use.
type indexUse int

const (
	eitherIndex indexUse = iota // SQLite's own choice
	filterIndex                 // the filter's: the sort has no index
	sortIndex                   // the sort's: the filter has no index
)

// competing returns the condition whose index competes with the sort's:
// an equality (or $in) of the filter's top level on a field whose index
// does not also give the sort's order, when the sort's first field has an
// index of its own. It returns nil when there is no choice to make.
func competing(idx []catIndex, q *db.Query) *db.Node {
	if len(q.Sort) == 0 || q.Sort[0].Path == "_id" || !leadsIndex(idx, q.Sort[0].Path) {
		return nil
	}
	conds := []*db.Node{q.Filter.Root()}
	if conds[0].Op == db.OpAnd {
		conds = conds[0].Children
	}
	eqs := map[string]bool{}
	var eq *db.Node
	for _, n := range conds {
		if (n.Op == db.OpEq || n.Op == db.OpIn) && n.Path != "_id" && n.Path != q.Sort[0].Path {
			eqs[n.Path] = true
			if eq == nil && leadsIndex(idx, n.Path) {
				eq = n
			}
		}
	}
	if eq == nil {
		return nil
	}
	for _, x := range idx { // an index on (equalities…, sort field) serves both
		for i, k := range x.Keys {
			if !eqs[k.Path] {
				if i > 0 && k.Path == q.Sort[0].Path {
					return nil
				}
				break
			}
		}
	}
	return eq
}

// leadsIndex reports whether an ordinary index starts with path.
func leadsIndex(idx []catIndex, path string) bool {
	for _, x := range idx {
		if !x.Geo() && x.Keys[0].Path == path {
			return true
		}
	}
	return false
}

// choosePlan counts eq's matches, up to the point where reading its index
// stops paying, and says which index the query should read.
func (d *DB) choosePlan(ctx context.Context, c *collection, sh *shape, q *db.Query, eq *db.Node) (indexUse, error) {
	key := strconv.Itoa(int(eq.Op)) + "\x00" + eq.Path + "\x00" + string(db.MarshalJSON(eq.Value)) + "\x00" + strconv.Itoa(q.Skip+q.Limit)
	if use, ok := c.plans.get(key); ok {
		return use, nil
	}
	use, err := d.countPlan(ctx, c, sh, q, eq)
	if err == nil {
		c.plans.put(key, use)
	}
	return use, err
}

// countPlan is choosePlan's count.
func (d *DB) countPlan(ctx context.Context, c *collection, sh *shape, q *db.Query, eq *db.Node) (indexUse, error) {
	t := &translator{sh: sh}
	cond, exact := t.cond(eq)
	if !exact {
		return eitherIndex, nil
	}
	probe := "SELECT (SELECT max(rowid) FROM " + c.table + "), (SELECT count(*) FROM (SELECT 1 FROM " + c.table + " WHERE " + cond +
		" LIMIT (SELECT CAST(sqrt(? * max(rowid)) AS INTEGER) + 1 FROM " + c.table + ")))"
	want := q.Skip + q.Limit
	var rows sql.NullInt64
	var m int64
	err := d.stmts.use(ctx, probe, func(st *sql.Stmt) error {
		return st.QueryRowContext(ctx, append(t.args, want)...).Scan(&rows, &m)
	})
	if err != nil {
		return eitherIndex, err
	}
	if float64(m) <= math.Floor(math.Sqrt(float64(want)*float64(rows.Int64))) {
		return filterIndex, nil
	}
	return sortIndex, nil
}

// planCache keeps choosePlan's recent decisions, by condition and page,
// for planTTL. A decision gone stale costs time, never a wrong answer.
type planCache struct {
	mu sync.Mutex
	m  map[string]planEntry
}

type planEntry struct {
	use indexUse
	at  time.Time
}

const (
	planTTL     = 5 * time.Second
	maxPlanKeys = 4096 // then the cache starts over
)

func (pc *planCache) get(key string) (indexUse, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, ok := pc.m[key]
	if !ok || time.Since(e.at) > planTTL {
		return 0, false
	}
	return e.use, true
}

func (pc *planCache) put(key string, use indexUse) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.m == nil || len(pc.m) >= maxPlanKeys {
		pc.m = map[string]planEntry{}
	}
	pc.m[key] = planEntry{use, time.Now()}
}
