package runner

import (
	"concurrencylab/lab"
	"reflect"
	"testing"
	"time"
)

func boolPtr(b bool) *bool { return &b }

// ptrString shows a pointer's value in failure messages.
func ptrString[T any](p *T) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{name: "none", xs: nil, want: 0},
		{name: "empty", xs: []float64{}, want: 0},
		{name: "one", xs: []float64{7}, want: 7},
		{name: "two", xs: []float64{1, 4}, want: 2.5},
		{name: "odd unsorted", xs: []float64{9, 1, 5}, want: 5},
		{name: "even unsorted", xs: []float64{8, 2, 6, 4}, want: 5},
		{name: "duplicates", xs: []float64{3, 3, 1, 3}, want: 3},
		{name: "negative", xs: []float64{-1, -3, -2}, want: -2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float64(nil), tc.xs...)
			if got := lab.Median(in); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if !reflect.DeepEqual(in, tc.xs) && !(len(in) == 0 && len(tc.xs) == 0) {
				t.Errorf("got input reordered to %v, want it left as %v", in, tc.xs)
			}
		})
	}
}

// Every figure a result calls a median is the median of that figure over
// the trials, with one rule (the mean of the middle two for an even
// count), so figures derived from one another agree: the median updates
// lost is expected minus the median answer.
func TestMediansAgree(t *testing.T) {
	tests := []struct {
		name    string
		gots    []int64
		wantGot float64
	}{
		{name: "one", gots: []int64{4}, wantGot: 4},
		{name: "odd", gots: []int64{9, 1, 5}, wantGot: 5},
		{name: "even", gots: []int64{10, 40, 20, 31}, wantGot: 25.5},
		{name: "race's defaults, as reported", gots: []int64{351355, 381264, 300000, 420000, 500000, 250000, 310000, 390000, 360000, 370000}, wantGot: 365000},
	}
	const expected = 500
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var trials []lab.TrialResult
			for i, g := range tc.gots {
				trials = append(trials, lab.TrialResult{Ms: float64(i + 1), CPUMs: float64(2 * (i + 1)), Expected: lab.Int64(expected), Got: lab.Int64(g),
					Extra: map[string]any{"lost": float64(expected - g)}})
			}
			v := summarize("x", trials)
			if v.Got == nil || *v.Got != tc.wantGot {
				t.Fatalf("got median answer %v, want %v", ptrString(v.Got), tc.wantGot)
			}
			if lost := v.Extra["lost"].(float64); lost != expected-*v.Got {
				t.Errorf("got median lost %v beside median answer %v, want %v", lost, *v.Got, expected-*v.Got)
			}
			ms := make([]float64, len(trials))
			for i := range trials {
				ms[i] = trials[i].Ms
			}
			if v.MedianMs != lab.Median(ms) || v.CPUMs != 2*v.MedianMs {
				t.Errorf("got median_ms %v and cpu_ms %v, want %v and %v", v.MedianMs, v.CPUMs, lab.Median(ms), 2*lab.Median(ms))
			}
		})
	}
}

func TestTrialResultCorrect(t *testing.T) {
	tests := []struct {
		name          string
		expected, got *int64
		want          *bool
	}{
		{name: "both nil", want: nil},
		{name: "no expected", got: lab.Int64(3), want: nil},
		{name: "no got", expected: lab.Int64(3), want: nil},
		{name: "equal", expected: lab.Int64(3), got: lab.Int64(3), want: boolPtr(true)},
		{name: "different", expected: lab.Int64(3), got: lab.Int64(2), want: boolPtr(false)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := lab.TrialResult{Expected: tc.expected, Got: tc.got}.Correct()
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", ptrString(got), ptrString(tc.want))
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name         string
		trials       []lab.TrialResult
		wantMedian   float64
		wantMin      float64
		wantMax      float64
		wantCorrect  *bool
		wantExpected *int64
		wantGot      *float64
	}{
		{name: "no trials"},
		{name: "no answers", trials: []lab.TrialResult{{Ms: 3}, {Ms: 1}, {Ms: 2}},
			wantMedian: 2, wantMin: 1, wantMax: 3},
		{name: "all correct", trials: []lab.TrialResult{
			{Ms: 10, Expected: lab.Int64(100), Got: lab.Int64(100)},
			{Ms: 30, Expected: lab.Int64(100), Got: lab.Int64(100)},
		}, wantMedian: 20, wantMin: 10, wantMax: 30, wantCorrect: boolPtr(true), wantExpected: lab.Int64(100), wantGot: lab.Float64(100)},
		{name: "one wrong makes it wrong", trials: []lab.TrialResult{
			{Ms: 1, Expected: lab.Int64(100), Got: lab.Int64(100)},
			{Ms: 2, Expected: lab.Int64(100), Got: lab.Int64(60)},
			{Ms: 3, Expected: lab.Int64(100), Got: lab.Int64(100)},
		}, wantMedian: 2, wantMin: 1, wantMax: 3, wantCorrect: boolPtr(false), wantExpected: lab.Int64(100), wantGot: lab.Float64(100)},
		{name: "got is the median answer", trials: []lab.TrialResult{
			{Ms: 1, Expected: lab.Int64(100), Got: lab.Int64(90)},
			{Ms: 1, Expected: lab.Int64(100), Got: lab.Int64(40)},
			{Ms: 1, Expected: lab.Int64(100), Got: lab.Int64(70)},
			{Ms: 1, Expected: lab.Int64(100), Got: lab.Int64(80)},
		}, wantMedian: 1, wantMin: 1, wantMax: 1, wantCorrect: boolPtr(false), wantExpected: lab.Int64(100), wantGot: lab.Float64(75)},
		{name: "got without expected", trials: []lab.TrialResult{{Ms: 5, Got: lab.Int64(7)}},
			wantMedian: 5, wantMin: 5, wantMax: 5, wantGot: lab.Float64(7)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := summarize("mutex", tc.trials)
			if v.Name != "mutex" {
				t.Errorf("got Name %q, want mutex", v.Name)
			}
			if len(v.Trials) != len(tc.trials) {
				t.Errorf("got %d trials, want %d", len(v.Trials), len(tc.trials))
			}
			if v.Peaks == nil {
				t.Errorf("got nil Peaks, want an empty map")
			}
			if v.MedianMs != tc.wantMedian || v.MinMs != tc.wantMin || v.MaxMs != tc.wantMax {
				t.Errorf("got median/min/max %v/%v/%v, want %v/%v/%v", v.MedianMs, v.MinMs, v.MaxMs, tc.wantMedian, tc.wantMin, tc.wantMax)
			}
			if !reflect.DeepEqual(v.Correct, tc.wantCorrect) {
				t.Errorf("got Correct %v, want %v", ptrString(v.Correct), ptrString(tc.wantCorrect))
			}
			if !reflect.DeepEqual(v.Expected, tc.wantExpected) {
				t.Errorf("got Expected %v, want %v", ptrString(v.Expected), ptrString(tc.wantExpected))
			}
			if !reflect.DeepEqual(v.Got, tc.wantGot) {
				t.Errorf("got Got %v, want %v", ptrString(v.Got), ptrString(tc.wantGot))
			}
		})
	}
}

func TestSetSpeedups(t *testing.T) {
	three := func() []lab.VariantResult {
		return []lab.VariantResult{{Name: "serial", MedianMs: 40}, {Name: "mutex", MedianMs: 20}, {Name: "atomic", MedianMs: 30}}
	}
	tests := []struct {
		name         string
		vs           []lab.VariantResult
		baseline     string
		wantBaseline string
		wantSpeedups []float64
	}{
		{name: "none", vs: nil},
		{name: "named baseline", vs: three(), baseline: "mutex", wantBaseline: "mutex", wantSpeedups: []float64{0.5, 1, 0.667}},
		{name: "first is baseline", vs: three(), baseline: "serial", wantBaseline: "serial", wantSpeedups: []float64{1, 2, 1.333}},
		{name: "missing baseline falls back to first", vs: three(), baseline: "gone", wantBaseline: "serial", wantSpeedups: []float64{1, 2, 1.333}},
		{name: "no baseline falls back to first", vs: three(), baseline: "", wantBaseline: "serial", wantSpeedups: []float64{1, 2, 1.333}},
		{name: "zero median gets no speedup", vs: []lab.VariantResult{{Name: "a", MedianMs: 10}, {Name: "b", MedianMs: 0}},
			baseline: "a", wantBaseline: "a", wantSpeedups: []float64{1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			setSpeedups(tc.vs, tc.baseline)
			var speedups []float64
			for _, v := range tc.vs {
				speedups = append(speedups, v.Speedup)
				if want := v.Name == tc.wantBaseline; v.Baseline != want {
					t.Errorf("%s: got Baseline %v, want %v", v.Name, v.Baseline, want)
				}
			}
			if !reflect.DeepEqual(speedups, tc.wantSpeedups) {
				t.Errorf("got speedups %v, want %v", speedups, tc.wantSpeedups)
			}
		})
	}
}

func TestResultVariant(t *testing.T) {
	r := &lab.Result{Variants: []lab.VariantResult{{Name: "a"}, {Name: "b"}}}
	tests := []struct {
		name string
		want bool
	}{
		{name: "a", want: true},
		{name: "b", want: true},
		{name: "c", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := r.Variant(tc.name)
			if got := v != nil; got != tc.want {
				t.Fatalf("got found %v, want %v", got, tc.want)
			}
			if v != nil && v.Name != tc.name {
				t.Errorf("got %q, want %q", v.Name, tc.name)
			}
		})
	}
	r.Variant("b").Speedup = 2 // it points into the result
	if got := r.Variants[1].Speedup; got != 2 {
		t.Errorf("got speedup %v through the result, want 2", got)
	}
}

func TestDurationMs(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want float64
	}{
		{name: "ms", d: 12 * time.Millisecond, want: 12},
		{name: "µs", d: 1500 * time.Microsecond, want: 1.5},
		{name: "rounded", d: 1234567 * time.Nanosecond, want: 1.235},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := durationMs(tc.d); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
