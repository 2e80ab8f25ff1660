//go:build !race

package life

import "testing"

// The run, 256 × 256 for 10 generations, outside the race
// detector, which allows 8,128 goroutines alive at once: the cells
// variant needs 65,536.
func TestPerCell256(t *testing.T) {
	p := params(t, "size=256&generations=10&workers=4")
	for _, v := range variants {
		tr := trial(t, v.Name, p)
		if *tr.Got != *tr.Expected {
			t.Errorf("%s: got hash %d, want the reference's %d", v.Name, *tr.Got, *tr.Expected)
		}
		if v.Name != "cells" {
			continue
		}
		peak, _ := tr.Extra["peak_goroutines"].(int)
		per, _ := tr.Extra["stack_bytes_per_goroutine"].(float64)
		t.Logf("cells: %d goroutines at the barrier, %.0f stack bytes each, %.0f generations/s, %.0f KiB added", peak, per, tr.Extra["gens_per_s"], tr.Extra["memory_kib"])
		if peak < 256*256 {
			t.Errorf("cells: got %d peak goroutines, want at least 65,536", peak)
		}
		if per <= 0 || per > 16<<10 {
			t.Errorf("cells: got %.0f stack bytes per goroutine, want 1..16 KiB", per)
		}
	}
}
