package processes

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"concurrencylab/experiments/internal/helper"
	"concurrencylab/lab"
)

// A dataset is the data the pipes carry and its digests, computed in this
// process outside the timed region: the single-process results.
type dataset struct {
	mib            int
	data           []byte
	hash, pipeline string // SHA-256 of the data, and of the data encrypted
}

// dataOf returns the dataset of mib MiB, made once.
func (e *Experiment) dataOf(mib int) (*dataset, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.data != nil && e.data.mib == mib {
		return e.data, nil
	}
	e.data = nil // the old one's memory may go first
	d := &dataset{mib: mib, data: make([]byte, mib<<20)}
	rng := rand.NewChaCha8([32]byte{'l', 'a', 'b'})
	rng.Read(d.data)
	var err error
	if d.hash, err = hashStream(bytes.NewReader(d.data)); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(encryptStream(pw, bytes.NewReader(d.data))) }()
	if d.pipeline, err = hashStream(pr); err != nil {
		return nil, err
	}
	e.data = d
	return d, nil
}

// roundsOf returns the rounds of compute that take about d on one core,
// measured once.
func (e *Experiment) roundsOf(d time.Duration) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n, ok := e.rounds[d]; ok {
		return n
	}
	n := roundsFor(d)
	e.rounds[d] = n
	return n
}

// Trial implements lab.Experiment: the variant, timed, with the CPU time
// of this process and of the children it waited for; the data and the
// work's size are made before the timing.
func (e *Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	v, ok := lab.Lookup(variants, variant)
	if !ok {
		return lab.Trial{}, fmt.Errorf("processes: unknown variant %q", variant)
	}
	j := &Job{K: p.Int("children"), Kind: p.String("work"), Amount: p.Duration("duration"),
		Deadline: p.Duration("deadline"), Grace: p.Duration("grace"), ctx: ctx, em: em}
	var ds *dataset
	switch variant {
	case "pipe-goroutine", "pipe-child", "pipeline":
		var err error
		if ds, err = e.dataOf(p.Int("megabytes")); err != nil {
			return lab.Trial{}, err
		}
		j.Data = ds.data
	case "one-by-one", "all-at-once", "goroutines":
		if j.Kind == "compute" {
			j.Rounds = e.roundsOf(j.Amount)
		}
	}
	c0, k0, t0 := lab.CPUTime(), helper.ChildrenCPU(), time.Now()
	err := v.run(j)
	elapsed := time.Since(t0)
	cpu := lab.CPUTime() - c0 + helper.ChildrenCPU() - k0
	if ctx.Err() != nil {
		return lab.Trial{}, ctx.Err()
	}
	if err != nil {
		return lab.Trial{}, fmt.Errorf("processes: %s: %w", variant, err)
	}
	extra := map[string]any{}
	tr := lab.Trial{Elapsed: elapsed, CPU: cpu, Extra: extra}
	switch variant {
	case "one-by-one", "all-at-once", "goroutines":
		want := int64(j.K)
		got := want // goroutines cannot fail
		if variant != "goroutines" {
			got = int64(j.ok)
			if len(j.starts) > 0 {
				extra["start_ms"] = ms(median(j.starts))
			}
		}
		tr.Expected, tr.Got = &want, &got
		if variant == "one-by-one" {
			extra["one_child_ms"] = ms(elapsed) / float64(j.K)
		}
	case "timeout":
		extra["killed_after_ms"] = ms(j.KilledAfter)
		extra["exit"] = j.Exit
		tr.Expected, tr.Got = lab.Int64(1), lab.Int64(0)
		if j.Gone {
			tr.Got = lab.Int64(1)
		}
	default:
		want := ds.hash
		if variant == "pipeline" {
			want = ds.pipeline
		}
		extra["mib_per_s"] = float64(ds.mib) / elapsed.Seconds()
		extra["digest"] = short(j.Digest)
		extra["reference"] = short(want)
		tr.Expected, tr.Got = lab.Int64(1), lab.Int64(0)
		if j.Digest == want {
			tr.Got = lab.Int64(1)
		}
	}
	return tr, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// short is a digest's first 16 hex digits, as the page shows it.
func short(digest string) string { return digest[:min(16, len(digest))] }

// Summarize implements lab.Summarizer: each variant's time over one
// child's, the one-by-one median ÷ K, for the variants that do K works;
// the pipes and the timeout do other work than the baseline, so a
// speedup over it would say nothing and they have none.
func (e *Experiment) Summarize(r *lab.Result, p lab.Params) {
	for _, name := range []string{"pipe-goroutine", "pipe-child", "pipeline", "timeout"} {
		if v := r.Variant(name); v != nil && !v.Baseline {
			v.Speedup, v.SpeedupCI = 0, nil
			v.SpeedupWithheld = "it does other work than the baseline's K children"
		}
	}
	one := r.Variant("one-by-one")
	if one == nil || one.MedianMs <= 0 {
		return
	}
	per := one.MedianMs / float64(p.Int("children"))
	for _, name := range []string{"one-by-one", "all-at-once", "goroutines"} {
		if v := r.Variant(name); v != nil && v.MedianMs > 0 {
			if v.Extra == nil {
				v.Extra = map[string]any{}
			}
			v.Extra["vs_one"] = roundTo(v.MedianMs/per, 2)
		}
	}
}

func roundTo(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
