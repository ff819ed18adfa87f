package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSettingsStore: the console's settings are saved with a version that
// each save increments; a save based on an old version stores nothing.
func TestSettingsStore(t *testing.T) {
	ctx := context.Background()
	s := openTest(t).Settings()
	if doc, v, err := s.Load(ctx); err != nil || doc != nil || v != 0 {
		t.Fatalf("Load of nothing saved = %q, %d, %v", doc, v, err)
	}
	now := time.UnixMilli(1_800_000_000_000)
	v1, err := s.Save(ctx, []byte(`{"auth.anonymous":false}`), 0, now)
	if err != nil || v1 != 1 {
		t.Fatalf("first Save = %d, %v", v1, err)
	}
	if _, err := s.Save(ctx, []byte(`{"auth.anonymous":true}`), 0, now); !errors.Is(err, ErrSettingsChanged) {
		t.Errorf("a Save from version 0 after version 1: %v, want ErrSettingsChanged", err)
	}
	v2, err := s.Save(ctx, []byte(`{"auth.password":false}`), v1, now)
	if err != nil || v2 != 2 {
		t.Fatalf("second Save = %d, %v", v2, err)
	}
	doc, v, err := s.Load(ctx)
	if err != nil || string(doc) != `{"auth.password":false}` || v != 2 {
		t.Errorf("Load = %q, %d, %v", doc, v, err)
	}
	if v, err := s.Version(ctx); err != nil || v != 2 {
		t.Errorf("Version = %d, %v", v, err)
	}
}
