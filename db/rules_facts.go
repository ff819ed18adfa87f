package db

import (
	"time"

	"minibase/auth/rules"
)

// maxBranches bounds how many branches the $or's of one filter expand to
// for the rule check; an $or that would exceed it says nothing (which can
// only deny more, never allow more).
const maxBranches = 64

// ruleFacts returns what f says about the documents it matches: one
// rules.Facts per branch of its $or's (a document the filter matches
// matches some branch, and satisfies all of that branch's conditions).
// Conditions the rule engine cannot use ($regex, $elemMatch, $not, …) are
// left out: leaving out a condition widens the set of documents the rule
// must hold for, so the check stays sound.
func ruleFacts(f *Filter) []rules.Facts {
	var out []rules.Facts
	for _, b := range branches(f.Root()) {
		facts := rules.Facts{}
		for _, c := range b {
			facts[c.path] = append(facts[c.path], c.cond)
		}
		out = append(out, facts)
	}
	return out
}

type pathCond struct {
	path string
	cond rules.Cond
}

// branches is n in disjunctive normal form: a list of conjunctions.
func branches(n *Node) [][]pathCond {
	switch n.Op {
	case OpAnd:
		out := [][]pathCond{nil}
		for _, c := range n.Children {
			cb := branches(c)
			if len(out)*len(cb) > maxBranches {
				continue // this child's $or says nothing
			}
			next := make([][]pathCond, 0, len(out)*len(cb))
			for _, a := range out {
				for _, b := range cb {
					next = append(next, append(append([]pathCond(nil), a...), b...))
				}
			}
			out = next
		}
		return out
	case OpOr:
		var out [][]pathCond
		for _, c := range n.Children {
			out = append(out, branches(c)...)
			if len(out) > maxBranches {
				return [][]pathCond{nil}
			}
		}
		return out
	}
	return [][]pathCond{leafConds(n)}
}

var rangeOps = map[Op]rules.CondOp{OpEq: rules.Eq, OpNe: rules.Ne, OpGt: rules.Gt, OpGte: rules.Gte, OpLt: rules.Lt, OpLte: rules.Lte}

// leafConds translates one field condition, or nothing.
func leafConds(n *Node) []pathCond {
	switch n.Op {
	case OpEq, OpNe, OpGt, OpGte, OpLt, OpLte:
		if n.Regex != nil || !ruleValue(n.Value) {
			return nil
		}
		return []pathCond{{n.Path, rules.Cond{Op: rangeOps[n.Op], Value: n.Value}}}
	case OpIn, OpNin:
		list, _ := n.Value.([]any)
		if n.Regexes != nil || !ruleValue(list) {
			return nil
		}
		op := rules.In
		if n.Op == OpNin {
			op = rules.Nin
		}
		return []pathCond{{n.Path, rules.Cond{Op: op, Value: list}}}
	case OpExists:
		if b, _ := n.Value.(bool); !b {
			return []pathCond{{n.Path, rules.Cond{Op: rules.Eq, Value: nil}}}
		}
	case OpAll:
		list, _ := n.Value.([]any)
		if len(n.Children) > 0 || n.Regexes != nil || !ruleValue(list) {
			return nil
		}
		var out []pathCond
		for _, v := range list {
			out = append(out, pathCond{n.Path, rules.Cond{Op: rules.Eq, Value: v}})
		}
		return out
	}
	return nil
}

// ruleValue reports whether v holds only values the rule engine compares
// (not regular expressions).
func ruleValue(v any) bool {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, time.Time:
		return true
	case Doc:
		for _, f := range x {
			if !ruleValue(f.Value) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range x {
			if !ruleValue(e) {
				return false
			}
		}
		return true
	}
	return false
}
