package lab

import (
	"strconv"
	"strings"
)

// SweepVariant names the variant of family that a sweep runs with n
// workers, as a Planner plans it: "worker-pool/4".
func SweepVariant(family string, n int) string { return family + "/" + strconv.Itoa(n) }

// ParseSweep splits a sweep variant's name into its family and worker
// count; ok is false for a variant of the experiment's own list
// ("worker-pool") and for anything else that is not family/N with N ≥ 1.
func ParseSweep(name string) (family string, n int, ok bool) {
	family, count, cut := strings.Cut(name, "/")
	if !cut || family == "" {
		return name, 0, false
	}
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 || strconv.Itoa(n) != count {
		return name, 0, false
	}
	return family, n, true
}

// Baseline returns the variant the speedups are against: the one marked
// Baseline, or else the first, as the lab marks them; nil for none.
func (r *Result) Baseline() *VariantResult {
	for i := range r.Variants {
		if r.Variants[i].Baseline {
			return &r.Variants[i]
		}
	}
	if len(r.Variants) > 0 {
		return &r.Variants[0]
	}
	return nil
}
