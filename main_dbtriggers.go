package main

import (
	"context"

	"minibase/functions"
)

// openDBTriggers connects the functions' database triggers to the
// database's change feed: from then on the triggers' Refresh subscribes
// their collections, and runDBTriggers delivers the changes.
func (m *Main) openDBTriggers() {
	m.dbTriggers = functions.NewDBTriggers(m.functions, m.store)
	m.triggers.SetDatabase(m.dbTriggers)
}

// runDBTriggers delivers changes to database triggers until ctx ends or
// the returned stop is called (which waits for the invocations in
// progress). What was not delivered stays in the feed for the next start.
// Dropped changes (every attempt failed) go to the server log.
func (m *Main) runDBTriggers(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.dbTriggers.Run(ctx, func(err error) { m.log.Warn("database trigger", "err", err) })
	}()
	return func() { cancel(); <-done }
}
