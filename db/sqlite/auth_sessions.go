package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"minibase/auth"
)

// Sessions is the auth.Sessions store: one row per refresh token (by its
// SHA-256), used tokens kept until they expire so that their reuse is
// recognised, and one row per revoked family in _auth_revoked. Get it with
// DB.Sessions.
type Sessions struct{ d *DB }

var _ auth.Sessions = (*Sessions)(nil)

// Sessions returns the refresh-token store.
func (d *DB) Sessions() *Sessions { return &Sessions{d} }

// sessionStmts are the statements of the refresh path, prepared once on the
// writer connection by Open, and the count of tokens written (for pruning).
type sessionStmts struct {
	find, use, insert *sql.Stmt
	writes            atomic.Uint64
}

func prepareSessions(ctx context.Context, w *sql.DB) (*sessionStmts, error) {
	var st sessionStmts
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&st.find, "SELECT sid, kind, subject, gen, created, expires, used FROM _auth_sessions WHERE hash = ?"},
		{&st.use, "UPDATE _auth_sessions SET used = 1 WHERE hash = ?"},
		{&st.insert, "INSERT INTO _auth_sessions (hash, sid, kind, subject, gen, created, expires) VALUES (?,?,?,?,?,?,?)"},
	} {
		var err error
		if *p.dst, err = w.PrepareContext(ctx, p.q); err != nil {
			return nil, fmt.Errorf("prepare session statements: %w", err)
		}
	}
	return &st, nil
}

// pruneEvery and pruneBatch: every pruneEvery-th token written also
// deletes up to pruneBatch expired tokens, so the table holds live
// families and the used tokens of the last refresh-token lifetime.
const (
	pruneEvery = 64
	pruneBatch = 256
)

func (s *Sessions) insert(tx *sql.Tx, hash []byte, sess *auth.Session, now time.Time) error {
	st := s.d.sessions
	if _, err := tx.Stmt(st.insert).Exec(hash, sess.ID, sess.Kind, sess.Subject, sess.Generation, now.UnixMilli(), sess.Expires.UnixMilli()); err != nil {
		return authErr(err)
	}
	if st.writes.Add(1)%pruneEvery == 0 {
		_, err := tx.Exec("DELETE FROM _auth_sessions WHERE hash IN (SELECT hash FROM _auth_sessions WHERE expires < ? LIMIT ?)", now.UnixMilli(), pruneBatch)
		if err != nil {
			return err
		}
		_, err = tx.Exec("DELETE FROM _auth_revoked WHERE sid IN (SELECT sid FROM _auth_revoked WHERE expires < ? LIMIT ?)", now.UnixMilli(), pruneBatch)
		return err
	}
	return nil
}

// revokeSQL records the revocation of the families a condition on
// _auth_sessions selects: when each one's newest token was created, and
// its last refresh-token expiry (until when the record is kept).
const revokeSQL = `INSERT OR REPLACE INTO _auth_revoked (sid, issued, revoked, expires)
	SELECT sid, max(created), ?, max(expires) FROM _auth_sessions WHERE %s GROUP BY sid RETURNING sid, issued`

// revoke deletes the tokens of the families where (a condition on
// _auth_sessions, with args) selects and records their revocation at now,
// in tx. It returns how many tokens it deleted and what it recorded.
func revoke(tx *sql.Tx, now time.Time, where string, args ...any) (int, []auth.Revocation, error) {
	rows, err := tx.Query(fmt.Sprintf(revokeSQL, where), append([]any{now.UnixMilli()}, args...)...)
	if err != nil {
		return 0, nil, err
	}
	var out []auth.Revocation
	for rows.Next() {
		var (
			r      auth.Revocation
			issued int64
		)
		if err := rows.Scan(&r.SID, &issued); err != nil {
			rows.Close()
			return 0, nil, err
		}
		r.Issued, r.Revoked = time.UnixMilli(issued), time.UnixMilli(now.UnixMilli())
		out = append(out, r)
	}
	if err := rows.Close(); err != nil {
		return 0, nil, err
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	res, err := tx.Exec("DELETE FROM _auth_sessions WHERE "+where, args...)
	if err != nil {
		return 0, nil, err
	}
	n, err := res.RowsAffected()
	return int(n), out, err
}

// CreateSession stores the first token of a new family.
func (s *Sessions) CreateSession(ctx context.Context, sess *auth.Session, tokenHash []byte) error {
	_, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		return nil, s.insert(tx, tokenHash, sess, sess.Created)
	})
	return err
}

type rotated struct {
	sess *auth.Session
	res  auth.RotateResult
}

// RotateSession uses the token oldHash and stores newHash as its family's
// next token; see auth.Sessions.
func (s *Sessions) RotateSession(ctx context.Context, oldHash, newHash []byte, now time.Time, life func(kind string) time.Duration) (*auth.Session, auth.RotateResult, error) {
	res, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		var (
			sess                       auth.Session
			createdMilli, expiresMilli int64
			used                       bool
		)
		err := tx.Stmt(s.d.sessions.find).QueryRow(oldHash).
			Scan(&sess.ID, &sess.Kind, &sess.Subject, &sess.Generation, &createdMilli, &expiresMilli, &used)
		sess.Created, sess.Expires = time.UnixMilli(createdMilli), time.UnixMilli(expiresMilli)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return rotated{nil, auth.Unknown}, nil
		case err != nil:
			return nil, err
		case used: // a copy of a used token: the family is compromised
			_, _, err := revoke(tx, now, "sid = ?", sess.ID)
			return rotated{&sess, auth.Reused}, err
		case !now.Before(sess.Expires):
			return rotated{&sess, auth.Expired}, nil
		}
		if _, err := tx.Stmt(s.d.sessions.use).Exec(oldHash); err != nil {
			return nil, err
		}
		sess.Generation++
		sess.Created, sess.Expires = now, now.Add(life(sess.Kind))
		return rotated{&sess, auth.Rotated}, s.insert(tx, newHash, &sess, now)
	})
	if err != nil {
		return nil, auth.Unknown, fmt.Errorf("rotate session: %w", err)
	}
	r := res.(rotated)
	return r.sess, r.res, nil
}

// RevokeToken deletes the family of the token with tokenHash and records
// its revocation.
func (s *Sessions) RevokeToken(ctx context.Context, tokenHash []byte, now time.Time) (*auth.Revocation, error) {
	return s.revokeOne(ctx, now, "sid = (SELECT sid FROM _auth_sessions WHERE hash = ?)", tokenHash)
}

// RevokeSession deletes the family sid and records its revocation.
func (s *Sessions) RevokeSession(ctx context.Context, sid string, now time.Time) (*auth.Revocation, error) {
	return s.revokeOne(ctx, now, "sid = ?", sid)
}

func (s *Sessions) revokeOne(ctx context.Context, now time.Time, where string, arg any) (*auth.Revocation, error) {
	res, err := s.d.free(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		_, revs, err := revoke(tx, now, where, arg)
		return revs, err
	})
	if err != nil {
		return nil, fmt.Errorf("revoke session: %w", err)
	}
	if revs := res.([]auth.Revocation); len(revs) > 0 {
		return &revs[0], nil
	}
	return nil, nil
}

type revokedSubject struct {
	n    int
	revs []auth.Revocation
}

// RevokeSubject deletes every token of a user's or admin's families and
// records their revocations.
func (s *Sessions) RevokeSubject(ctx context.Context, kind, subject string, now time.Time) (int, []auth.Revocation, error) {
	res, err := s.d.free(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		n, revs, err := revoke(tx, now, "subject = ? AND kind = ?", subject, kind)
		return revokedSubject{n, revs}, err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("revoke sessions: %w", err)
	}
	r := res.(revokedSubject)
	return r.n, r.revs, nil
}

// Revocations returns the revocations recorded at or after since.
func (s *Sessions) Revocations(ctx context.Context, since time.Time) ([]auth.Revocation, error) {
	rows, err := s.d.r.QueryContext(ctx, "SELECT sid, issued, revoked FROM _auth_revoked WHERE revoked >= ?", since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read revocations: %w", err)
	}
	defer rows.Close()
	var out []auth.Revocation
	for rows.Next() {
		var (
			r               auth.Revocation
			issued, revoked int64
		)
		if err := rows.Scan(&r.SID, &issued, &revoked); err != nil {
			return nil, fmt.Errorf("read revocations: %w", err)
		}
		r.Issued, r.Revoked = time.UnixMilli(issued), time.UnixMilli(revoked)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read revocations: %w", err)
	}
	return out, nil
}
