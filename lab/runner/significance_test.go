package runner

import (
	"concurrencylab/lab"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// trialsOf makes trials of the given times.
func trialsOf(ms ...float64) []lab.TrialResult {
	ts := make([]lab.TrialResult, len(ms))
	for i, m := range ms {
		ts[i] = lab.TrialResult{Ms: m}
	}
	return ts
}

func TestWrongTrialsAndWorstGot(t *testing.T) {
	answers := func(expected int64, gots ...int64) []lab.TrialResult {
		ts := make([]lab.TrialResult, len(gots))
		for i, g := range gots {
			ts[i] = lab.TrialResult{Ms: 1, Expected: lab.Int64(expected), Got: lab.Int64(g)}
		}
		return ts
	}
	tests := []struct {
		name      string
		trials    []lab.TrialResult
		wantWrong *int
		wantWorst *int64
	}{
		{name: "no answers", trials: trialsOf(1, 2, 3)},
		{name: "got without expected", trials: []lab.TrialResult{{Ms: 1, Got: lab.Int64(4)}}},
		{name: "all right", trials: answers(2000, 2000, 2000, 2000), wantWrong: new(0)},
		// The defect: the median of these is 2,000 (right), yet one trial
		// lost 986 of 2,000; the figures must say so.
		{name: "one wrong among right ones", trials: answers(2000, 2000, 1014, 2000, 2000, 2000), wantWrong: new(1), wantWorst: lab.Int64(1014)},
		{name: "worst is farthest from expected", trials: answers(500000, 400000, 279750, 500000, 499999), wantWrong: new(3), wantWorst: lab.Int64(279750)},
		{name: "too many counts as wrong too", trials: answers(100, 100, 104, 99), wantWrong: new(2), wantWorst: lab.Int64(104)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := summarize("x", tc.trials)
			if !reflect.DeepEqual(v.WrongTrials, tc.wantWrong) {
				t.Errorf("got wrong_trials %v, want %v", ptrString(v.WrongTrials), ptrString(tc.wantWrong))
			}
			if !reflect.DeepEqual(v.WorstGot, tc.wantWorst) {
				t.Errorf("got worst_got %v, want %v", ptrString(v.WorstGot), ptrString(tc.wantWorst))
			}
			if (v.Correct == nil) != (v.WrongTrials == nil) {
				t.Errorf("got correct %v with wrong_trials %v, want both null or neither", ptrString(v.Correct), ptrString(v.WrongTrials))
			}
		})
	}
}

func TestWrongTrialsJSON(t *testing.T) {
	tests := []struct {
		name string
		v    lab.VariantResult
		want []string
	}{
		{name: "no correctness", v: summarize("x", trialsOf(1, 2)),
			want: []string{`"wrong_trials":null`, `"worst_got":null`, `"speedup_ci":null`}},
		{name: "none wrong", v: summarize("x", []lab.TrialResult{{Ms: 1, Expected: lab.Int64(3), Got: lab.Int64(3)}}),
			want: []string{`"wrong_trials":0`, `"worst_got":null`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("got %s, want it to hold %s", b, w)
				}
			}
		})
	}
}

func TestSpeedupCI(t *testing.T) {
	// A busy moment of the machine slows round 3 of both variants alike:
	// the pairing keeps that from widening the interval.
	base := trialsOf(100, 102, 160, 101, 99, 103)
	fast := trialsOf(50, 51, 80, 50, 49, 52)
	same := trialsOf(101, 99, 158, 103, 100, 101)

	t.Run("too few rounds", func(t *testing.T) {
		if ci := speedupCI(base[:5], fast[:5]); ci != nil {
			t.Errorf("got %v with 5 rounds, want nil", *ci)
		}
	})
	t.Run("a clear speedup excludes 1", func(t *testing.T) {
		ci := speedupCI(base, fast)
		if ci == nil {
			t.Fatal("got nil, want an interval")
		}
		sp := lab.Median(msOf(base)) / lab.Median(msOf(fast))
		if !(ci[0] <= sp && sp <= ci[1]) {
			t.Errorf("got %v, want it around the speedup %.3f", *ci, sp)
		}
		if ci[0] <= 1 {
			t.Errorf("got %v, want it above 1", *ci)
		}
	})
	t.Run("no difference holds 1", func(t *testing.T) {
		ci := speedupCI(base, same)
		if ci == nil || !(ci[0] <= 1 && 1 <= ci[1]) {
			t.Errorf("got %v, want an interval holding 1", ptrString(ci))
		}
	})
	t.Run("seeded: the same every time", func(t *testing.T) {
		a, b := speedupCI(base, fast), speedupCI(base, fast)
		if *a != *b {
			t.Errorf("got %v then %v, want the same", *a, *b)
		}
	})
}

func msOf(ts []lab.TrialResult) []float64 {
	out := make([]float64, len(ts))
	for i, t := range ts {
		out[i] = t.Ms
	}
	return out
}

func TestSetSpeedupsCI(t *testing.T) {
	vs := []lab.VariantResult{
		{Name: "seq", MedianMs: 100, Trials: trialsOf(100, 101, 99, 100, 102, 98)},
		{Name: "par", MedianMs: 50, Trials: trialsOf(50, 51, 49, 50, 52, 48)},
	}
	setSpeedups(vs, "seq")
	if vs[0].SpeedupCI != nil {
		t.Errorf("got baseline interval %v, want nil", *vs[0].SpeedupCI)
	}
	if ci := vs[1].SpeedupCI; ci == nil || ci[0] > vs[1].Speedup || ci[1] < vs[1].Speedup {
		t.Errorf("got %v, want an interval around %v", ptrString(ci), vs[1].Speedup)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		ci   *[2]float64
		want lab.Difference
		say  string
	}{
		{name: "no interval", want: lab.TooFewTrials, say: "too few trials to tell"},
		{name: "above 1", ci: &[2]float64{1.1, 1.4}, want: lab.Faster, say: "faster"},
		{name: "below 1", ci: &[2]float64{0.6, 0.9}, want: lab.Slower, say: "slower"},
		{name: "holds 1", ci: &[2]float64{0.95, 1.3}, want: lab.NoDifference, say: "no measurable difference on this machine"},
		// 1.24× by the medians, yet the interval holds 1: no claim.
		{name: "a median's busy moment", ci: &[2]float64{0.97, 1.5}, want: lab.NoDifference, say: "no measurable difference on this machine"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := lab.Compare(lab.VariantResult{Speedup: 1.24, SpeedupCI: tc.ci})
			if got != tc.want || got.String() != tc.say {
				t.Errorf("got %v (%q), want %v (%q)", got, got, tc.want, tc.say)
			}
		})
	}
}
