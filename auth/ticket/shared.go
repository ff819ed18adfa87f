package ticket

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Store keeps a keyring that several servers share, instead of a file in
// one server's directory (db/postgres keeps it in the database).
type Store interface {
	// LoadKeys returns the stored keyring (as the keyring file holds it)
	// and its version; nil and 0 when none is stored.
	LoadKeys(ctx context.Context) (data []byte, version int64, err error)
	// SaveKeys stores data if the stored version is still prev (0: none
	// stored), and returns the new version; ok is false, and nothing is
	// stored, when another server saved in between.
	SaveKeys(ctx context.Context, data []byte, prev int64) (version int64, ok bool, err error)
}

// storeTimeout bounds each call to the Store: the keyring's methods take
// no context (they run under a sign-in request's own deadline).
const storeTimeout = 10 * time.Second

// reloadEvery is how often a ticket naming an unknown key may make the
// keyring read the store again (another server may have rotated): a flood
// of forged key ids costs one read a second.
const reloadEvery = time.Second

// errChanged is saveShared's answer when another server saved first.
var errChanged = errors.New("the ticket keys were changed by another server meanwhile")

// OpenStore is Open for a keyring kept in store: the first server to open
// it generates the key; the others load that one. Rotate rotates the
// stored keys; a server sees a key rotated elsewhere when a ticket names
// it, and at Credentials and Rotate.
func OpenStore(store Store, now func() time.Time) (*Keyring, error) {
	if now == nil {
		now = time.Now
	}
	k := &Keyring{store: store, now: now}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.reloadLocked(); err == nil {
		return k, nil
	} else if !errors.Is(err, errNone) {
		return nil, fmt.Errorf("open ticket keys: %w", err)
	}
	cur, err := newKey(now())
	if err != nil {
		return nil, fmt.Errorf("open ticket keys: %w", err)
	}
	err = k.save(cur, nil)
	if errors.Is(err, errChanged) { // another server generated one first: use it
		err = k.reloadLocked()
	} else if err == nil {
		k.current = cur
	}
	if err != nil {
		return nil, fmt.Errorf("open ticket keys: %w", err)
	}
	return k, nil
}

// errNone is reloadLocked's answer when the store holds no keyring.
var errNone = errors.New("no ticket keys stored")

// reloadLocked reads the keyring from the store (k.mu held).
func (k *Keyring) reloadLocked() error {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	k.reloaded = k.now()
	b, v, err := k.store.LoadKeys(ctx)
	if err != nil {
		return err
	}
	if b == nil {
		return errNone
	}
	cur, prev, err := parseKeys(b, "the stored ticket keys")
	if err != nil {
		return err
	}
	k.current, k.previous, k.version = cur, prev, v
	return nil
}

// reloadForUnknown reads the store again, at most every reloadEvery, and
// reports whether it did.
func (k *Keyring) reloadForUnknown() bool {
	if k.store == nil {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.now().Sub(k.reloaded) < reloadEvery && !k.reloaded.IsZero() {
		return false
	}
	return k.reloadLocked() == nil
}

// saveShared stores b over the version k holds (k.mu held, or k not yet
// shared); errChanged when another server saved first.
func (k *Keyring) saveShared(b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	v, ok, err := k.store.SaveKeys(ctx, b, k.version)
	if err != nil {
		return err
	}
	if !ok {
		return errChanged
	}
	k.version = v
	return nil
}
