package primes

// A sweep of worker counts as the verdicts read it: one approach's
// points, by workers.

import (
	"slices"

	"concurrencylab/lab"
)

// A point is one variant of a sweep: its worker count, speedup and the
// ideal speedup it reported (0 where it reported none).
type point struct {
	workers int
	speedup float64
	best    float64
}

// ideal returns the best speedup the point could reach: its own figure,
// or else the smaller of its workers and the cores.
func (pt point) ideal(procs int) float64 {
	if pt.best > 0 {
		return pt.best
	}
	return float64(min(pt.workers, procs))
}

// series returns the sweep variants of approach ("gil/1", "gil/2", ...) in
// order of worker count.
func series(r *lab.Result, approach string) []point {
	var ps []point
	for _, v := range r.Variants {
		if a, n, ok := lab.ParseSweep(v.Name); ok && a == approach {
			best, _ := lab.Number(v.Extra["ideal"])
			ps = append(ps, point{n, v.Speedup, best})
		}
	}
	slices.SortFunc(ps, func(a, b point) int { return a.workers - b.workers })
	return ps
}

// at returns the point with the given worker count.
func at(ps []point, workers int) (point, bool) {
	for _, pt := range ps {
		if pt.workers == workers {
			return pt, true
		}
	}
	return point{}, false
}

// workersOf returns the workers a variant ran with: from its figures, its
// name, or else the workers parameter.
func workersOf(v lab.VariantResult, p lab.Params) int {
	if w, ok := v.Extra["workers"].(float64); ok {
		return int(w)
	}
	if _, n, ok := lab.ParseSweep(v.Name); ok {
		return n
	}
	return p.Int("workers")
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
