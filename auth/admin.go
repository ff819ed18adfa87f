package auth

import (
	"context"
	"encoding/json"
	"errors"
)

// Limits of the user administration endpoints.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
	maxListOffset    = 1_000_000
	maxSearchLen     = 128
	maxClaimsBytes   = 4 << 10 // custom claims ride in every access token
)

var errNotAdmin = Errorf(CodePermissionDenied, "permission denied: this needs an admin")

// requireAdmin refuses callers that are not admins.
func requireAdmin(ctx context.Context) error {
	if !FromContext(ctx).IsAdmin() {
		return errNotAdmin
	}
	return nil
}

func userNotFound(uid string) error {
	return Errorf(CodeUserNotFound, "user %q does not exist", uid)
}

// ListUsers returns one page of users (newest first) whose uid, username,
// email, phone or openid starts with q, and the total matching. Admins only.
func (s *Service) ListUsers(ctx context.Context, q string, limit, offset int) ([]*UserAccount, int, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, 0, err
	}
	switch {
	case len(q) > maxSearchLen:
		return nil, 0, Errorf(CodeInvalidParam, "q must be at most %d bytes", maxSearchLen)
	case limit < 0 || limit > MaxListLimit:
		return nil, 0, Errorf(CodeInvalidParam, "limit must be 1-%d", MaxListLimit)
	case offset < 0 || offset > maxListOffset:
		return nil, 0, Errorf(CodeInvalidParam, "offset must be 0-%d", maxListOffset)
	}
	if limit == 0 {
		limit = DefaultListLimit
	}
	return s.st.Users.ListUsers(ctx, q, limit, offset)
}

// GetUser returns the user uid. Admins only.
func (s *Service) GetUser(ctx context.Context, uid string) (*UserAccount, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	u, err := s.st.Users.User(ctx, uid)
	if errors.Is(err, ErrNotFound) {
		return nil, userNotFound(uid)
	}
	return u, err
}

// UserPatch is a change an admin makes to a user; nil fields stay.
type UserPatch struct {
	Disabled *bool
	Claims   *map[string]any // an empty map removes every claim
}

// UpdateUser applies p to the user uid. Disabling a user also ends its
// sign-ins: it cannot refresh, and its access tokens are refused at once.
// New claims reach the user's access tokens at its next refresh. Admins
// only.
func (s *Service) UpdateUser(ctx context.Context, uid string, p UserPatch) (*UserAccount, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if p.Claims != nil {
		b, err := json.Marshal(*p.Claims)
		if err != nil || len(b) > maxClaimsBytes {
			return nil, Errorf(CodeInvalidParam, "claims must be a JSON object of at most %d bytes", maxClaimsBytes)
		}
	}
	u, err := s.st.Users.UpdateUser(ctx, uid, func(u *UserAccount) error {
		if p.Disabled != nil {
			u.Disabled = *p.Disabled
		}
		if p.Claims != nil {
			u.Claims = *p.Claims
			if len(u.Claims) == 0 {
				u.Claims = nil
			}
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil, userNotFound(uid)
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		if _, err := s.revokeSubject(ctx, SubjectUser, uid); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// DeleteUser deletes the user uid and ends its sign-ins (not its
// documents). Admins only.
func (s *Service) DeleteUser(ctx context.Context, uid string) error {
	if err := requireAdmin(ctx); err != nil {
		return err
	}
	if _, err := s.revokeSubject(ctx, SubjectUser, uid); err != nil {
		return err
	}
	err := s.st.Users.DeleteUser(ctx, uid)
	if errors.Is(err, ErrNotFound) {
		return userNotFound(uid)
	}
	return err
}

// RevokeUser ends every sign-in of the user uid (its refresh and access
// tokens) and returns how many refresh tokens were deleted. Admins only.
func (s *Service) RevokeUser(ctx context.Context, uid string) (int, error) {
	if err := requireAdmin(ctx); err != nil {
		return 0, err
	}
	if _, err := s.st.Users.User(ctx, uid); errors.Is(err, ErrNotFound) {
		return 0, userNotFound(uid)
	} else if err != nil {
		return 0, err
	}
	return s.revokeSubject(ctx, SubjectUser, uid)
}
