//go:build !race

package waits

import "testing"

// The runs, outside the race detector, which allows 8,128
// goroutines alive at once. Times are logged, not asserted: a wait can
// only be late, never early, so only the ideal bounds them from below.
func TestMany(t *testing.T) {
	each := trial(t, "goroutines", params(t, "n=100000&latency=50ms&variants=goroutines"))
	t.Logf("goroutines, N = 100,000, 50ms: %s, %v waits at once, %v goroutines, %.0f stack bytes each, %.1f KiB RSS per 1,000 waits, %.0f MiB RSS",
		each.Elapsed, each.Extra["waits_at_once"], each.Extra["peak_goroutines"], each.Extra["stack_bytes_per_goroutine"], each.Extra["rss_kib_per_1000"], each.Extra["rss_mib"])
	// Starting 100,000 goroutines can take longer than the 50ms the first
	// ones wait, so not all of them need be alive at once: the bound is N.
	if g, at := each.Extra["peak_goroutines"].(int), each.Extra["waits_at_once"].(int64); g < 1 || g > 100_000+8 || at < 1 || at > 100_000 {
		t.Errorf("goroutines: got %d peak goroutines and %d waits at once, want 1..100,000", g, at)
	}
	if s, _ := each.Extra["stack_bytes_per_goroutine"].(float64); s <= 0 || s > 16<<10 {
		t.Errorf("goroutines: got %.0f stack bytes each, want 1..16 KiB", s)
	}
	pool := trial(t, "pool", params(t, "n=10000&latency=50ms&workers=100&variants=pool"))
	t.Logf("pool of 100, N = 10,000, 50ms: %s (ideal 5s, %.3f×)", pool.Elapsed, pool.Extra["vs_ideal"])
	if x := pool.Extra["vs_ideal"].(float64); x < 1 {
		t.Errorf("pool: got %.2f× the ideal, want at least 1: 100 rounds of 50ms cannot take less than 5 s", x)
	}
	big := trial(t, "pool", params(t, "n=1000000&latency=50ms&workers=10000&variants=pool"))
	t.Logf("pool of 10,000, N = 1,000,000, 50ms: %s, %.0f MiB RSS, %v goroutines", big.Elapsed, big.Extra["rss_mib"], big.Extra["peak_goroutines"])
	if g := big.Extra["peak_goroutines"].(int); g > 10_000+10 {
		t.Errorf("pool: got %d peak goroutines, want about 10,000 whatever N", g)
	}
}
