package auth

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Guesses at a password or a one-time code are limited so that brute force
// stays slow without letting a stranger lock an account's owner out, as
// large identity providers do (Azure AD's smart lockout keeps separate
// counts for familiar and unfamiliar locations; Auth0 blocks an account
// per address, and an address across accounts; OWASP warns that a plain
// per-account lockout is a denial of service):
//
//   - every attempt takes a token from its address's bucket (LoginIP): a
//     request rate, which also bounds the hashing work one address causes;
//   - a failure takes one from the (account, address) bucket
//     (LoginAccountIP): one address gets a few wrong guesses at an
//     account, then one per refill, and its debt grows with every failure
//     made meanwhile;
//   - a failure from an address that has never signed in to the account
//     also takes one from the account's bucket (LoginAccount), larger and
//     slower: a ceiling on the guesses of an attacker with many
//     addresses. Once it is empty only familiar addresses get in.
//
// A correct password from a fresh address therefore succeeds after a
// stranger's wrong guesses, unless the stranger used enough addresses to
// empty the account's bucket; from an address the owner signed in from
// before it succeeds even then. Successes take nothing but the address's
// token. Failures are taken after the fact, so guesses made in parallel
// all pass begin while a token is left (at most the address's burst of
// attempts); each of them is then taken, as debt, and the wait that
// follows is as long as if they had come one by one.

// maxFamiliar bounds the (account, address) pairs remembered as familiar:
// the least recently signed-in pairs are forgotten first (~150 bytes each).
const maxFamiliar = 100_000

// familiar remembers which addresses have signed in to which accounts.
type familiar = lru.Cache[string, struct{}]

func newFamiliar(size int) *familiar {
	c, err := lru.New[string, struct{}](size)
	if err != nil {
		panic(err) // only for a size < 1
	}
	return c
}

// guesses limits one kind of guess (see above).
type guesses struct {
	ip, accountIP, account *limiter
	familiar               *familiar
}

func newGuesses(ip, accountIP, account Rate, f *familiar) *guesses {
	return &guesses{ip: newLimiter(ip), accountIP: newLimiter(accountIP), account: newLimiter(account), familiar: f}
}

// setIPRate changes the per-address rate of attempts (Tunables.SignInIP).
func (g *guesses) setIPRate(r Rate) { g.ip.setRate(r) }

// guess is one attempt that begin let through; the caller reports its
// outcome with done.
type guess struct {
	g        *guesses
	now      time.Time
	account  string
	pair     string // account and address
	familiar bool
}

// begin takes an attempt at account from the client address ip at now. It
// returns EXCEED_REQUEST_LIMIT, with when to try again, when the address
// has made too many attempts, or too many failures at this account, or
// when the account has had too many failures from unfamiliar addresses
// and ip is one.
func (g *guesses) begin(now time.Time, ip, account string) (*guess, error) {
	addr := AddressKey(ip)
	gs := &guess{g: g, now: now, account: account, pair: account + "\x00" + addr}
	gs.familiar = g.familiar.Contains(gs.pair)
	wait := g.ip.allow(addr, now)
	if wait == 0 {
		wait = g.accountIP.wait(gs.pair, now)
	}
	if wait == 0 && !gs.familiar {
		wait = g.account.wait(account, now)
	}
	if err := rateLimited(wait); err != nil {
		return nil, err
	}
	return gs, nil
}

// done records the outcome of the attempt: err is what the sign-in
// returned. INVALID_CREDENTIALS is a wrong guess; success makes the
// address familiar to the account; other errors (the server's) count for
// nothing.
func (gs *guess) done(err error) {
	switch {
	case err == nil:
		gs.g.familiar.Add(gs.pair, struct{}{})
	case ErrorCode(err) == CodeInvalidCredentials:
		gs.g.accountIP.take(gs.pair, gs.now)
		if !gs.familiar {
			gs.g.account.take(gs.account, gs.now)
		}
	}
}
