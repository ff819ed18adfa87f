package storage

import (
	"context"
	"io"
)

// Read opens a file the caller may read and returns its bytes and info,
// whatever the backend: unlike Download, it never answers with a redirect
// to a presigned URL. It is for code on the server that needs the bytes
// (cloud functions' downloadFile). The caller closes the reader. Errors:
// CodeInvalidParam (a malformed fileID), CodeFileNotExist,
// CodeBucketNotExist, CodePermissionDenied.
func (s *Service) Read(ctx context.Context, fileID string) (io.ReadCloser, ObjectInfo, error) {
	f, _, _, err := s.access(ctx, fileID, opRead, "read")
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	rc, info, err := s.be.Open(ctx, f.key())
	if err != nil {
		return nil, ObjectInfo{}, clientError(err, "file "+f.String())
	}
	return rc, info, nil
}

// PublicURL returns the server's address as clients reach it
// (Config.PublicURL, without a trailing "/"), or "" when it is taken from
// each request.
func (s *Service) PublicURL() string { return s.pub }
