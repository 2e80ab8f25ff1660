package lab

import (
	"math/rand/v2"
	"slices"
)

// MinCIRounds is the fewest rounds (trials of every variant) a run needs
// before a speedup gets an interval: with fewer, a bootstrap has too few
// pairs to resample and its interval would claim more than it knows.
const MinCIRounds = 6

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
func speedupCI(base, variant []TrialResult) *[2]float64 {
	n := min(len(base), len(variant))
	if n < MinCIRounds {
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
		if mv := Median(v); mv > 0 {
			ratios = append(ratios, Median(b)/mv)
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

// A Difference is what a speedup's interval lets a verdict claim.
type Difference int

// The claims a verdict may make of a variant against the baseline.
const (
	TooFewTrials Difference = iota // no interval: fewer than MinCIRounds rounds
	NoDifference                   // the interval holds 1
	Faster                         // the whole interval is above 1
	Slower                         // the whole interval is below 1
)

// Compare says what v's speedup interval lets a verdict claim: faster or
// slower only where the interval excludes 1.
func Compare(v VariantResult) Difference {
	switch ci := v.SpeedupCI; {
	case ci == nil:
		return TooFewTrials
	case ci[0] > 1:
		return Faster
	case ci[1] < 1:
		return Slower
	}
	return NoDifference
}

// String is how a verdict says d: "faster", "slower", "no measurable
// difference on this machine", "too few trials to tell".
func (d Difference) String() string {
	switch d {
	case Faster:
		return "faster"
	case Slower:
		return "slower"
	case NoDifference:
		return "no measurable difference on this machine"
	}
	return "too few trials to tell"
}
