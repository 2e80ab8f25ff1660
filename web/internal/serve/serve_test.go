package serve

import (
	"net/http"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	l := NewRateLimit("joins", 60, 2) // one a second
	now := time.Now()
	l.Now = func() time.Time { return now }
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.Take("a"); ok != want {
			t.Errorf("take %d: got %v, want %v", i, ok, want)
		}
	}
	if ok, _ := l.Take("b"); !ok {
		t.Errorf("another client: refused, want its own bucket")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, wait := l.Take("a"); ok || wait < 499*time.Millisecond || wait > 501*time.Millisecond {
		t.Errorf("half a token back: got %v, wait %v, want refused, wait 500ms", ok, wait)
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.Take("a"); !ok {
		t.Errorf("a token back: refused")
	}
	now = now.Add(2 * time.Minute)
	l.Take("c")
	if len(l.buckets) != 1 {
		t.Errorf("after two minutes: %d buckets kept, want only c's (full ones are dropped)", len(l.buckets))
	}
}

func TestClientOf(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.1:1234":             "192.0.2.1",
		"[::ffff:192.0.2.1]:80":      "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:443": "2001:db8:1:2::/64",
		"not an address":             "not an address",
		"[2001:db8:1:3:3:4:5:6]:443": "2001:db8:1:3::/64",
		"[fe80::1%eth0]:8080":        "fe80::/64",
		"198.51.100.7:65535":         "198.51.100.7",
	} {
		r := &http.Request{RemoteAddr: addr}
		if got := ClientOf(r, nil); got != want {
			t.Errorf("ClientOf(%q): got %q, want %q", addr, got, want)
		}
	}
}
