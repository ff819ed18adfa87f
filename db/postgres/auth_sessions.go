package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"minibase/auth"

	"github.com/jackc/pgx/v5"
)

// Sessions is the auth.Sessions store, as db/sqlite's: one row per refresh
// token (by its SHA-256), used tokens kept until they expire so that their
// reuse is recognised, and one row per revoked family in _auth_revoked.
// Get it with DB.Sessions.
type Sessions struct{ d *DB }

var _ auth.Sessions = (*Sessions)(nil)

// Sessions returns the refresh-token store.
func (d *DB) Sessions() *Sessions { return &Sessions{d} }

// pruneBatch: every token written also deletes up to pruneBatch expired
// tokens and revocation records. (db/sqlite prunes every 64th write, by a
// per-process count; here the cost is one indexed range read, and every
// node prunes.)
const pruneBatch = 16

func insertSession(ctx context.Context, tx pgx.Tx, hash []byte, sess *auth.Session, now time.Time) error {
	if _, err := tx.Exec(ctx, "INSERT INTO _auth_sessions (hash, sid, kind, subject, gen, created, expires) VALUES ($1,$2,$3,$4,$5,$6,$7)",
		hash, sess.ID, sess.Kind, sess.Subject, sess.Generation, now.UnixMilli(), sess.Expires.UnixMilli()); err != nil {
		return authErr(err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM _auth_sessions WHERE hash IN (SELECT hash FROM _auth_sessions WHERE expires < $1 LIMIT $2)", now.UnixMilli(), pruneBatch); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "DELETE FROM _auth_revoked WHERE sid IN (SELECT sid FROM _auth_revoked WHERE expires < $1 LIMIT $2)", now.UnixMilli(), pruneBatch)
	return err
}

// revoke deletes the tokens of the families where (a condition on
// _auth_sessions, with args from $2 on) selects and records their
// revocation at now, in tx. It returns how many tokens it deleted and what
// it recorded.
func revoke(ctx context.Context, tx pgx.Tx, now time.Time, where string, args ...any) (int, []auth.Revocation, error) {
	rows, err := tx.Query(ctx, `INSERT INTO _auth_revoked (sid, issued, revoked, expires)
		SELECT sid, max(created), $1, max(expires) FROM _auth_sessions WHERE `+where+` GROUP BY sid
		ON CONFLICT (sid) DO UPDATE SET issued = excluded.issued, revoked = excluded.revoked, expires = excluded.expires
		RETURNING sid, issued`, append([]any{now.UnixMilli()}, args...)...)
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
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	// The same condition, its arguments renumbered from $1.
	tag, err := tx.Exec(ctx, "DELETE FROM _auth_sessions WHERE "+shiftParams(where), args...)
	if err != nil {
		return 0, nil, err
	}
	return int(tag.RowsAffected()), out, nil
}

// shiftParams renumbers $2, $3… of a condition to $1, $2….
func shiftParams(where string) string {
	out := []byte{}
	for i := 0; i < len(where); i++ {
		if where[i] == '$' && i+1 < len(where) && where[i+1] >= '2' && where[i+1] <= '9' {
			out = append(out, '$', where[i+1]-1)
			i++
			continue
		}
		out = append(out, where[i])
	}
	return string(out)
}

// CreateSession stores the first token of a new family.
func (s *Sessions) CreateSession(ctx context.Context, sess *auth.Session, tokenHash []byte) error {
	return s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		return insertSession(ctx, tx, tokenHash, sess, sess.Created)
	})
}

// RotateSession uses the token oldHash and stores newHash as its family's
// next token; see auth.Sessions.
func (s *Sessions) RotateSession(ctx context.Context, oldHash, newHash []byte, now time.Time, life func(kind string) time.Duration) (*auth.Session, auth.RotateResult, error) {
	var (
		out    *auth.Session
		result auth.RotateResult
	)
	err := s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		var (
			sess                       auth.Session
			createdMilli, expiresMilli int64
			used                       bool
		)
		err := tx.QueryRow(ctx, "SELECT sid, kind, subject, gen, created, expires, used FROM _auth_sessions WHERE hash = $1", oldHash).
			Scan(&sess.ID, &sess.Kind, &sess.Subject, &sess.Generation, &createdMilli, &expiresMilli, &used)
		sess.Created, sess.Expires = time.UnixMilli(createdMilli), time.UnixMilli(expiresMilli)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			out, result = nil, auth.Unknown
			return nil
		case err != nil:
			return err
		case used: // a copy of a used token: the family is compromised
			_, _, err := revoke(ctx, tx, now, "sid = $2", sess.ID)
			out, result = &sess, auth.Reused
			return err
		case !now.Before(sess.Expires):
			out, result = &sess, auth.Expired
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE _auth_sessions SET used = true WHERE hash = $1", oldHash); err != nil {
			return err
		}
		sess.Generation++
		sess.Created, sess.Expires = now, now.Add(life(sess.Kind))
		out, result = &sess, auth.Rotated
		return insertSession(ctx, tx, newHash, &sess, now)
	})
	if err != nil {
		return nil, auth.Unknown, fmt.Errorf("rotate session: %w", err)
	}
	return out, result, nil
}

// RevokeToken deletes the family of the token with tokenHash and records
// its revocation.
func (s *Sessions) RevokeToken(ctx context.Context, tokenHash []byte, now time.Time) (*auth.Revocation, error) {
	return s.revokeOne(ctx, now, "sid = (SELECT sid FROM _auth_sessions WHERE hash = $2)", tokenHash)
}

// RevokeSession deletes the family sid and records its revocation.
func (s *Sessions) RevokeSession(ctx context.Context, sid string, now time.Time) (*auth.Revocation, error) {
	return s.revokeOne(ctx, now, "sid = $2", sid)
}

func (s *Sessions) revokeOne(ctx context.Context, now time.Time, where string, arg any) (*auth.Revocation, error) {
	var revs []auth.Revocation
	err := s.d.write(ctx, func(tx pgx.Tx, _ *wstate) (err error) {
		_, revs, err = revoke(ctx, tx, now, where, arg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("revoke session: %w", err)
	}
	if len(revs) > 0 {
		return &revs[0], nil
	}
	return nil, nil
}

// RevokeSubject deletes every token of a user's or admin's families and
// records their revocations.
func (s *Sessions) RevokeSubject(ctx context.Context, kind, subject string, now time.Time) (int, []auth.Revocation, error) {
	var (
		n    int
		revs []auth.Revocation
	)
	err := s.d.write(ctx, func(tx pgx.Tx, _ *wstate) (err error) {
		n, revs, err = revoke(ctx, tx, now, "subject = $2 AND kind = $3", subject, kind)
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("revoke sessions: %w", err)
	}
	return n, revs, nil
}

// Revocations returns the revocations recorded at or after since.
func (s *Sessions) Revocations(ctx context.Context, since time.Time) ([]auth.Revocation, error) {
	rows, err := s.d.pool.Query(ctx, "SELECT sid, issued, revoked FROM _auth_revoked WHERE revoked >= $1", since.UnixMilli())
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
