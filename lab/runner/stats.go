package runner

import (
	"concurrencylab/lab"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// A run's statistics: each variant's trials summarised (median, range,
// wrong answers), speedups over the baseline and their intervals.

// summarize fills a VariantResult from its trials.
func summarize(name string, trials []lab.TrialResult) lab.VariantResult {
	v := lab.VariantResult{Name: name, Trials: trials, Peaks: map[string]any{}}
	if len(trials) == 0 {
		return v
	}
	ms := make([]float64, len(trials))
	cpu := make([]float64, len(trials))
	var gots []float64
	correct := true
	checked := false
	wrong := 0
	var worst *int64
	for i, t := range trials {
		ms[i], cpu[i] = t.Ms, t.CPUMs
		if t.Got != nil {
			gots = append(gots, float64(*t.Got))
		}
		if c := t.Correct(); c != nil {
			checked = true
			correct = correct && *c
			if !*c {
				wrong++
				if worst == nil || absDiff(*t.Got, *t.Expected) > absDiff(*worst, *t.Expected) {
					worst = lab.Int64(*t.Got)
				}
			}
		}
		if t.Expected != nil {
			v.Expected = t.Expected
		}
	}
	v.MedianMs, v.MinMs, v.MaxMs = lab.Median(ms), slices.Min(ms), slices.Max(ms)
	v.CPUMs = round3(lab.Median(cpu))
	v.Extra = medianExtras(trials)
	if len(gots) > 0 {
		g := lab.Median(gots)
		v.Got = &g
	}
	if checked {
		v.Correct = &correct
		v.WrongTrials = &wrong
		v.WorstGot = worst
	}
	return v
}

func absDiff(a, b int64) int64 {
	if a > b {
		return a - b
	}
	return b - a
}

// setSpeedups marks the baseline and sets every variant's speedup against
// it: the named baseline if it ran, else the first variant.
func setSpeedups(vs []lab.VariantResult, baseline string) {
	if len(vs) == 0 {
		return
	}
	b := slices.IndexFunc(vs, func(v lab.VariantResult) bool { return v.Name == baseline })
	if b < 0 {
		b = 0
	}
	vs[b].Baseline = true
	for i := range vs {
		// A variant that got a wrong answer (a lost update, a failed
		// request, a deadlock) did other work than the baseline: how fast
		// it did it is no speedup.
		switch {
		case wrong(vs[i]):
			vs[i].SpeedupWithheld = fmt.Sprintf("its answer was wrong in %d of %d trials", *vs[i].WrongTrials, len(vs[i].Trials))
			continue
		case wrong(vs[b]):
			vs[i].SpeedupWithheld = fmt.Sprintf("the baseline, %s, was wrong in %d of %d trials", vs[b].Name, *vs[b].WrongTrials, len(vs[b].Trials))
			continue
		}
		if vs[i].MedianMs > 0 {
			vs[i].Speedup = round3(vs[b].MedianMs / vs[i].MedianMs)
		}
		if i != b {
			vs[i].SpeedupCI = speedupCI(vs[b].Trials, vs[i].Trials)
		}
	}
}

// wrong reports whether any of v's trials got a wrong answer.
func wrong(v lab.VariantResult) bool {
	return v.WrongTrials != nil && *v.WrongTrials > 0
}

// medianExtras returns, for every numeric figure in the trials' Extra, its
// median over the trials that have it: a variant's typical figure.
func medianExtras(trials []lab.TrialResult) map[string]any {
	values := map[string][]float64{}
	for _, t := range trials {
		for k, x := range t.Extra {
			if f, ok := lab.Number(x); ok {
				values[k] = append(values[k], f)
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]any, len(values))
	for k, xs := range values {
		out[k] = lab.Median(xs)
	}
	return out
}

func durationMs(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// bootstrapResamples is how many resamples speedupCI draws.
const bootstrapResamples = 2000

// speedupCI returns a 95% interval for the speedup of a variant over the
// baseline, as benchstat would judge it: a bootstrap of the rounds. Trials
// run round-robin, so the baseline's i-th trial and the variant's i-th
// trial ran in the same round, under the same load of the machine; a
// resample draws whole rounds (with replacement) and keeps each pair
// together, and its speedup is the baseline's median over the variant's,
// as Speedup is. The 2.5th and 97.5th percentiles of those speedups are
// the interval. The generator is seeded with a constant, so one result
// always gives the same interval. Nil with fewer than MinCIRounds rounds.
func speedupCI(base, variant []lab.TrialResult) *[2]float64 {
	n := min(len(base), len(variant))
	if n < lab.MinCIRounds {
		return nil
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b, v := make([]float64, n), make([]float64, n)
	ratios := make([]float64, 0, bootstrapResamples)
	for range bootstrapResamples {
		for i := range n {
			k := rng.IntN(n)
			b[i], v[i] = base[k].Ms, variant[k].Ms
		}
		if mv := lab.Median(v); mv > 0 {
			ratios = append(ratios, lab.Median(b)/mv)
		}
	}
	if len(ratios) == 0 {
		return nil
	}
	slices.Sort(ratios)
	lo := ratios[int(0.025*float64(len(ratios)))]
	hi := ratios[min(len(ratios)-1, int(0.975*float64(len(ratios))))]
	return &[2]float64{round3(lo), round3(hi)}
}
