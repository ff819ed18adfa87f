package auth

import (
	"context"
	"fmt"
	"time"
)

// Access tokens are verified by signature alone, so ending a sign-in
// (logout, reuse of a used refresh token, an admin's revoke, disabling or
// deleting the account, an account upgrade…) would leave its access tokens
// working until they expire. Every such path goes through a Sessions
// method that deletes the family's refresh tokens and records a Revocation
// in the same write; the Service then hands the family to Tokens.Revoke,
// and Verify refuses its tokens from then on (ACCESS_TOKEN_REVOKED). The
// set holds only families whose access tokens may still be valid: an entry
// goes once the last token the family issued has expired. NewService
// loads the revocations of the last access-token lifetime, so a restart
// does not bring revoked tokens back.

// minSweep is the size of the revoked set below which Revoke does not look
// for entries past their time.
const minSweep = 1024

// Revoke refuses every access token of the session family sid from now on.
// until is when the last of them expires: the entry is dropped after it.
// An empty sid, or an until already past, changes nothing.
func (t *Tokens) Revoke(sid string, until time.Time) {
	now := t.now()
	if sid == "" || !now.Before(until) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.revoked) >= t.sweepAt {
		for k, u := range t.revoked {
			if u <= now.UnixNano() {
				delete(t.revoked, k)
			}
		}
		t.sweepAt = max(2*len(t.revoked), minSweep) // amortised: a sweep per doubling
	}
	if u := until.UnixNano(); u > t.revoked[sid] {
		t.revoked[sid] = u
	}
	if t.revoke != nil {
		close(t.revoke)
		t.revoke = nil
	}
}

// Revoked reports whether the access tokens of the session family sid
// are refused (Revoke): what a connection authenticated once, such as a
// realtime watch, asks when Revocations signals.
func (t *Tokens) Revoked(sid string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.revokedLocked(sid)
}

// Revocations returns a channel that is closed at the next Revoke: get it,
// check the sessions one holds (Revoked), wait on it.
func (t *Tokens) Revocations() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.revoke == nil {
		t.revoke = make(chan struct{})
	}
	return t.revoke
}

// revokedLocked reports whether tokens of the family sid are refused; the
// caller holds t.mu.
func (t *Tokens) revokedLocked(sid string) bool {
	if len(t.revoked) == 0 || sid == "" {
		return false
	}
	_, ok := t.revoked[sid]
	return ok
}

// revoked passes families the store revoked on to the token verifier: the
// last access token of each expires an access-token lifetime (the longer
// of end users' and admins') after the family's newest token was issued.
func (s *Service) revoked(revs ...Revocation) {
	ttl := s.t().maxAccessTTL()
	for _, r := range revs {
		s.tokens.Revoke(r.SID, r.Issued.Add(ttl))
	}
}

// revokeSession ends the family sid: its refresh tokens and its access
// tokens.
func (s *Service) revokeSession(ctx context.Context, sid string) error {
	if sid == "" {
		return nil
	}
	r, err := s.st.Sessions.RevokeSession(ctx, sid, s.now())
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if r != nil {
		s.revoked(*r)
	}
	return nil
}

// revokeSubject ends every sign-in of a user or admin and returns how many
// refresh tokens it deleted.
func (s *Service) revokeSubject(ctx context.Context, kind, subject string) (int, error) {
	n, revs, err := s.st.Sessions.RevokeSubject(ctx, kind, subject, s.now())
	if err != nil {
		return 0, fmt.Errorf("revoke sessions: %w", err)
	}
	s.revoked(revs...)
	return n, nil
}

// loadRevoked reads the revocations recorded in the last MaxAccessTTL
// (older ones cover no live token, whatever lifetime an admin sets) into
// the verifier.
func (s *Service) loadRevoked(ctx context.Context) error {
	revs, err := s.st.Sessions.Revocations(ctx, s.now().Add(-MaxAccessTTL))
	if err != nil {
		return fmt.Errorf("load revoked sessions: %w", err)
	}
	s.revoked(revs...)
	return nil
}
