package server

import (
	"fmt"
	"strconv"
	"strings"

	"minibase/auth"
)

// RateConfig is the request rate limits' part of Config: a token bucket
// per client address (an IPv6 /64) and one per signed-in end user, for
// each group of end-user endpoints (ratelimit.go). Admin keys and admin
// tokens are not limited.
type RateConfig struct {
	DB        GroupRate
	Storage   GroupRate
	Functions GroupRate
	Auth      GroupRate
	Watch     GroupRate
	// MaxKeys caps the addresses (and, apart, the users) each group tracks;
	// 0: maxRateKeys. For tests.
	MaxKeys int
}

// GroupRate is one group's limits: IP.N requests per IP.Per for each client
// address, in bursts of up to IPBurst, and the same per end user. A zero
// rate is no limit.
type GroupRate struct {
	IP, User           auth.Rate
	IPBurst, UserBurst int
}

// rateGroups names the groups, as MINIBASE_RATE_<NAME> spells them, with
// the defaults: far above what one user of a mini-program, or the users
// behind one carrier NAT, send (a page that loads 20 images, a list that
// pages quickly), far below a flood.
var rateGroups = []struct {
	name, routes, def string
}{
	{"DB", "database: /v1/db/… (queries, documents, transactions)", "ip=1000/s,ip_burst=2000,user=100/s,user_burst=300"},
	{"STORAGE", "storage: /v1/storage/… (uploads, temporary URLs, downloads) and files at /f/…", "ip=1000/s,ip_burst=2000,user=100/s,user_burst=300"},
	{"FUNCTIONS", "functions: /v1/functions/{name}/invoke and HTTP access at /fn/…", "ip=500/s,ip_burst=1000,user=50/s,user_burst=150"},
	{"AUTH", "auth: /v1/auth/… (sign-in has its own limits too, MINIBASE_RATE_SIGNIN)", "ip=200/s,ip_burst=400,user=20/s,user_burst=60"},
	{"WATCH", "realtime watch: WebSocket connects at /v1/db/{coll}/watch", "ip=50/s,ip_burst=100,user=5/s,user_burst=30"},
}

// defaultRates is every group at its default, the limits a
// MINIBASE_RATE_<GROUP> value changes.
func defaultRates() RateConfig {
	var c RateConfig
	for _, g := range rateGroups {
		if err := c.group(g.name).Parse(g.def); err != nil {
			panic("server: default of MINIBASE_RATE_" + g.name + ": " + err.Error())
		}
	}
	return c
}

// group returns the GroupRate of the group named name (one of rateGroups).
func (c *RateConfig) group(name string) *GroupRate {
	switch name {
	case "DB":
		return &c.DB
	case "STORAGE":
		return &c.Storage
	case "FUNCTIONS":
		return &c.Functions
	case "AUTH":
		return &c.Auth
	case "WATCH":
		return &c.Watch
	}
	panic("server: no rate group " + name)
}

func (c *RateConfig) settings() []setting {
	var s []setting
	for _, g := range rateGroups {
		dst := c.group(g.name)
		s = append(s, setting{env: "MINIBASE_RATE_" + g.name, def: g.def,
			usage: "request rate limits of " + g.routes + ": ip=N/unit and user=N/unit (unit s, m, h), ip_burst and user_burst " +
				"(default: N), each optional, or off; beyond, 429 EXCEED_REQUEST_LIMIT with Retry-After",
			set: func(v string) error { return dst.Parse(v) }})
	}
	return s
}

// maxRateValue is the largest N of a rate and the largest burst.
const maxRateValue = 1_000_000

// Parse applies v to r: "off" (no limit), or comma-separated items
// ip=N/unit, ip_burst=N, user=N/unit, user_burst=N, each optional (what v
// does not name keeps its value). A rate is N requests per unit (s, m, h,
// or a Go duration from 1s to 24h: 10/5s) or off; a rate given without
// its burst gets a burst of N. The errors say what a value must be.
func (r *GroupRate) Parse(v string) error {
	if strings.TrimSpace(v) == "off" {
		*r = GroupRate{}
		return nil
	}
	if len(v) > 256 {
		return fmt.Errorf("must be at most 256 characters, got %d", len(v))
	}
	next := *r
	var ipBurst, userBurst int // given as items: they win over a rate's N, whatever the order
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || val == "" {
			return fmt.Errorf("must be items like ip=100/s,user=10/s,ip_burst=200 (or off), got item %q", item)
		}
		switch key {
		case "ip", "user":
			rate, err := auth.ParseRate(val)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if key == "ip" {
				next.IP, next.IPBurst = rate, rate.N
			} else {
				next.User, next.UserBurst = rate, rate.N
			}
		case "ip_burst", "user_burst":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > maxRateValue {
				return fmt.Errorf("%s must be a number from 1 to %d, got %q", key, maxRateValue, val)
			}
			if key == "ip_burst" {
				ipBurst = n
			} else {
				userBurst = n
			}
		default:
			return fmt.Errorf("has no item %q (have ip, ip_burst, user, user_burst)", key)
		}
	}
	if ipBurst > 0 {
		next.IPBurst = ipBurst
	}
	if userBurst > 0 {
		next.UserBurst = userBurst
	}
	*r = next
	return nil
}

// String writes r as Parse reads it.
func (r GroupRate) String() string {
	if r.IP.N <= 0 && r.User.N <= 0 {
		return "off"
	}
	var items []string
	if r.IP.N > 0 {
		items = append(items, "ip="+rateText(r.IP), "ip_burst="+strconv.Itoa(r.IPBurst))
	}
	if r.User.N > 0 {
		items = append(items, "user="+rateText(r.User), "user_burst="+strconv.Itoa(r.UserBurst))
	}
	return strings.Join(items, ",")
}

// rateText writes a rate as ParseRate reads it (10/s, 5/m, 3/10s).
func rateText(r auth.Rate) string {
	switch r.Per {
	case 1e9:
		return strconv.Itoa(r.N) + "/s"
	case 60e9:
		return strconv.Itoa(r.N) + "/m"
	case 3600e9:
		return strconv.Itoa(r.N) + "/h"
	}
	return strconv.Itoa(r.N) + "/" + r.Per.String()
}
