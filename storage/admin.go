package storage

import (
	"context"
	"strings"
	"time"

	"minibase/auth"
)

// BucketPatch changes some of a bucket's settings; nil fields stay.
type BucketPatch struct {
	MaxSize      *int64    `json:"maxSize"`
	AllowedTypes *[]string `json:"allowedTypes"`
	Rule         *Rule     `json:"rule"`
}

func admin(ctx context.Context) error {
	if !auth.FromContext(ctx).IsAdmin() {
		return Errorf(CodePermissionDenied, "permission denied: managing storage needs an admin")
	}
	return nil
}

// Buckets lists every bucket's settings (admins only).
func (s *Service) Buckets(ctx context.Context) ([]*BucketSettings, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	if _, _, err := s.cat.get(ctx, DefaultBucket); err != nil { // refresh if stale
		return nil, err
	}
	return s.cat.list(), nil
}

// Bucket returns one bucket's settings (admins only).
func (s *Service) Bucket(ctx context.Context, name string) (*BucketSettings, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	return s.bucket(ctx, name)
}

// CreateBucket adds a bucket (admins only). A zero MaxSize is the
// service's default, a zero Rule DefaultRule.
func (s *Service) CreateBucket(ctx context.Context, b BucketSettings) (*BucketSettings, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	if b.MaxSize == 0 {
		b.MaxSize = s.max
	}
	if b.Rule.Preset == "" {
		b.Rule = DefaultRule
	}
	b.AllowedTypes = append([]string(nil), b.AllowedTypes...)
	if err := b.check(); err != nil {
		return nil, err
	}
	b.Created = s.now().UTC()
	err := s.cat.update(ctx, func(m map[string]*BucketSettings) error {
		if _, ok := m[b.Name]; ok {
			return Errorf(CodeBucketExists, "bucket %q already exists", b.Name)
		}
		if len(m) >= maxBuckets {
			return Errorf(CodeInvalidParam, "at most %d buckets", maxBuckets)
		}
		m[b.Name] = &b
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// UpdateBucket changes a bucket's settings (admins only).
func (s *Service) UpdateBucket(ctx context.Context, name string, p BucketPatch) (*BucketSettings, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	var out *BucketSettings
	err := s.cat.update(ctx, func(m map[string]*BucketSettings) error {
		old, ok := m[name]
		if !ok {
			return Errorf(CodeBucketNotExist, "bucket %q does not exist", name)
		}
		b := *old
		if p.MaxSize != nil {
			b.MaxSize = *p.MaxSize
		}
		if p.AllowedTypes != nil {
			b.AllowedTypes = append([]string(nil), *p.AllowedTypes...)
		}
		if p.Rule != nil {
			b.Rule = *p.Rule
		}
		if err := b.check(); err != nil {
			return err
		}
		m[name], out = &b, &b
		return nil
	})
	return out, err
}

// DeleteBucket removes a bucket (admins only; never the default one). A
// bucket with files is CodeBucketNotEmpty unless force is set: then its
// files are deleted first.
func (s *Service) DeleteBucket(ctx context.Context, name string, force bool) error {
	if err := admin(ctx); err != nil {
		return err
	}
	if name == DefaultBucket {
		return Errorf(CodeInvalidParam, "the default bucket cannot be deleted")
	}
	if _, err := s.bucket(ctx, name); err != nil {
		return err
	}
	for {
		page, err := s.be.List(ctx, ListOptions{Prefix: name + "/", Limit: MaxList})
		if err != nil {
			return clientError(err, "list")
		}
		if len(page.Objects) == 0 {
			break
		}
		if !force {
			return Errorf(CodeBucketNotEmpty, "bucket %q still has files: delete them first, or pass force=true", name)
		}
		for _, o := range page.Objects {
			if err := s.be.Delete(ctx, o.Key); err != nil {
				return clientError(err, "delete")
			}
		}
	}
	return s.cat.update(ctx, func(m map[string]*BucketSettings) error {
		if _, ok := m[name]; !ok {
			return Errorf(CodeBucketNotExist, "bucket %q does not exist", name)
		}
		delete(m, name)
		return nil
	})
}

// FileInfo is a file as the admin API shows it.
type FileInfo struct {
	FileID      string    `json:"fileID"`
	Path        string    `json:"path"`
	Size        int64     `json:"size"`
	ContentType string    `json:"contentType,omitempty"`
	ETag        string    `json:"etag"`
	ModTime     time.Time `json:"modTime"`
	Owner       string    `json:"owner,omitempty"` // the uploader's openid; empty for admins
}

func fileInfo(f FileID, o ObjectInfo) FileInfo {
	return FileInfo{FileID: f.String(), Path: f.Path, Size: o.Size, ContentType: o.ContentType, ETag: o.ETag, ModTime: o.ModTime, Owner: o.Owner}
}

// FilePage is a page of a bucket's files; Folders are path prefixes
// ("photos/2024/") when listed by folder.
type FilePage struct {
	Files   []FileInfo `json:"files"`
	Folders []string   `json:"folders,omitempty"`
	Next    string     `json:"next,omitempty"`
}

// Files lists a bucket's files by path prefix (admins only): After is the
// previous page's Next; with folders, one level at a time.
func (s *Service) Files(ctx context.Context, bucket, prefix, after string, limit int, folders bool) (*FilePage, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	if _, err := s.bucket(ctx, bucket); err != nil {
		return nil, err
	}
	for _, p := range []string{prefix, after} {
		if len(p) > MaxPathBytes || checkPrefix(p) != nil {
			return nil, Errorf(CodeInvalidParam, "invalid prefix or after %.100q", p)
		}
	}
	opts := ListOptions{Prefix: bucket + "/" + prefix, Limit: limit, Folders: folders}
	if after != "" {
		opts.After = bucket + "/" + after
	}
	page, err := s.be.List(ctx, opts)
	if err != nil {
		return nil, clientError(err, "list")
	}
	out := &FilePage{Files: make([]FileInfo, 0, len(page.Objects)), Next: strings.TrimPrefix(page.Next, bucket+"/")}
	for _, o := range page.Objects {
		f := FileID{Env: s.env, Bucket: bucket, Path: strings.TrimPrefix(o.Key, bucket+"/")}
		out.Files = append(out.Files, fileInfo(f, o))
	}
	for _, p := range page.Prefixes {
		out.Folders = append(out.Folders, strings.TrimPrefix(p, bucket+"/"))
	}
	return out, nil
}

// checkPrefix accepts "", a path, or a path with a trailing "/" or a
// partial last segment: what may precede more of a valid path.
func checkPrefix(p string) error {
	if p == "" {
		return nil
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		if err := ValidPath(p[:i]); err != nil {
			return err
		}
		p = p[i+1:]
		if p == "" {
			return nil
		}
	}
	return ValidPath(p)
}

// File returns one file's info (admins only).
func (s *Service) File(ctx context.Context, fileID string) (*FileInfo, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	f, _, info, err := s.access(ctx, fileID, opRead, "read")
	if err != nil {
		return nil, err
	}
	fi := fileInfo(f, info)
	return &fi, nil
}
