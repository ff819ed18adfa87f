package server

import (
	"errors"
	"strconv"
	"time"
)

// consoleSettings are the admin console's settings.
func (c *Config) consoleSettings() []setting {
	return []setting{
		{env: "MINIBASE_SLOW_QUERY_MS", def: "100", usage: "queries, counts and aggregations taking this many milliseconds or more " +
			"are kept (the last 200) for the console's slow-query list (0: off)",
			set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n > 3_600_000 {
					return errors.New("must be a whole number of milliseconds from 0 to 3600000")
				}
				c.SlowQuery = time.Duration(n) * time.Millisecond
				return nil
			}},
	}
}
