package lab

// MinCIRounds is the fewest rounds (trials of every variant) a run needs
// before a speedup gets an interval: with fewer, a bootstrap has too few
// pairs to resample and its interval would claim more than it knows.
const MinCIRounds = 6

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
