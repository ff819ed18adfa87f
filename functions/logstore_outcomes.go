package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"minibase/auth"
	"minibase/db"
)

// OutcomeStore keeps the outcomes of asynchronous invocations (Options.Outcomes):
// LogStore in a server, memory when none is given.
type OutcomeStore interface {
	// SaveOutcome records o under its RequestID, replacing what was there.
	// o may change after the call.
	SaveOutcome(ctx context.Context, o *Outcome) error
	// LoadOutcome returns the outcome recorded for requestID, or an error
	// wrapping ErrNotFound.
	LoadOutcome(ctx context.Context, requestID string) (*Outcome, error)
}

// SaveOutcome writes o as the document _id = requestID of the store's
// outcomes (replacing it) at once: an outcome is read back while it runs.
func (s *LogStore) SaveOutcome(ctx context.Context, o *Outcome) error {
	d := doc("function", o.Function, "status", o.Status, "attempts", int64(o.Attempts),
		"openid", o.OpenID, "createdAt", o.Created.UTC(), "updatedAt", o.Updated.UTC())
	if o.Result != nil {
		d = append(d, db.Field{Key: "result", Value: string(o.Result)}) // as text: any JSON fits
	}
	if e := o.Error; e != nil {
		d = append(d, db.Field{Key: "error", Value: doc("code", e.Code, "errCode", int64(e.ErrCode), "message", e.Message)})
	}
	_, err := s.db.SetDoc(auth.NewContext(ctx, functionIdentity), outcomesColl, o.RequestID, doc("data", d))
	if err != nil {
		return fmt.Errorf("save the outcome of %s: %w", o.RequestID, err)
	}
	return nil
}

// LoadOutcome returns the outcome of the asynchronous invocation
// requestID, or an error wrapping ErrNotFound.
func (s *LogStore) LoadOutcome(ctx context.Context, requestID string) (*Outcome, error) {
	raw, err := s.db.GetDoc(auth.NewContext(ctx, functionIdentity), outcomesColl, requestID, nil)
	if code := db.ErrorCode(err); code == db.CodeDocumentNotExist || code == db.CodeCollectionNotExist || code == db.CodeInvalidParam {
		return nil, fmt.Errorf("outcome %q: %w", requestID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load the outcome of %s: %w", requestID, err)
	}
	var d struct {
		Function  string        `json:"function"`
		Status    string        `json:"status"`
		Attempts  int           `json:"attempts"`
		OpenID    string        `json:"openid"`
		Result    *string       `json:"result"`
		Error     *OutcomeError `json:"error"`
		CreatedAt ejDate        `json:"createdAt"`
		UpdatedAt ejDate        `json:"updatedAt"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("decode the outcome of %s: %w", requestID, err)
	}
	o := &Outcome{RequestID: requestID, Function: d.Function, Status: d.Status, Attempts: d.Attempts, Error: d.Error,
		OpenID: d.OpenID, Created: d.CreatedAt.Date, Updated: d.UpdatedAt.Date}
	if d.Result != nil {
		o.Result = json.RawMessage(*d.Result)
	}
	return o, nil
}

// memOutcomes keeps the latest outcomes in memory: a Runtime's store when
// Options.Outcomes is nil (tests, embedding). The oldest are forgotten
// beyond max.
type memOutcomes struct {
	mu    sync.Mutex
	m     map[string]*Outcome
	order []string // request ids, oldest first
	max   int
}

func newMemOutcomes(max int) *memOutcomes {
	return &memOutcomes{m: make(map[string]*Outcome), max: max}
}

func (s *memOutcomes) SaveOutcome(_ context.Context, o *Outcome) error {
	c := *o
	c.Result = append(json.RawMessage(nil), o.Result...)
	if o.Error != nil {
		e := *o.Error
		c.Error = &e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[o.RequestID]; !ok {
		s.order = append(s.order, o.RequestID)
	}
	s.m[o.RequestID] = &c
	for len(s.order) > s.max {
		delete(s.m, s.order[0])
		s.order = s.order[1:]
	}
	return nil
}

func (s *memOutcomes) LoadOutcome(_ context.Context, requestID string) (*Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.m[requestID]
	if !ok {
		return nil, fmt.Errorf("outcome %q: %w", requestID, ErrNotFound)
	}
	c := *o
	return &c, nil
}
