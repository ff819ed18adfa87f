// Package authtest is the conformance suite for auth's stores: every
// implementation of auth.Users, auth.Sessions (with its record of revoked
// families), auth.Admins and auth.OTPs passes it.
package authtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"minibase/auth"
)

// Run runs the suite; open returns fresh, empty stores for each test.
func Run(t *testing.T, open func(t *testing.T) auth.Stores) {
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t).Users) })
	t.Run("UserUpdates", func(t *testing.T) { testUserUpdates(t, open(t).Users) })
	t.Run("ListUsers", func(t *testing.T) { testListUsers(t, open(t).Users) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t).Sessions) })
	t.Run("Revocations", func(t *testing.T) { testRevocations(t, open(t).Sessions) })
	t.Run("Admins", func(t *testing.T) { testAdmins(t, open(t).Admins) })
	t.Run("OTPs", func(t *testing.T) { testOTPs(t, open(t).OTPs) })
}

// base is a fixed time at millisecond precision (what stores keep).
var base = time.UnixMilli(1_800_000_000_000)

func user(uid string, mod func(u *auth.UserAccount)) *auth.UserAccount {
	u := &auth.UserAccount{UID: uid, OpenID: "o-" + uid, LoginType: auth.LoginAnonymous, Created: base, LastLogin: base}
	if mod != nil {
		mod(u)
	}
	return u
}

func mustCreate(t *testing.T, us auth.Users, u *auth.UserAccount) {
	t.Helper()
	if err := us.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create %s: %v", u.UID, err)
	}
}

func testUsers(t *testing.T, us auth.Users) {
	ctx := context.Background()
	full := user("u1", func(u *auth.UserAccount) {
		u.UnionID, u.Username, u.Email, u.Phone, u.CustomUserID = "union1", "Alice", "alice@example.com", "+8613800138000", "cu-1"
		u.EmailVerified, u.PasswordHash, u.LoginType, u.SessionKey = true, "$argon2id$x", auth.LoginEmail, "sk"
		u.Disabled, u.Claims = true, map[string]any{"roles": []any{"a", "b"}, "n": 1.5, "nested": map[string]any{"x": true}}
	})
	mustCreate(t, us, full)
	mustCreate(t, us, user("u2", nil)) // no username, email…: empty values do not collide
	mustCreate(t, us, user("u3", nil))
	got, err := us.User(ctx, "u1")
	if err != nil || !reflect.DeepEqual(got, full) {
		t.Fatalf("User(u1) = %+v, %v; want %+v", got, err, full)
	}
	for _, tc := range []struct {
		key   auth.Key
		value string
		uid   string
	}{
		{auth.KeyUsername, "alice", "u1"}, {auth.KeyUsername, "ALICE", "u1"}, {auth.KeyEmail, "Alice@Example.com", "u1"},
		{auth.KeyPhone, "+8613800138000", "u1"}, {auth.KeyOpenID, "o-u2", "u2"}, {auth.KeyCustomUserID, "cu-1", "u1"},
		{auth.KeyPhone, "8613800138000", ""}, {auth.KeyOpenID, "O-U2", ""}, {auth.KeyUsername, "", ""}, {auth.KeyEmail, "", ""},
	} {
		u, err := us.UserBy(ctx, tc.key, tc.value)
		switch {
		case tc.uid == "" && !errors.Is(err, auth.ErrNotFound):
			t.Errorf("UserBy(%s, %q) = %v, %v; want ErrNotFound", tc.key, tc.value, u, err)
		case tc.uid != "" && (err != nil || u.UID != tc.uid):
			t.Errorf("UserBy(%s, %q) = %v, %v; want %s", tc.key, tc.value, u, err, tc.uid)
		}
	}
	if _, err := us.User(ctx, "nope"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("User(nope): %v, want ErrNotFound", err)
	}
	for name, u := range map[string]*auth.UserAccount{
		"uid":          user("u1", func(u *auth.UserAccount) { u.OpenID = "fresh" }),
		"openid":       user("u9", func(u *auth.UserAccount) { u.OpenID = "o-u2" }),
		"username":     user("u9", func(u *auth.UserAccount) { u.Username = "ALICE" }),
		"email":        user("u9", func(u *auth.UserAccount) { u.Email = "ALICE@example.com" }),
		"phone":        user("u9", func(u *auth.UserAccount) { u.Phone = "+8613800138000" }),
		"customUserId": user("u9", func(u *auth.UserAccount) { u.CustomUserID = "cu-1" }),
	} {
		if err := us.CreateUser(ctx, u); !errors.Is(err, auth.ErrTaken) {
			t.Errorf("duplicate %s: %v, want ErrTaken", name, err)
		}
	}
	if _, err := us.User(ctx, "u9"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("a refused create stored something: %v", err)
	}
	if err := us.DeleteUser(ctx, "u2"); err != nil {
		t.Fatal(err)
	}
	if err := us.DeleteUser(ctx, "u2"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("delete twice: %v, want ErrNotFound", err)
	}
	mustCreate(t, us, user("u4", func(u *auth.UserAccount) { u.OpenID = "o-u2" })) // the openid is free again
}

func testUserUpdates(t *testing.T, us auth.Users) {
	ctx := context.Background()
	mustCreate(t, us, user("u1", nil))
	mustCreate(t, us, user("u2", func(u *auth.UserAccount) { u.Email = "taken@example.com" }))
	later := base.Add(time.Hour)
	got, err := us.UpdateUser(ctx, "u1", func(u *auth.UserAccount) error {
		u.Username, u.PasswordHash, u.LoginType, u.LastLogin = "bob", "h", auth.LoginUsername, later
		u.Claims = map[string]any{"r": "x"}
		return nil
	})
	if err != nil || got.Username != "bob" || !got.LastLogin.Equal(later) {
		t.Fatalf("update: %+v %v", got, err)
	}
	stored, _ := us.User(ctx, "u1")
	if !reflect.DeepEqual(stored, got) {
		t.Errorf("stored %+v, returned %+v", stored, got)
	}
	boom := errors.New("boom")
	if _, err := us.UpdateUser(ctx, "u1", func(u *auth.UserAccount) error { u.Username = "carol"; return boom }); err != boom {
		t.Errorf("fn error: %v, want it returned as is", err)
	}
	if _, err := us.UpdateUser(ctx, "u1", func(u *auth.UserAccount) error { u.Email = "TAKEN@example.com"; return nil }); !errors.Is(err, auth.ErrTaken) {
		t.Errorf("update to a taken email: %v, want ErrTaken", err)
	}
	if after, _ := us.User(ctx, "u1"); !reflect.DeepEqual(after, stored) {
		t.Errorf("failed updates changed the user: %+v", after)
	}
	if _, err := us.UpdateUser(ctx, "nope", func(*auth.UserAccount) error { return nil }); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("update a missing user: %v, want ErrNotFound", err)
	}
	cleared, err := us.UpdateUser(ctx, "u1", func(u *auth.UserAccount) error { u.Claims, u.Username = nil, ""; return nil })
	if err != nil || cleared.Claims != nil || cleared.Username != "" {
		t.Errorf("clearing: %+v %v", cleared, err)
	}
}

func testListUsers(t *testing.T, us auth.Users) {
	ctx := context.Background()
	for i, mod := range []func(u *auth.UserAccount){
		func(u *auth.UserAccount) { u.Username = "Zed" },
		func(u *auth.UserAccount) { u.Email = "zoe@example.com" },
		func(u *auth.UserAccount) { u.Phone = "+15550001" },
		func(u *auth.UserAccount) { u.OpenID = "oWX-z1" },
		nil,
	} {
		u := user(fmt.Sprintf("id%d", i), mod)
		u.Created = base.Add(time.Duration(i) * time.Second)
		mustCreate(t, us, u)
	}
	for _, tc := range []struct {
		q             string
		limit, offset int
		want          []string
		total         int
	}{
		{"", 10, 0, []string{"id4", "id3", "id2", "id1", "id0"}, 5},
		{"", 2, 1, []string{"id3", "id2"}, 5},
		{"z", 10, 0, []string{"id1", "id0"}, 2}, // username and email, any case
		{"ZO", 10, 0, []string{"id1"}, 1},
		{"+1555", 10, 0, []string{"id2"}, 1},
		{"oWX", 10, 0, []string{"id3"}, 1},
		{"id4", 10, 0, []string{"id4"}, 1},
		{"q", 10, 0, nil, 0},
	} {
		users, total, err := us.ListUsers(ctx, tc.q, tc.limit, tc.offset)
		var got []string
		for _, u := range users {
			got = append(got, u.UID)
		}
		if err != nil || total != tc.total || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ListUsers(%q, %d, %d) = %v, %d, %v; want %v, %d", tc.q, tc.limit, tc.offset, got, total, err, tc.want, tc.total)
		}
	}
}

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func testSessions(t *testing.T, ss auth.Sessions) {
	ctx := context.Background()
	exp := base.Add(24 * time.Hour)
	for _, s := range []struct{ sid, kind, subject, token string }{
		{"s1", auth.SubjectUser, "u1", "t1"}, {"s2", auth.SubjectUser, "u1", "t2"},
		{"s3", auth.SubjectUser, "u2", "t3"}, {"s4", auth.SubjectAdmin, "u1", "t4"},
	} {
		sess := &auth.Session{ID: s.sid, Kind: s.kind, Subject: s.subject, Generation: 1, Created: base, Expires: exp}
		if err := ss.CreateSession(ctx, sess, hash(s.token)); err != nil {
			t.Fatal(err)
		}
	}
	rotate := func(old, next string, now time.Time) (*auth.Session, auth.RotateResult) {
		t.Helper()
		s, res, err := ss.RotateSession(ctx, hash(old), hash(next), now, lifeOf(24*time.Hour))
		if err != nil {
			t.Fatalf("rotate %s: %v", old, err)
		}
		return s, res
	}
	now := base.Add(time.Hour)
	if s, res := rotate("t1", "t1b", now); res != auth.Rotated || s.ID != "s1" || s.Subject != "u1" || s.Kind != auth.SubjectUser ||
		s.Generation != 2 || !s.Expires.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("rotate t1: %+v %v", s, res)
	}
	if _, res := rotate("t1b", "t1c", now); res != auth.Rotated {
		t.Fatalf("rotate t1b: %v", res)
	}
	if s, res := rotate("t1", "t1x", now); res != auth.Reused || s.ID != "s1" {
		t.Fatalf("reuse t1: %+v %v, want Reused", s, res)
	}
	for _, tok := range []string{"t1c", "t1x", "t1"} {
		if _, res := rotate(tok, tok+"!", now); res != auth.Unknown {
			t.Errorf("after reuse, %s: %v, want Unknown (family revoked)", tok, res)
		}
	}
	if _, res := rotate("nope", "x", now); res != auth.Unknown {
		t.Errorf("unknown token: %v", res)
	}
	if _, res := rotate("t2", "t2b", exp); res != auth.Expired {
		t.Errorf("at expiry: %v, want Expired", res)
	}
	if _, res := rotate("t2", "t2b", now); res != auth.Rotated {
		t.Errorf("an expired attempt changes nothing: %v", res)
	}
	if _, err := ss.RevokeToken(ctx, hash("t2"), now); err != nil { // a used token of s2
		t.Fatal(err)
	}
	if _, res := rotate("t2b", "t2c", now); res != auth.Unknown {
		t.Errorf("RevokeToken revokes the family: %v", res)
	}
	if r, err := ss.RevokeToken(ctx, hash("never issued"), now); err != nil || r != nil {
		t.Errorf("revoking an unknown token: %+v, %v; want nothing recorded", r, err)
	}
	if _, err := ss.RevokeSession(ctx, "s3", now); err != nil {
		t.Fatal(err)
	}
	if _, res := rotate("t3", "t3b", now); res != auth.Unknown {
		t.Errorf("RevokeSession: %v", res)
	}
	sess := &auth.Session{ID: "s5", Kind: auth.SubjectUser, Subject: "u1", Generation: 1, Created: base, Expires: exp}
	ss.CreateSession(ctx, sess, hash("t5"))
	rotate("t5", "t5b", now)
	n, _, err := ss.RevokeSubject(ctx, auth.SubjectUser, "u1", now)
	if err != nil || n != 2 {
		t.Errorf("RevokeSubject(user u1) = %d, %v; want its 2 tokens", n, err)
	}
	if _, res := rotate("t4", "t4b", now); res != auth.Rotated {
		t.Errorf("the admin u1 is another subject: %v", res)
	}
	if err := ss.CreateSession(ctx, sess, hash("t4b")); !errors.Is(err, auth.ErrTaken) {
		t.Errorf("a token hash stored twice: %v, want ErrTaken", err)
	}
}

// testRevocations: every way of ending a family records when its newest
// token was issued and when it was revoked, in the same write, and
// Revocations finds the records by the time of revocation.
func testRevocations(t *testing.T, ss auth.Sessions) {
	ctx := context.Background()
	exp := base.Add(24 * time.Hour)
	at := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
	for _, s := range []struct{ sid, kind, subject, token string }{
		{"s1", auth.SubjectUser, "u1", "t1"}, {"s2", auth.SubjectUser, "u1", "t2"}, {"s3", auth.SubjectUser, "u2", "t3"},
		{"s4", auth.SubjectAdmin, "u1", "t4"}, {"s5", auth.SubjectUser, "u3", "t5"}, {"s6", auth.SubjectUser, "u1", "t6"},
	} {
		sess := &auth.Session{ID: s.sid, Kind: s.kind, Subject: s.subject, Generation: 1, Created: base, Expires: exp}
		if err := ss.CreateSession(ctx, sess, hash(s.token)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tok := range []string{"t1", "t5", "t6"} { // their newest tokens are an hour younger
		if _, res, err := ss.RotateSession(ctx, hash(tok), hash(tok+"b"), at(1), lifeOf(24*time.Hour)); err != nil || res != auth.Rotated {
			t.Fatalf("rotate %s: %v %v", tok, res, err)
		}
	}
	want := map[string]auth.Revocation{}
	check := func(what string, got *auth.Revocation, err error, sid string, issued, revoked time.Time) {
		t.Helper()
		if err != nil || got == nil || got.SID != sid || !got.Issued.Equal(issued) || !got.Revoked.Equal(revoked) {
			t.Fatalf("%s: %+v, %v; want %s issued %v, revoked %v", what, got, err, sid, issued, revoked)
		}
		want[sid] = *got
	}
	r, err := ss.RevokeToken(ctx, hash("t1"), at(2)) // a used token names its family too
	check("RevokeToken", r, err, "s1", at(1), at(2))
	r, err = ss.RevokeSession(ctx, "s3", at(3))
	check("RevokeSession", r, err, "s3", base, at(3))
	if r, err := ss.RevokeSession(ctx, "s3", at(3)); err != nil || r != nil {
		t.Errorf("revoking a revoked family again: %+v, %v; want nothing recorded", r, err)
	}
	n, revs, err := ss.RevokeSubject(ctx, auth.SubjectUser, "u1", at(4))
	sort.Slice(revs, func(i, j int) bool { return revs[i].SID < revs[j].SID })
	if err != nil || n != 3 || len(revs) != 2 {
		t.Fatalf("RevokeSubject(user u1) = %d, %+v, %v; want 3 tokens of s2 and s6 (s1 was revoked, s4 is an admin's)", n, revs, err)
	}
	check("RevokeSubject s2", &revs[0], nil, "s2", base, at(4))
	check("RevokeSubject s6", &revs[1], nil, "s6", at(1), at(4))
	if n, revs, err := ss.RevokeSubject(ctx, auth.SubjectUser, "nobody", at(4)); err != nil || n != 0 || len(revs) != 0 {
		t.Errorf("RevokeSubject of a user without sessions: %d, %+v, %v", n, revs, err)
	}
	if _, res, err := ss.RotateSession(ctx, hash("t5"), hash("t5x"), at(5), lifeOf(24*time.Hour)); err != nil || res != auth.Reused {
		t.Fatalf("reuse t5: %v %v", res, err)
	}
	want["s5"] = auth.Revocation{SID: "s5", Issued: at(1), Revoked: at(5)}
	for _, tc := range []struct {
		since time.Time
		sids  []string
	}{
		{base, []string{"s1", "s2", "s3", "s5", "s6"}},
		{at(3), []string{"s2", "s3", "s5", "s6"}}, // at or after
		{at(3).Add(time.Millisecond), []string{"s2", "s5", "s6"}},
		{at(6), nil},
	} {
		got, err := ss.Revocations(ctx, tc.since)
		if err != nil {
			t.Fatal(err)
		}
		sort.Slice(got, func(i, j int) bool { return got[i].SID < got[j].SID })
		var sids []string
		for _, r := range got {
			sids = append(sids, r.SID)
			if w := want[r.SID]; !r.Issued.Equal(w.Issued) || !r.Revoked.Equal(w.Revoked) {
				t.Errorf("Revocations: %+v, want %+v", r, w)
			}
		}
		if !reflect.DeepEqual(sids, tc.sids) {
			t.Errorf("Revocations(since %v) = %v, want %v", tc.since, sids, tc.sids)
		}
	}
	if _, res, _ := ss.RotateSession(ctx, hash("t4"), hash("t4b"), at(5), lifeOf(24*time.Hour)); res != auth.Rotated {
		t.Errorf("the admin u1's family is untouched: %v", res)
	}
}

func testAdmins(t *testing.T, as auth.Admins) {
	ctx := context.Background()
	if has, err := as.HasAdmin(ctx); err != nil || has {
		t.Fatalf("HasAdmin of an empty store = %v, %v; want false", has, err)
	}
	a := &auth.AdminAccount{ID: "a1", Email: "root@example.com", PasswordHash: "h", Created: base}
	if err := as.CreateFirstAdmin(ctx, a); err != nil {
		t.Fatal(err)
	}
	if has, err := as.HasAdmin(ctx); err != nil || !has {
		t.Errorf("HasAdmin after the first = %v, %v; want true", has, err)
	}
	second := &auth.AdminAccount{ID: "a3", Email: "second@example.com", PasswordHash: "h", Created: base}
	if err := as.CreateFirstAdmin(ctx, second); !errors.Is(err, auth.ErrTaken) {
		t.Errorf("CreateFirstAdmin with an admin there: %v, want ErrTaken", err)
	}
	if _, err := as.Admin(ctx, "a3"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("a refused CreateFirstAdmin stored the admin: %v", err)
	}
	if err := as.CreateAdmin(ctx, &auth.AdminAccount{ID: "a2", Email: "ROOT@example.com", PasswordHash: "h", Created: base}); !errors.Is(err, auth.ErrTaken) {
		t.Errorf("duplicate email: %v, want ErrTaken", err)
	}
	for _, get := range []func() (*auth.AdminAccount, error){
		func() (*auth.AdminAccount, error) { return as.Admin(ctx, "a1") },
		func() (*auth.AdminAccount, error) { return as.AdminByEmail(ctx, "Root@Example.com") },
	} {
		if got, err := get(); err != nil || !reflect.DeepEqual(got, a) {
			t.Errorf("got %+v, %v; want %+v", got, err, a)
		}
	}
	if _, err := as.AdminByEmail(ctx, "other@example.com"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("missing admin: %v", err)
	}
	up, err := as.UpdateAdmin(ctx, "a1", func(a *auth.AdminAccount) error { a.LastLogin, a.Disabled = base.Add(time.Hour), true; return nil })
	if stored, _ := as.Admin(ctx, "a1"); err != nil || !up.Disabled || !reflect.DeepEqual(stored, up) {
		t.Errorf("update: %+v (stored %+v) %v", up, stored, err)
	}
	if _, err := as.UpdateAdmin(ctx, "nope", func(*auth.AdminAccount) error { return nil }); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("update a missing admin: %v", err)
	}
}

func testOTPs(t *testing.T, st auth.OTPs) {
	ctx := context.Background()
	put := func(acct, code string) {
		t.Helper()
		if err := st.PutOTP(ctx, &auth.OTP{Account: acct, CodeHash: hash(code), Created: base, Expires: base.Add(5 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	use := func(acct string, fn func(o *auth.OTP) (*auth.OTP, bool)) bool {
		t.Helper()
		ok, err := st.UseOTP(ctx, acct, fn)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	put("email:a", "111111")
	put("email:a", "222222") // replaces
	put("email:b", "333333")
	var seen *auth.OTP
	use("email:a", func(o *auth.OTP) (*auth.OTP, bool) {
		c := *o
		seen = &c
		o.Attempts++
		return o, false
	})
	if seen == nil || !bytes.Equal(seen.CodeHash, hash("222222")) || !seen.Expires.Equal(base.Add(5*time.Minute)) || seen.Attempts != 0 {
		t.Fatalf("first use saw %+v", seen)
	}
	use("email:a", func(o *auth.OTP) (*auth.OTP, bool) { seen = o; return o, false })
	if seen.Attempts != 1 {
		t.Errorf("attempts kept: %d, want 1", seen.Attempts)
	}
	if !use("email:a", func(o *auth.OTP) (*auth.OTP, bool) { return nil, true }) {
		t.Error("UseOTP returns fn's ok")
	}
	use("email:a", func(o *auth.OTP) (*auth.OTP, bool) { seen = o; return nil, false })
	if seen != nil {
		t.Errorf("a deleted code is gone: %+v", seen)
	}
	use("email:b", func(o *auth.OTP) (*auth.OTP, bool) { seen = o; return o, false })
	if seen == nil || !bytes.Equal(seen.CodeHash, hash("333333")) {
		t.Errorf("another account's code is untouched: %+v", seen)
	}
}

// lifeOf is a RotateSession life that gives every kind of session d.
func lifeOf(d time.Duration) func(string) time.Duration {
	return func(string) time.Duration { return d }
}
