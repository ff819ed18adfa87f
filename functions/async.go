package functions

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"minibase/auth"
)

// AsyncOptions configure asynchronous invocations.
type AsyncOptions struct {
	Retries    int           // attempts after the first when an attempt fails (default 2; negative: none)
	Backoff    time.Duration // wait before the first retry, doubled before each next (default 1 s)
	MaxPending int           // accepted and unfinished invocations (default 1000); beyond, CodeBusy
	// PerCaller is the most of them one caller may have (default
	// MaxPending/10, at least 1): an end user, and an anonymous one's
	// client address as well (anonymous accounts are cheap to make).
	// Admins have no share. Beyond, CodeBusy.
	PerCaller int
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
	if o.PerCaller <= 0 {
		o.PerCaller = max(1, o.MaxPending/10)
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
// their outcomes in an OutcomeStore (Options.Outcomes).
type asyncRunner struct {
	r        *Runtime
	opts     AsyncOptions
	outcomes OutcomeStore
	ctx      context.Context // canceled by close
	cancel   context.CancelFunc
	pending  atomic.Int64
	wg       sync.WaitGroup

	mu     sync.Mutex
	shares map[string]int // pending invocations per caller key (callerKeys)
}

// memOutcomesMax is how many outcomes a Runtime without an OutcomeStore
// keeps in memory.
const memOutcomesMax = 10000

func newAsyncRunner(r *Runtime) *asyncRunner {
	ctx, cancel := context.WithCancel(context.Background())
	a := &asyncRunner{r: r, opts: r.opts.Async, outcomes: r.opts.Outcomes, ctx: ctx, cancel: cancel, shares: map[string]int{}}
	if a.outcomes == nil {
		a.outcomes = newMemOutcomes(memOutcomesMax)
	}
	return a
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
	id := auth.FromContext(ctx)
	keys := callerKeys(id, inv.ClientIP)
	if err := a.take(keys); err != nil {
		return "", err
	}
	if inv.RequestID == "" {
		inv.RequestID = NewRequestID()
	}
	now := time.Now()
	o := &Outcome{RequestID: inv.RequestID, Function: name, Status: OutcomeQueued, Created: now, Updated: now}
	if id.Role == auth.User {
		o.OpenID = id.OpenID
	}
	if err := a.save(ctx, o); err != nil {
		a.release(keys)
		return "", err
	}
	event = append([]byte(nil), event...)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer a.release(keys)
		a.run(auth.NewContext(a.ctx, id), o, event, inv)
	}()
	return inv.RequestID, nil
}

// callerKeys are the shares an invocation counts against: an end user's
// openid, and an anonymous user's client address too (one address can
// make 120 anonymous accounts a minute). Admins, triggers and other
// server-side callers have none.
func callerKeys(id *auth.Identity, clientIP string) []string {
	if id.Role != auth.User {
		return nil
	}
	keys := []string{"user " + id.OpenID}
	if id.LoginType == auth.LoginAnonymous && clientIP != "" {
		keys = append(keys, "address "+auth.AddressKey(clientIP))
	}
	return keys
}

// take counts an invocation against the queue and each of keys' shares,
// or refuses it (CodeBusy, naming the limit reached) and counts nothing.
func (a *asyncRunner) take(keys []string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pending.Load() >= int64(a.opts.MaxPending) {
		return Errorf(CodeBusy, "%d asynchronous invocations are pending, the most the server queues; try again later", a.opts.MaxPending)
	}
	for _, k := range keys {
		if a.shares[k] >= a.opts.PerCaller {
			who := "this user has"
			if strings.HasPrefix(k, "address ") {
				who = "anonymous users at this address have"
			}
			return Errorf(CodeBusy, "%s %d asynchronous invocations pending, the most one caller may; try again when they finish", who, a.opts.PerCaller)
		}
	}
	for _, k := range keys {
		a.shares[k]++
	}
	a.pending.Add(1)
	return nil
}

// release returns what take counted.
func (a *asyncRunner) release(keys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range keys {
		if a.shares[k]--; a.shares[k] <= 0 {
			delete(a.shares, k)
		}
	}
	a.pending.Add(-1)
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
			o.Error = &OutcomeError{Code: CodeUnavailable, ErrCode: codes[CodeUnavailable].errCode, Message: "the server shut down before the next attempt"}
			a.save(ctx, o)
			return
		}
		backoff *= 2
	}
}

func retryable(code string) bool {
	return code == CodeExecuteFail || code == CodeBusy || code == CodeUnavailable
}

// save records o. It runs even after close: the record of a canceled
// attempt is still written.
func (a *asyncRunner) save(ctx context.Context, o *Outcome) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	o.Updated = time.Now()
	return a.outcomes.SaveOutcome(ctx, o)
}

// Outcome returns the record of the asynchronous invocation requestID.
// Admins read any; an end user only the invocations they made
// (CodePermissionDenied otherwise); CodeNoInvocation when there is none.
func (r *Runtime) Outcome(ctx context.Context, requestID string) (*Outcome, error) {
	caller := auth.FromContext(ctx)
	if !caller.IsAdmin() && caller.Role != auth.User {
		return nil, Errorf(CodePermissionDenied, "permission denied: sign in first")
	}
	o, err := r.async.outcomes.LoadOutcome(ctx, requestID)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeNoInvocation, "no asynchronous invocation with requestID %q", requestID)
	}
	if err != nil {
		return nil, err
	}
	if !caller.IsAdmin() && o.OpenID != caller.OpenID {
		return nil, Errorf(CodePermissionDenied, "permission denied: invocation %s was made by another caller", requestID)
	}
	return o, nil
}
