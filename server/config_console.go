package server

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"time"

	"minibase/db/postgres"
	"minibase/db/sqlite"
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

// ConsoleValue is a setting saved from the admin console: it wins over
// the flag, the variable and the file of Env (when it stands for one).
type ConsoleValue struct {
	Key   string // the console's key: auth.wechat.appId
	Env   string // the variable whose value it replaces; "" when none
	Value string // as JSON; a secret masked (MaskSecret)
}

// ConsoleSaved reads the settings saved from the admin console in cfg's
// database (<dir>/data.db, or PostgreSQL's), without writing to it (a
// server may be running on it), in the console's order; none when nothing
// was saved or there is no database yet.
func ConsoleSaved(ctx context.Context, cfg Config) ([]ConsoleValue, error) {
	var doc []byte
	var err error
	if cfg.Postgres() {
		doc, err = postgres.ReadSettings(ctx, cfg.Database)
	} else {
		doc, err = sqlite.ReadSettings(ctx, filepath.Join(cfg.Dir, "data.db"))
	}
	if err != nil {
		return nil, err
	}
	saved, err := decodeSaved(doc)
	if err != nil {
		return nil, err
	}
	var out []ConsoleValue
	for _, def := range consoleSettings {
		v, ok := saved[def.key]
		if !ok {
			continue
		}
		text := ""
		if s, isString := v.(string); def.kind == kindSecret && isString {
			text = MaskSecret(s)
		} else {
			raw, _ := json.Marshal(v)
			text = string(raw)
		}
		out = append(out, ConsoleValue{Key: def.key, Env: def.env, Value: text})
	}
	return out, nil
}
