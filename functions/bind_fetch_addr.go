package functions

import (
	"net/netip"
)

// specialRange is a block of addresses fetch refuses: one that is not
// globally reachable, from IANA's special-purpose address registries
// (iana-ipv4-special-registry, iana-ipv6-special-registry) and the
// multicast and reserved blocks of the address spaces.
type specialRange struct {
	prefix netip.Prefix
	name   string
}

func special(cidr, name string) specialRange {
	return specialRange{netip.MustParsePrefix(cidr), name}
}

// special4 are the IPv4 blocks fetch refuses. The registry's few globally
// reachable entries (AS112 and AMT anycast) are outside them; the anycast
// addresses inside 192.0.0.0/24 are refused with the rest of that block.
var special4 = []specialRange{
	special("0.0.0.0/8", "this network"),
	special("10.0.0.0/8", "private"),
	special("100.64.0.0/10", "shared address space (CGNAT)"),
	special("127.0.0.0/8", "loopback"),
	special("169.254.0.0/16", "link-local"),
	special("172.16.0.0/12", "private"),
	special("192.0.0.0/24", "IETF protocol assignments"),
	special("192.0.2.0/24", "documentation"),
	special("192.88.99.0/24", "6to4 relay anycast"),
	special("192.168.0.0/16", "private"),
	special("198.18.0.0/15", "benchmarking"),
	special("198.51.100.0/24", "documentation"),
	special("203.0.113.0/24", "documentation"),
	special("224.0.0.0/4", "multicast"),
	special("255.255.255.255/32", "broadcast"),
	special("240.0.0.0/4", "reserved"),
}

// special6 are the IPv6 blocks fetch refuses inside global unicast
// (2000::/3); everything outside it is refused too (globalUnicast), except
// NAT64's well-known prefix, which embeds an IPv4 address.
var special6 = []specialRange{
	special("2001::/32", "Teredo"),
	special("2001::/23", "IETF protocol assignments"),
	special("2001:db8::/32", "documentation"),
	special("3fff::/20", "documentation"),
}

// outside6 names the blocks outside global unicast, for the message.
var outside6 = []specialRange{
	special("::/128", "unspecified"),
	special("::1/128", "loopback"),
	special("::/96", "IPv4-compatible (deprecated)"),
	special("::ffff:0:0:0/96", "IPv4-translated"),
	special("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
	special("100::/64", "discard-only"),
	special("5f00::/16", "SRv6 SIDs"),
	special("fc00::/7", "unique-local"),
	special("fe80::/10", "link-local"),
	special("fec0::/10", "site-local (deprecated)"),
	special("ff00::/8", "multicast"),
}

var (
	globalUnicast = netip.MustParsePrefix("2000::/3")
	nat64         = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052: the last 32 bits are the IPv4 address
	sixToFour     = netip.MustParsePrefix("2002::/16")    // RFC 3056: bits 16-47 are the IPv4 address
)

// refusedAddr reports why fetch may not connect to a (unmapped: an
// IPv4-mapped IPv6 address is its IPv4 address): the kind of block it is
// in, or for an IPv6 address that embeds an IPv4 address (NAT64, 6to4),
// the embedded address's. "" means a globally reachable address.
func refusedAddr(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		for _, r := range special4 {
			if r.prefix.Contains(a) {
				return r.name
			}
		}
		return ""
	}
	a = a.WithZone("")
	if nat64.Contains(a) || sixToFour.Contains(a) {
		b := a.As16()
		var v4 netip.Addr
		if nat64.Contains(a) {
			v4 = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		} else {
			v4 = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		}
		if why := refusedAddr(v4); why != "" {
			return why + " (" + v4.String() + ") inside IPv6"
		}
		return ""
	}
	if !globalUnicast.Contains(a) {
		for _, r := range outside6 {
			if r.prefix.Contains(a) {
				return r.name
			}
		}
		return "reserved"
	}
	for _, r := range special6 {
		if r.prefix.Contains(a) {
			return r.name
		}
	}
	return ""
}
