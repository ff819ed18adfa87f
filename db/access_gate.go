package db

import (
	"context"

	"minibase/auth/rules"
)

// actions are the authorize actions of the rule operations.
var actions = [...]Action{opRead: ActionRead, opCreate: ActionCreate, opUpdate: ActionUpdate, opDelete: ActionDelete}

// admit authorizes the caller in ctx for op on coll (authorize), then
// gives the part of the rules' answer that does not depend on the request
// (gate). A request's handler calls it before it reads the body, so that a
// refused request costs no work proportional to its body; the checks made
// once the request is parsed still run and decide the rest. (Get and
// delete by id have no body, and do without.)
func (s *Service) admit(ctx context.Context, coll string, op int) (grant, error) {
	g, err := s.authorize(ctx, coll, actions[op])
	if err != nil {
		return grant{}, err
	}
	return g, s.gate(ctx, g, op)
}

// admitSet is admit for doc(id).set, whose rule is create or update
// depending on the stored document: only a preset answers before the body.
func (s *Service) admitSet(ctx context.Context, coll string) (grant, error) {
	g, err := s.authorize(ctx, coll, ActionUpdate)
	if err != nil || g.admin {
		return g, err
	}
	return g, g.presetRefusal(opUpdate)
}

// gate refuses op when the rules refuse it whatever the request says: a
// preset's refusal, or a custom rule that reads neither doc nor request
// (nor get(), which would read a document twice) and is false or fails.
// Admins pass.
func (s *Service) gate(ctx context.Context, g grant, op int) error {
	if g.admin {
		return nil
	}
	if g.rules.Preset != "" {
		return g.presetRefusal(op)
	}
	e := g.rules.exprs[op]
	if e.Gets() > 0 || uses(e, "doc") || uses(e, "request") {
		return nil
	}
	c := s.checker(g, op, nil)
	r, err := c.eval(ctx, nil, nil)
	if err != nil {
		return err
	}
	if r.Truth != rules.False && r.Truth != rules.Failed {
		return nil
	}
	return c.denied(verdict{result: r, branches: 1}, op == opCreate)
}

// presetRefusal is a preset's answer to op when it does not depend on the
// request: ADMINONLY refuses everything, ADMINWRITE writes, and a visitor
// may not write under READONLY nor do anything under PRIVATE (presets whose
// writes, or all of whose operations, are the creator's). The same
// refusals as readFilter, createDocs, guardWrite and guardSet.
func (g grant) presetRefusal(op int) error {
	switch g.rules.Preset {
	case PresetAdminOnly:
		return presetDenied(g.rules, op)
	case PresetAdminWrite:
		if op != opRead {
			return presetDenied(g.rules, op)
		}
	case PresetReadOnly:
		if op != opRead && g.openid == "" {
			return errSignIn()
		}
	case PresetPrivate:
		if g.openid == "" {
			return errSignIn()
		}
	}
	return nil
}
