package pixels

import (
	"fmt"
	"math"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// details says whether every variant counted right,
// how the fastest compares with decoding alone and with the loop, and what
// goroutine-per-frame held, from the run's own figures.
func (e *Experiment) details(r *lab.Result, p lab.Params, env lab.Env) string {
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
	clip := e.clips.Title(p.String("clip")) // an upload by the name it came with
	base := baseline(r)
	if len(counters) > 0 && counters[0].Expected != nil {
		frames := ""
		if f, ok := counters[0].Extra["frames"].(float64); ok {
			frames = fmt.Sprintf("'s %s frames", lab.Group(int64(f)))
		}
		// The right answer always comes from the sequential loop, run once
		// outside the timing; say so plainly when it was not also timed.
		as := "exactly as the sequential loop did"
		if r.Variant(Sequential) == nil {
			as = "exactly as the sequential loop did when run once, untimed, for the right answer"
		}
		if len(wrong) == 0 {
			parts = append(parts, fmt.Sprintf("Every variant counted %s blue pixels in %s%s, %s.",
				lab.Group(*counters[0].Expected), clip, frames, as))
		} else {
			parts = append(parts, fmt.Sprintf("%s did not count the %s blue pixels of %s in every trial: please report this run.",
				strings.Join(wrong, ", "), lab.Group(*counters[0].Expected), clip))
		}
	}
	best := -1
	for i, v := range counters {
		if v.MedianMs > 0 && (best < 0 || v.MedianMs < counters[best].MedianMs) {
			best = i
		}
	}
	// speed is the fastest's speedup against the baseline, naming it.
	speed := func(b lab.VariantResult) string {
		if base == "" {
			return ""
		}
		if b.Name == base {
			return fmt.Sprintf("%s is the baseline", base)
		}
		return fmt.Sprintf("%.2f× %s's speed", b.Speedup, base)
	}
	decode := r.Variant(DecodeOnly)
	switch {
	case best >= 0 && decode != nil && decode.MedianMs > 0:
		b := counters[best]
		ratio := vsDecode(b, *decode)
		how := "no faster than one decoder allows: counting can only hide behind decoding"
		switch {
		case ratio < 1 && decodedInParallel(b):
			how = "faster than one decoder can go, because several decoded at once"
			if n, ok := b.Extra["segments"].(float64); ok {
				how = fmt.Sprintf("faster than one decoder can go, because %d decoders shared %s",
					int(n), prose.Plural(env.Cores(), "core"))
			}
		case ratio < 0.9:
			// One decoder cannot beat decoding alone by this much.
			how = "faster than decoding alone, which a single decoder cannot really be: decode-only's trials were slowed, so they are no fair yardstick in this run; run it again"
		case ratio < 1:
			// One decoder cannot beat decoding alone: this is noise.
			how = fmt.Sprintf("within noise of decoding alone (%.2f× its time): counting hid entirely behind decoding", ratio)
		case decodedInParallel(b):
			how = "no faster than one decoder alone, although several decoded at once"
			if n, ok := b.Extra["segments"].(float64); ok {
				how = fmt.Sprintf("no faster than one decoder alone, although %d decoders shared %s",
					int(n), prose.Plural(env.Cores(), "core"))
			}
			how += ": they compete with each other for the run's cores, and for the memory bus and caches with anything else this machine runs"
		case ratio < 1.1:
			how = "within 10% of decoding alone: counting hid almost entirely behind decoding"
		}
		figures := fmt.Sprintf("%.2f× decode-only", ratio)
		if base != DecodeOnly {
			if s := speed(b); s != "" {
				figures += ", " + s
			}
		}
		parts = append(parts, fmt.Sprintf("Decoding alone took %.0f ms; the fastest counter, %s, took %.0f ms (%s), %s.",
			decode.MedianMs, b.Name, b.MedianMs, figures, how))
	case best >= 0:
		b := counters[best]
		s := speed(b)
		if s != "" {
			s = ", " + s
		}
		parts = append(parts, fmt.Sprintf("The fastest counter was %s: %.0f ms%s.", b.Name, b.MedianMs, s))
	}
	if best >= 0 {
		if s := machineLimit(counters[best], env); s != "" {
			parts = append(parts, s)
		}
	}
	if d := r.Variant(DecodeOnly); d != nil && d.CPUMs > 0 && d.MedianMs > 0 {
		used := d.CPUMs / d.MedianMs
		threads := "FFmpeg decoded on one thread"
		if used >= 1.3 {
			threads = "FFmpeg decoded on several threads"
		}
		parts = append(parts, fmt.Sprintf("Decoding alone kept %.1f cores busy (%.0f ms of CPU time in %.0f ms): %s.", used, d.CPUMs, d.MedianMs, threads))
	}
	if g := r.Variant(GoroutinePerFrame); g != nil {
		if held, ok := g.Extra["peak_frames_held"].(float64); ok {
			parts = append(parts, fmt.Sprintf("goroutine-per-frame held up to %s decoded frames at once (%.0f MiB).",
				lab.Group(int64(held)), g.Extra["peak_held_mb"]))
		}
	}
	return strings.Join(parts, " ")
}

// machineLimit compares b's time with the machine's limit: all its CPU
// work spread evenly over the run's cores (the table's limit_ms).
func machineLimit(b lab.VariantResult, env lab.Env) string {
	limit, ok := lab.Number(b.Extra["limit_ms"])
	if !ok || limit <= 0 || b.MedianMs <= 0 {
		return ""
	}
	s := fmt.Sprintf("All of %s's CPU work (%.0f ms of CPU time) spread over %s could not take less than %.0f ms; it took %.0f ms",
		b.Name, b.CPUMs, prose.Plural(env.Cores(), "core"), limit, b.MedianMs)
	if b.MedianMs <= 1.15*limit {
		return s + ": it ran at the machine's limit."
	}
	return s + fmt.Sprintf(", %.2f× the limit: the cores were not all busy all the time.", b.MedianMs/limit)
}

// vsDecode is b's time over decode-only's: the table's vs_decode figure
// (the median of the trials' ratios), so the verdict and the table give
// one number; the ratio of the medians only where the figure is missing.
func vsDecode(b, decode lab.VariantResult) float64 {
	if x, ok := lab.Number(b.Extra["vs_decode"]); ok && x > 0 {
		return x
	}
	return b.MedianMs / decode.MedianMs
}

// Judge implements lab.Judge: the headline answers the lesson's question,
// how close the fastest counter came to one decoder's speed, in the
// table's figures, and claims faster or slower than the baseline only
// where the speedup's interval excludes 1; the details are details'.
func (e *Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	details = e.details(r, p, env)
	var b *lab.VariantResult
	for i, v := range r.Variants {
		if v.Name != DecodeOnly && v.MedianMs > 0 && (b == nil || v.MedianMs < b.MedianMs) {
			b = &r.Variants[i]
		}
	}
	if b == nil {
		return details, ""
	}
	headline = fmt.Sprintf("The fastest counter was %s, %.0f ms a trial", b.Name, b.MedianMs)
	if d := r.Variant(DecodeOnly); d != nil && d.MedianMs > 0 {
		headline += fmt.Sprintf(", %.2f× decode-only's time", vsDecode(*b, *d))
	}
	switch {
	case b.Baseline || baseline(r) == "":
	case b.Speedup == 0: // a wrong count has no speedup
		headline += fmt.Sprintf(", but no speedup over %s: %s", baseline(r), b.SpeedupWithheld)
	default:
		switch c := lab.Compare(*b); c {
		case lab.Faster, lab.Slower:
			headline += fmt.Sprintf(", %s than %s (%.2f×)", c, baseline(r), b.Speedup)
		default:
			headline += fmt.Sprintf(", %.2f× %s's speed: %s", b.Speedup, baseline(r), c)
		}
	}
	return headline + ".", details
}

// baseline is the name of the variant r marks as the baseline (lab's
// setSpeedups: sequential if it ran, else the first variant). A result
// with no variant marked is taken as setSpeedups would mark it.
func baseline(r *lab.Result) string {
	b := r.Baseline()
	switch {
	case b != nil && b.Baseline:
		return b.Name
	case r.Variant(Sequential) != nil:
		return Sequential
	case b != nil:
		return b.Name
	}
	return ""
}

// decodedInParallel reports whether v is parallel-decode that really
// decoded with several decoders: it did not fall back to one (in its
// typical trial; lab keeps the median of each figure) and had more than one
// segment. A result without those figures is taken at its name.
func decodedInParallel(v lab.VariantResult) bool {
	if v.Name != ParallelDecode {
		return false
	}
	if f, ok := v.Extra["fallback"].(float64); ok && f != 0 {
		return false
	}
	if n, ok := v.Extra["segments"].(float64); ok && n <= 1 {
		return false
	}
	return true
}

// Summarize implements lab.Summarizer: a variant's vs_decode is its
// median time over decode-only's, the two medians the table shows, so the
// column and the verdict agree with them. (Each trial keeps its own
// ratio to the decode-only trial of its round.)
func (e *Experiment) Summarize(r *lab.Result, p lab.Params) {
	d := r.Variant(DecodeOnly)
	if d == nil || d.MedianMs <= 0 {
		return
	}
	for i := range r.Variants {
		v := &r.Variants[i]
		if v.MedianMs <= 0 {
			continue
		}
		if v.Extra == nil {
			v.Extra = map[string]any{}
		}
		v.Extra["vs_decode"] = math.Round(v.MedianMs/d.MedianMs*100) / 100 // as the table shows it
	}
}
