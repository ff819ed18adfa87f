package server

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"minibase/auth"
	"minibase/server/replica"

	"github.com/gofiber/fiber/v2"
)

// consoleState is what the console's overview reads: when the server
// started, the per-minute series, and the totals' cache.
type consoleState struct {
	started time.Time
	series  series
	figures figureCache
}

// InfoAnswer is GET /v1/admin/info: the overview of the console.
type InfoAnswer struct {
	EnvID         string       `json:"envId"`
	Version       string       `json:"version"`
	StartedAt     time.Time    `json:"startedAt"`
	UptimeSeconds int64        `json:"uptimeSeconds"`
	PublicURL     string       `json:"publicURL"`
	Backends      InfoBackends `json:"backends"`
	Domains       Domains      `json:"domains"`
	DomainsNote   string       `json:"domainsNote,omitempty"`
	Figures       Figures      `json:"figures"`
	Series        SeriesAnswer `json:"series"`
	// Replication is continuous backup's state; absent when it is off.
	Replication *replica.Status `json:"replication,omitempty"`
}

// InfoBackends names the database and file store in use.
type InfoBackends struct {
	DB      string `json:"db"`
	Storage string `json:"storage"`
}

// Domains are the mini-program's 合法域名 (server domains) to enter in
// the WeChat admin console for this server.
type Domains struct {
	Request      []string `json:"request"`
	UploadFile   []string `json:"uploadFile"`
	DownloadFile []string `json:"downloadFile"`
	Socket       []string `json:"socket"`
}

// mountInfo registers GET /admin/info on r (the /v1 group).
func (s *Server) mountInfo(r fiber.Router) {
	r.Get("/admin/info", s.handleInfo)
}

func (s *Server) handleInfo(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if !auth.FromContext(ctx).IsAdmin() {
		return auth.Errorf(auth.CodePermissionDenied, "permission denied: the server's overview needs an admin")
	}
	figs, err := s.figuresNow(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	st := &s.console
	a := InfoAnswer{EnvID: s.Config.Storage.Env, Version: s.version(), StartedAt: st.started.UTC().Truncate(time.Second),
		UptimeSeconds: int64(now.Sub(st.started).Seconds()), PublicURL: s.Config.Storage.PublicURL,
		Backends: InfoBackends{DB: s.store.kind(), Storage: s.Config.Storage.Backend}, Figures: figs, Series: st.series.answer(now),
		Replication: s.ReplicaStatus()}
	a.Domains, a.DomainsNote = domainsOf(s.Config.Storage.PublicURL)
	return c.JSON(a)
}

// domainsOf derives the 合法域名 from the public URL: its https origin
// for request, uploadFile and downloadFile, the same host as wss:// for
// socket. WeChat accepts only https (and wss) domains, so without an
// https public URL the lists are empty and the note says why.
func domainsOf(public string) (Domains, string) {
	none := Domains{Request: []string{}, UploadFile: []string{}, DownloadFile: []string{}, Socket: []string{}}
	if public == "" {
		return none, "set MINIBASE_PUBLIC_URL to this server's https address (e.g. https://api.example.com) to get the domains to enter in the mini-program's admin console"
	}
	u, err := url.Parse(public)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return none, fmt.Sprintf("the public URL %s is not https: WeChat accepts only https (and wss) server domains; put minibase behind TLS and set MINIBASE_PUBLIC_URL to its https address", public)
	}
	origin := "https://" + u.Host
	return Domains{Request: []string{origin}, UploadFile: []string{origin}, DownloadFile: []string{origin},
		Socket: []string{"wss://" + u.Host}}, ""
}

// figuresNow is the totals: collections and documents as the database
// keeps them now, the rest from the cache when younger than figuresTTL.
func (s *Server) figuresNow(ctx context.Context) (Figures, error) {
	colls, err := s.db.Collections(ctx)
	if err != nil {
		return Figures{}, err
	}
	fc := &s.console.figures
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.at.IsZero() || time.Since(fc.at) > figuresTTL {
		f, err := s.countAll(ctx)
		if err != nil {
			return Figures{}, err
		}
		fc.val, fc.at = f, time.Now()
	}
	f := fc.val
	f.Collections, f.Documents = len(colls), 0
	for _, c := range colls {
		f.Documents += c.Count
	}
	return f, nil
}

// countAll counts users, functions and files (up to maxCountedFiles).
func (s *Server) countAll(ctx context.Context) (Figures, error) {
	var f Figures
	_, users, err := s.store.auth.Users.ListUsers(ctx, "", 1, 0)
	if err != nil {
		return f, fmt.Errorf("count users: %w", err)
	}
	f.Users = users
	names, err := s.fnDir.List(ctx)
	if err != nil {
		return f, fmt.Errorf("count functions: %w", err)
	}
	f.Functions = len(names)
	buckets, err := s.files.Buckets(ctx)
	if err != nil {
		return f, err
	}
	f.FilesCounted = true
	for _, b := range buckets {
		after := ""
		for {
			if f.Files >= maxCountedFiles {
				f.FilesCounted = false
				return f, nil
			}
			page, err := s.files.Files(ctx, b.Name, "", after, 1000, false)
			if err != nil {
				return f, err
			}
			for _, file := range page.Files {
				f.Files++
				f.StorageBytes += file.Size
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
	}
	return f, nil
}
