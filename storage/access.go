package storage

import (
	"context"
	"errors"

	"minibase/auth"
)

// access checks that the caller may do o on fileID and returns the file,
// its bucket and its info. A file the caller may not do o on and a missing
// file get the same denial, unless the rule would let the caller read, or
// do o on, any file at that path (then existence is no secret and a
// missing file is STORAGE_FILE_NONEXIST): otherwise the answer would tell
// whose files exist where.
func (s *Service) access(ctx context.Context, fileID string, o op, what string) (FileID, *BucketSettings, ObjectInfo, error) {
	f, err := s.parse(fileID)
	if err != nil {
		return f, nil, ObjectInfo{}, err
	}
	b, err := s.bucket(ctx, f.Bucket)
	if err != nil {
		return f, nil, ObjectInfo{}, err
	}
	id := auth.FromContext(ctx)
	info, err := s.be.Stat(ctx, f.key())
	switch {
	case errors.Is(err, ErrNotExist) && !s.mayKnow(ctx, b, id, o, f):
		return f, nil, ObjectInfo{}, hidden(id, what, f)
	case err != nil:
		return f, nil, ObjectInfo{}, clientError(err, "file "+f.String())
	case !b.Rule.allows(ctx, id, o, resource{OpenID: info.Owner, Path: f.Path}, s.now()):
		return f, nil, ObjectInfo{}, hidden(id, what, f)
	}
	return f, b, info, nil
}

// mayKnow reports whether the caller may learn whether f exists: the rule
// lets it read, or do o on, every file at f's path.
func (s *Service) mayKnow(ctx context.Context, b *BucketSettings, id *auth.Identity, o op, f FileID) bool {
	now := s.now()
	return b.Rule.anyOwner(ctx, id, opRead, f.Path, now) || b.Rule.anyOwner(ctx, id, o, f.Path, now)
}

// hidden is the denial of access: the same for a file the caller may not
// see and for a missing one, so it says both.
func hidden(id *auth.Identity, what string, f FileID) error {
	err := denied(id, what, f).(*Error)
	err.Message += " (or it does not exist)"
	return err
}

func denied(id *auth.Identity, what string, f FileID) error {
	if id.Role == auth.Visitor {
		return Errorf(CodePermissionDenied, "permission denied: sign in to %s %s", what, f)
	}
	return Errorf(CodePermissionDenied, "permission denied: the rule of bucket %q does not let you %s %s", f.Bucket, what, f)
}
