package pixels

import (
	"fmt"
	"strings"

	"concurrencylab/lab"
)

// Verdict implements lab.Verdicter: whether every variant counted right,
// how the fastest compares with decoding alone and with the loop, and what
// goroutine-per-frame held, from the run's own figures.
func (e *Experiment) Verdict(r *lab.Result, p lab.Params, env lab.Env) string {
	var parts []string
	var counters []lab.VariantResult
	var wrong []string
	for _, v := range r.Variants {
		if v.Name == DecodeOnly {
			continue
		}
		counters = append(counters, v)
		if v.Correct != nil && !*v.Correct {
			wrong = append(wrong, v.Name)
		}
	}
	clip := p.String("clip")
	if len(counters) > 0 && counters[0].Expected != nil {
		frames := ""
		if f, ok := counters[0].Extra["frames"].(float64); ok {
			frames = fmt.Sprintf("'s %s frames", group(int64(f)))
		}
		if len(wrong) == 0 {
			parts = append(parts, fmt.Sprintf("Every variant counted %s blue pixels in %s%s, exactly as the sequential loop did.",
				group(*counters[0].Expected), clip, frames))
		} else {
			parts = append(parts, fmt.Sprintf("%s did not count the %s blue pixels of %s in every trial: please report this run.",
				strings.Join(wrong, ", "), group(*counters[0].Expected), clip))
		}
	}
	best := -1
	for i, v := range counters {
		if v.MedianMs > 0 && (best < 0 || v.MedianMs < counters[best].MedianMs) {
			best = i
		}
	}
	decode := r.Variant(DecodeOnly)
	switch {
	case best >= 0 && decode != nil && decode.MedianMs > 0:
		b := counters[best]
		ratio := b.MedianMs / decode.MedianMs
		how := "no faster than one decoder allows: counting can only hide behind decoding"
		if ratio < 1 {
			how = "faster than one decoder can go, because several decoded at once"
		} else if ratio < 1.1 {
			how = "within 10% of decoding alone: counting hid almost entirely behind decoding"
		}
		parts = append(parts, fmt.Sprintf("Decoding alone took %.0f ms; the fastest counter, %s, took %.0f ms (%.2f× decode-only, %.2f× the sequential loop's speed), %s.",
			decode.MedianMs, b.Name, b.MedianMs, ratio, b.Speedup, how))
	case best >= 0:
		b := counters[best]
		parts = append(parts, fmt.Sprintf("The fastest counter was %s: %.0f ms, %.2f× the sequential loop's speed.", b.Name, b.MedianMs, b.Speedup))
	}
	if g := r.Variant(GoroutinePerFrame); g != nil {
		if held, ok := g.Extra["peak_frames_held"].(float64); ok {
			parts = append(parts, fmt.Sprintf("goroutine-per-frame held up to %s decoded frames at once (%.0f MB).",
				group(int64(held)), g.Extra["peak_held_mb"]))
		}
	}
	return strings.Join(parts, " ")
}

// group writes n with thousands separators: 545,888.
func group(n int64) string {
	if n < 0 {
		return "-" + group(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
