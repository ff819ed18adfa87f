package functions

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"minibase/auth"
	"minibase/db"
)

// AsyncOptions configure asynchronous invocations.
type AsyncOptions struct {
	Retries    int           // attempts after the first when an attempt fails (default 2; negative: none)
	Backoff    time.Duration // wait before the first retry, doubled before each next (default 1 s)
	MaxPending int           // accepted and unfinished invocations (default 1000); beyond, CodeBusy
	Collection string        // where outcomes are recorded (default "functions_invocations")
	Keep       time.Duration // outcomes are deleted this long after their last change (default 7 days)
}

func (o AsyncOptions) withDefaults() AsyncOptions {
	switch {
	case o.Retries == 0:
		o.Retries = 2
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 1000
	}
	if o.Collection == "" {
		o.Collection = "functions_invocations"
	}
	if o.Keep <= 0 {
		o.Keep = 7 * 24 * time.Hour
	}
	return o
}

// Outcome statuses.
const (
	OutcomeQueued    = "queued"    // accepted, not started
	OutcomeRunning   = "running"   // an attempt is running
	OutcomeRetrying  = "retrying"  // an attempt failed; the next waits for its backoff
	OutcomeSucceeded = "succeeded" // an attempt returned; Result holds it
	OutcomeFailed    = "failed"    // every attempt failed; Error holds the last failure
)

// Outcome is the record of an asynchronous invocation.
type Outcome struct {
	RequestID string          `json:"requestID"`
	Function  string          `json:"function"`
	Status    string          `json:"status"`
	Attempts  int             `json:"attempts"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *OutcomeError   `json:"error,omitempty"`
	OpenID    string          `json:"-"` // the caller; empty for admins
	Created   time.Time       `json:"createdAt"`
	Updated   time.Time       `json:"updatedAt"`
}

// OutcomeError is a failed attempt's error.
type OutcomeError struct {
	Code    string `json:"code"`
	ErrCode int    `json:"errCode"`
	Message string `json:"message"`
}

// asyncRunner runs accepted invocations in the background and records
// their outcomes as documents in the database (admin rights).
type asyncRunner struct {
	r       *Runtime
	opts    AsyncOptions
	ctx     context.Context // canceled by close
	cancel  context.CancelFunc
	pending atomic.Int64
	wg      sync.WaitGroup
	pruned  atomic.Int64 // unix seconds of the last pruning
}

func newAsyncRunner(r *Runtime) *asyncRunner {
	ctx, cancel := context.WithCancel(context.Background())
	return &asyncRunner{r: r, opts: r.opts.Async, ctx: ctx, cancel: cancel}
}

func (a *asyncRunner) close() {
	a.cancel()
	a.wg.Wait()
}

// InvokeAsync accepts an invocation to run in the background and returns
// its requestID at once. A failed attempt is retried (AsyncOptions); the
// outcome is recorded and read with Outcome. Errors: CodeNotFound,
// CodeEventTooLarge, CodeBusy (too many pending), or the database's.
func (r *Runtime) InvokeAsync(ctx context.Context, name string, event []byte, inv Invocation) (string, error) {
	a := r.async
	if r.closed.Load() {
		return "", Errorf(CodeUnavailable, "the functions runtime is shut down")
	}
	if err := checkName(name); err != nil {
		return "", err
	}
	if len(event) > r.opts.MaxEvent {
		return "", Errorf(CodeEventTooLarge, "the event is %d bytes of JSON, more than %d", len(event), r.opts.MaxEvent)
	}
	if _, err := r.src.Load(ctx, name); errors.Is(err, ErrNotFound) {
		return "", Errorf(CodeNotFound, "function %q does not exist (deploy it to functions/%s/index.js)", name, name)
	} else if err != nil {
		return "", err
	}
	if a.pending.Add(1) > int64(a.opts.MaxPending) {
		a.pending.Add(-1)
		return "", Errorf(CodeBusy, "%d asynchronous invocations are pending; try again later", a.opts.MaxPending)
	}
	if inv.RequestID == "" {
		inv.RequestID = NewRequestID()
	}
	id := auth.FromContext(ctx)
	now := time.Now()
	o := &Outcome{RequestID: inv.RequestID, Function: name, Status: OutcomeQueued, Created: now, Updated: now}
	if id.Role == auth.User {
		o.OpenID = id.OpenID
	}
	if err := a.save(ctx, o); err != nil {
		a.pending.Add(-1)
		return "", err
	}
	event = append([]byte(nil), event...)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer a.pending.Add(-1)
		a.run(auth.NewContext(a.ctx, id), o, event, inv)
	}()
	a.prune()
	return inv.RequestID, nil
}

// run makes the attempts and records each step.
func (a *asyncRunner) run(ctx context.Context, o *Outcome, event []byte, inv Invocation) {
	backoff := a.opts.Backoff
	for {
		o.Attempts++
		o.Status = OutcomeRunning
		a.save(ctx, o)
		res, err := a.r.Invoke(ctx, o.Function, event, inv)
		if err == nil {
			o.Status, o.Result, o.Error = OutcomeSucceeded, res.Value, nil
			a.save(ctx, o)
			return
		}
		var fe *Error
		if !errors.As(err, &fe) {
			fe = Errorf(CodeUnavailable, "%v", err)
		}
		o.Error = &OutcomeError{Code: fe.Code, ErrCode: fe.ErrCode, Message: fe.Message}
		if o.Attempts > a.opts.Retries || !retryable(fe.Code) || ctx.Err() != nil {
			o.Status = OutcomeFailed
			a.save(ctx, o)
			return
		}
		o.Status = OutcomeRetrying
		a.save(ctx, o)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			o.Status = OutcomeFailed
			o.Error = &OutcomeError{Code: CodeUnavailable, ErrCode: errCodes[CodeUnavailable], Message: "the server shut down before the next attempt"}
			a.save(ctx, o)
			return
		}
		backoff *= 2
	}
}

func retryable(code string) bool {
	return code == CodeExecuteFail || code == CodeBusy || code == CodeUnavailable
}

// save writes o as the document _id = requestID (replacing it). It runs
// even after close: the record of a canceled attempt is still written.
func (a *asyncRunner) save(ctx context.Context, o *Outcome) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ctx = auth.NewContext(ctx, functionIdentity)
	o.Updated = time.Now()
	d := doc("function", o.Function, "status", o.Status, "attempts", int64(o.Attempts),
		"openid", o.OpenID, "createdAt", o.Created.UTC(), "updatedAt", o.Updated.UTC())
	if o.Result != nil {
		d = append(d, db.Field{Key: "result", Value: string(o.Result)}) // as text: any JSON fits
	}
	if e := o.Error; e != nil {
		d = append(d, db.Field{Key: "error", Value: doc("code", e.Code, "errCode", int64(e.ErrCode), "message", e.Message)})
	}
	_, err := a.r.db.SetDoc(ctx, a.opts.Collection, o.RequestID, doc("data", d))
	return err
}

// prune deletes outcomes older than Keep, at most once an hour.
func (a *asyncRunner) prune() {
	now := time.Now()
	last := a.pruned.Load()
	if now.Unix()-last < 3600 || !a.pruned.CompareAndSwap(last, now.Unix()) {
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx := auth.NewContext(a.ctx, functionIdentity)
		filter := doc("updatedAt", doc("$lt", now.Add(-a.opts.Keep).UTC().Truncate(time.Millisecond)))
		a.r.db.Remove(ctx, a.opts.Collection, doc("filter", filter, "multi", true))
	}()
}

// Outcome returns the record of the asynchronous invocation requestID.
// Admins read any; an end user only the invocations they made
// (CodePermissionDenied otherwise); CodeNoInvocation when there is none.
func (r *Runtime) Outcome(ctx context.Context, requestID string) (*Outcome, error) {
	caller := auth.FromContext(ctx)
	if !caller.IsAdmin() && caller.Role != auth.User {
		return nil, Errorf(CodePermissionDenied, "permission denied: sign in first")
	}
	raw, err := r.db.GetDoc(auth.NewContext(ctx, functionIdentity), r.opts.Async.Collection, requestID, nil)
	if code := db.ErrorCode(err); code == db.CodeDocumentNotExist || code == db.CodeCollectionNotExist || code == db.CodeInvalidParam {
		return nil, Errorf(CodeNoInvocation, "no asynchronous invocation with requestID %q", requestID)
	}
	if err != nil {
		return nil, err
	}
	var d struct {
		Function  string        `json:"function"`
		Status    string        `json:"status"`
		Attempts  int           `json:"attempts"`
		OpenID    string        `json:"openid"`
		Result    *string       `json:"result"`
		Error     *OutcomeError `json:"error"`
		CreatedAt struct {
			Date time.Time `json:"$date"`
		} `json:"createdAt"`
		UpdatedAt struct {
			Date time.Time `json:"$date"`
		} `json:"updatedAt"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	if !caller.IsAdmin() && d.OpenID != caller.OpenID {
		return nil, Errorf(CodePermissionDenied, "permission denied: invocation %s was made by another caller", requestID)
	}
	o := &Outcome{RequestID: requestID, Function: d.Function, Status: d.Status, Attempts: d.Attempts, Error: d.Error,
		OpenID: d.OpenID, Created: d.CreatedAt.Date, Updated: d.UpdatedAt.Date}
	if d.Result != nil {
		o.Result = json.RawMessage(*d.Result)
	}
	return o, nil
}
