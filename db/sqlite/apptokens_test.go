package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"minibase/functions/openapi"
	"minibase/functions/openapi/openapitest"
)

var _ openapi.TokenStore = (*AppTokens)(nil)

// TestAppTokensConformance runs wechat's token-store suite against SQLite.
func TestAppTokensConformance(t *testing.T) {
	openapitest.Run(t, func(t *testing.T) openapi.TokenStore { return openTest(t).AppTokens() })
}

// TestAppTokensSurviveRestart: the token is in the database file, for the
// next start (and the other nodes).
func TestAppTokensSurviveRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data.db")
	exp := time.UnixMilli(1_800_000_000_000)
	d, err := Open(ctx, path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	s := d.AppTokens()
	if ok, err := s.LeaseToken(ctx, "wxapp", "node-1", exp.Add(-time.Hour), exp.Add(-time.Hour+30*time.Second)); !ok || err != nil {
		t.Fatalf("LeaseToken = %v, %v", ok, err)
	}
	if err := s.SaveToken(ctx, "wxapp", "node-1", "tok", exp); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = Open(ctx, path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if tok, got, err := d.AppTokens().Token(ctx, "wxapp"); tok != "tok" || !got.Equal(exp) || err != nil {
		t.Errorf("after a restart: Token = %q, %v, %v; want tok, %v", tok, got, err, exp)
	}
}
