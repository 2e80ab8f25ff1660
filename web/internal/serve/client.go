package serve

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"concurrencylab/lab/errs"
)

// ClientOf returns r's client: its IP address, or for IPv6 its /64 (one
// machine may hold a whole /64). If the connection comes from a trusted
// proxy, X-Forwarded-For is read from its end: the rightmost address that
// is not itself a trusted proxy is the client (every proxy appends the
// address it saw; addresses further left came from the client and may be
// made up).
func ClientOf(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap().WithZone("")
	if isTrusted(a, trusted) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a malformed hop: trust nothing left of it
			}
			hop = hop.Unmap().WithZone("")
			a = hop
			if !isTrusted(hop, trusted) {
				break
			}
		}
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParsePrefixes parses a comma-separated list of CIDR prefixes or single
// addresses (an address is its own /32 or /128), as -trusted-proxy takes.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, &prefixError{f}
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

type prefixError struct{ s string }

func (e *prefixError) Error() string {
	return "not a CIDR prefix or an address: " + errs.Truncate(e.s, MaxQuoted) + " (want such as 10.0.0.0/8 or 192.0.2.1)"
}
