package functions

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// Every block of IANA's special-purpose registries that is not globally
// reachable is refused, in each form an address can take: IPv4-mapped,
// IPv4-compatible and IPv4-translated IPv6, NAT64, 6to4 and Teredo.
func TestRefusedAddr(t *testing.T) {
	for _, c := range []struct{ addr, why string }{
		{"0.0.0.0", "this network"},
		{"0.0.0.1", "this network"},
		{"0.255.255.255", "this network"},
		{"10.1.2.3", "private"},
		{"100.64.0.1", "CGNAT"},
		{"100.127.255.255", "CGNAT"},
		{"127.0.0.1", "loopback"},
		{"127.255.0.1", "loopback"},
		{"169.254.169.254", "link-local"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.0.0.1", "IETF protocol assignments"},
		{"192.0.2.1", "documentation"},
		{"192.88.99.1", "6to4 relay anycast"},
		{"192.168.1.1", "private"},
		{"198.18.0.1", "benchmarking"},
		{"198.19.255.255", "benchmarking"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.255", "broadcast"},
		{"::", "unspecified"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:10.0.0.1", "private"},
		{"::ffff:0.0.0.1", "this network"},
		{"::127.0.0.1", "IPv4-compatible"},
		{"::ffff:0:127.0.0.1", "IPv4-translated"},
		{"64:ff9b::127.0.0.1", "loopback (127.0.0.1) inside IPv6"},
		{"64:ff9b::a9fe:a9fe", "link-local (169.254.169.254) inside IPv6"},
		{"64:ff9b:1::1", "local-use IPv4/IPv6 translation"},
		{"100::1", "discard-only"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"},
		{"2001:2::1", "IETF protocol assignments"},
		{"2001:db8::1", "documentation"},
		{"2002:7f00:1::1", "loopback (127.0.0.1) inside IPv6"},
		{"2002:c0a8:101::1", "private (192.168.1.1) inside IPv6"},
		{"2002:0:1::1", "this network (0.0.0.1) inside IPv6"},
		{"3fff::1", "documentation"},
		{"5f00::1", "SRv6"},
		{"fc00::1", "unique-local"},
		{"fd12:3456::1", "unique-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fec0::1", "site-local"},
		{"ff02::1", "multicast"},
		{"4000::1", "reserved"},
		// Globally reachable.
		{"1.1.1.1", ""},
		{"8.8.8.8", ""},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		{"172.32.0.1", ""},
		{"192.31.196.1", ""}, // AS112
		{"223.255.255.255", ""},
		{"::ffff:1.1.1.1", ""},
		{"64:ff9b::8.8.8.8", ""},
		{"2002:808:808::1", ""}, // 6to4 of 8.8.8.8
		{"2606:4700:4700::1111", ""},
		{"2620:4f:8000::1", ""}, // AS112
	} {
		a := netip.MustParseAddr(c.addr)
		got := refusedAddr(a)
		if c.why == "" && got != "" || c.why != "" && !strings.Contains(got, c.why) {
			t.Errorf("%s: refused as %q, want %q", c.addr, got, c.why)
		}
	}
}

// The check runs on the address actually dialled, after DNS and on every
// redirect hop: IPv4 forms through fetch itself (no packet leaves: the
// dialer refuses before connecting), IPv6 forms through the dialer's check
// (a test machine may have no IPv6 to dial with).
func TestFetchRefusesSpecialAddresses(t *testing.T) {
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	defer hop.Close()
	// 127.0.0.1 may be reached (the redirecting server), nothing else.
	rt, _ := newTestRuntime(t, Options{Fetch: FetchOptions{AllowPrivate: []string{"127.0.0.1"}}})
	port := hop.URL[strings.LastIndexByte(hop.URL, ':')+1:]
	for _, c := range []struct{ url, want string }{
		{"http://0.0.0.1:" + port + "/", "address 0.0.0.1 is not a public address (this network)"},
		{"http://0.1.2.3:" + port + "/", "address 0.1.2.3 is not a public address (this network)"},
		{"http://127.0.0.2:" + port + "/", "address 127.0.0.2 is not a public address (loopback)"},
		{"http://[::ffff:127.0.0.2]:" + port + "/", "address 127.0.0.2 is not a public address (loopback)"},
		{"http://100.64.0.1:" + port + "/", "(shared address space (CGNAT))"},
		{"http://198.18.0.1:" + port + "/", "(benchmarking)"},
		{"http://240.0.0.1:" + port + "/", "(reserved)"},
		{hop.URL + "/?to=" + "http://0.0.0.1:" + port + "/", "address 0.0.0.1 is not a public address (this network)"},
		{hop.URL + "/?to=" + "http://169.254.169.254/", "address 169.254.169.254 is not a public address (link-local)"},
	} {
		got, err := invoke(t, rt, userCtx, "fetcher", fmt.Sprintf(`{"url":%q}`, c.url))
		if e, _ := got.(map[string]any)["error"].(string); err != nil || !strings.Contains(e, c.want) {
			t.Errorf("%s: got %v, %v; want an error containing %q", c.url, got, err, c.want)
		}
	}
	for _, c := range []struct{ addr, want string }{
		{"[64:ff9b::7f00:1]:80", "loopback (127.0.0.1) inside IPv6"},
		{"[2002:7f00:1::1]:443", "loopback (127.0.0.1) inside IPv6"},
		{"[2001:0:4136:e378:8000:63bf:3fff:fdd2]:80", "Teredo"},
		{"[::7f00:1]:80", "IPv4-compatible"},
		{"[fd00::1]:80", "unique-local"},
		{"[fe80::1%lo]:80", "link-local"},
	} {
		if err := rt.fetch.checkConn("tcp6", c.addr, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("dial %s: %v, want a refusal naming %q", c.addr, err, c.want)
		}
	}
	if err := rt.fetch.checkConn("tcp6", "[2606:4700:4700::1111]:443", nil); err != nil {
		t.Errorf("a public IPv6 address: %v", err)
	}
}
