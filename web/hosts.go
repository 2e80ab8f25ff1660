package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"

	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/serve"
)

// Hosts is the set of names and addresses a request's Host may give: a
// page served under any other name may be a DNS-rebinding page driving a
// lab on a learner's machine or a LAN, so such a request gets 421.
type Hosts struct {
	names map[string]bool     // lower case, no port, no trailing dot
	addrs map[netip.Addr]bool // unmapped
	any   func() []netip.Addr // the machine's addresses, when listening on all of them
}

// HostsOf returns the hosts of a server whose join links use publicURL
// (may be empty), listening on listen (may be nil), plus extra names or
// addresses (-allowed-hosts). Always allowed: loopback names and
// addresses, the machine's host name and its .local name, and the
// addresses the server listens on (every address of the machine if it
// listens on all of them).
func HostsOf(publicURL string, listen net.Addr, extra []string) *Hosts {
	h := &Hosts{names: map[string]bool{"localhost": true}, addrs: map[netip.Addr]bool{}}
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		h.add(u.Hostname())
	}
	if name, err := os.Hostname(); err == nil && name != "" {
		h.add(name)
		short, _, _ := strings.Cut(name, ".")
		h.add(short + ".local")
	}
	for _, e := range extra {
		h.add(e)
	}
	if ta, ok := listen.(*net.TCPAddr); ok {
		if a, ok := netip.AddrFromSlice(ta.IP); ok && !a.Unmap().IsUnspecified() {
			h.addrs[a.Unmap()] = true
		} else {
			h.any = interfaceAddrs
		}
	}
	return h
}

// CheckHostList checks -allowed-hosts: comma-separated host names or
// addresses, without scheme, port or path. It returns them.
func CheckHostList(list string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if _, err := netip.ParseAddr(strings.Trim(f, "[]")); err != nil && !validHostName(f) {
			return nil, fmt.Errorf("not a host name or an address: %q (want such as lab.example.org or 192.0.2.1, without scheme or port)", errs.Truncate(f, serve.MaxQuoted))
		}
		out = append(out, f)
	}
	return out, nil
}

// validHostName reports whether s is a DNS name: letters, digits,
// hyphens and dots, labels of 1 to 63 bytes.
func validHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func (h *Hosts) add(host string) {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if a, err := netip.ParseAddr(host); err == nil {
		h.addrs[a.Unmap().WithZone("")] = true
		return
	}
	h.names[host] = true
}

// Allows reports whether a request whose Host header is host, that came
// in at local (the address of the connection's server end, may be nil),
// is for this server.
func (h *Hosts) Allows(host string, local net.Addr) bool {
	if name, _, err := net.SplitHostPort(host); err == nil {
		host = name
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	a, err := netip.ParseAddr(host)
	if err != nil {
		return h.names[host] || strings.HasSuffix(host, ".localhost")
	}
	a = a.Unmap().WithZone("")
	if a.IsLoopback() || h.addrs[a] {
		return true
	}
	// An address literal names no site, so no rebinding page can use
	// it: the address the request came to is this server's.
	if ta, ok := local.(*net.TCPAddr); ok {
		if l, ok := netip.AddrFromSlice(ta.IP); ok && l.Unmap() == a {
			return true
		}
	}
	if h.any != nil {
		for _, x := range h.any() {
			if x == a {
				return true
			}
		}
	}
	return false
}

// interfaceAddrs lists the machine's addresses.
func interfaceAddrs() []netip.Addr {
	as, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, x := range as {
		if n, ok := x.(*net.IPNet); ok {
			if a, ok := netip.AddrFromSlice(n.IP); ok {
				out = append(out, a.Unmap())
			}
		}
	}
	return out
}

// AllowHosts makes the server answer only requests whose Host is one of
// h's; others get 421 Misdirected Request with a message naming the host.
// Without it, every Host is answered (tests that build requests by hand).
func AllowHosts(h *Hosts) Option { return func(s *Server) { s.hosts = h } }

// checkHost refuses a request for a host that is not this server's.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if s.hosts.Allows(r.Host, local) {
			next.ServeHTTP(w, r)
			return
		}
		msg := fmt.Sprintf("this server does not answer to the host %q: open it at the address its operator gave, "+
			"or start it with -allowed-hosts naming that host", errs.Truncate(r.Host, serve.MaxQuoted))
		if r.Host == "" {
			msg = "the request names no host (Host header): this server answers only requests for its own names"
		}
		if serve.WantsJSON(r) {
			serve.Error(w, http.StatusMisdirectedRequest, msg)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusMisdirectedRequest)
		fmt.Fprintln(w, msg)
	})
}

// healthFirst answers GET /healthz before any other middleware, limit or
// lock the rest of the site takes, so a flood of other requests does
// not slow the answer a load balancer waits for.
func (s *Server) healthFirst(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.health(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
