package workshop

import (
	"net"
	"net/http"
	"slices"
	"strings"

	"concurrencylab/web/templates"
)

// joinOrigin is the scheme and host of the links learners follow: the
// public URL if the server has one, else the address the request came to.
func (s *Server) joinOrigin(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	return origin(r)
}

// joinHost is what to type to join: the join origin without its scheme,
// then /sessions ("lab.example.org:8080/sessions").
func (s *Server) joinHost(r *http.Request) string {
	o := s.joinOrigin(r)
	if i := strings.Index(o, "://"); i >= 0 {
		o = o[i+3:]
	}
	return o + "/sessions"
}

// reach says, for a console opened at a loopback address (localhost,
// 127.0.0.1, ::1) on a server with no public URL, that the join link and
// QR code point at this machine only, and offers the machine's other
// addresses to open the console at instead. nil when the link is fine.
func (s *Server) reach(r *http.Request, code string) *templates.JoinReach {
	if s.publicURL != "" || !loopbackHost(r.Host) {
		return nil
	}
	_, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		port = "" // the scheme's default port
	}
	rc := &templates.JoinReach{Host: r.Host, Port: port}
	var ips []net.IP
	if s.listen != nil {
		if ta, ok := s.listen.(*net.TCPAddr); ok {
			switch {
			case ta.IP.IsLoopback():
				rc.LoopbackOnly = true
				return rc
			case !ta.IP.IsUnspecified() && ta.IP != nil:
				ips = []net.IP{ta.IP} // listening on one address: only it reaches the server
			}
		}
	}
	if ips == nil {
		ips = s.lanIPs()
	}
	scheme := strings.SplitN(origin(r), "://", 2)[0]
	for _, ip := range ips {
		host := ip.String()
		switch {
		case port != "":
			host = net.JoinHostPort(host, port)
		case ip.To4() == nil:
			host = "[" + host + "]"
		}
		rc.Choices = append(rc.Choices, templates.ReachChoice{
			Host: host, Console: scheme + "://" + host + "/sessions/" + code + "/console",
		})
	}
	return rc
}

// loopbackHost reports whether a Host header names this machine only.
func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.Trim(hostport, "[]")
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// maxLANChoices is the most addresses the console offers.
const maxLANChoices = 6

// lanIPs returns this machine's addresses that other machines on its
// networks may reach: IPv4 first, then global IPv6; no loopback or
// link-local ones.
func lanIPs() []net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var v4, v6 []net.IP
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip := n.IP
		if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
			continue
		}
		if ip4 := ip.To4(); ip4 != nil {
			v4 = append(v4, ip4)
		} else if ip.IsGlobalUnicast() {
			v6 = append(v6, ip)
		}
	}
	all := slices.Concat(v4, v6)
	return all[:min(len(all), maxLANChoices)]
}
