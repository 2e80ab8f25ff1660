package runs

import (
	"testing"

	"concurrencylab/lab"
)

func TestGenericVerdict(t *testing.T) {
	tests := []struct {
		name string
		r    lab.Result
		want string
	}{
		{name: "one variant", r: lab.Result{Variants: []lab.VariantResult{{Name: "serial", MedianMs: 12.34, Trials: make([]lab.TrialResult, 5)}}},
			want: "serial took 12.3 ms (median of 5)."},
		{name: "fastest named", r: lab.Result{Variants: []lab.VariantResult{
			{Name: "serial", MedianMs: 40, Speedup: 1}, {Name: "mutex", MedianMs: 20, Speedup: 2}, {Name: "atomic", MedianMs: 30, Speedup: 1.333},
		}}, want: "mutex was fastest: 20 ms, 2.00x the baseline, but too few trials to tell."},
		{name: "fastest outside its interval", r: lab.Result{Variants: []lab.VariantResult{
			{Name: "serial", MedianMs: 40, Speedup: 1, Baseline: true}, {Name: "mutex", MedianMs: 20, Speedup: 2, SpeedupCI: &[2]float64{1.8, 2.2}},
		}}, want: "mutex was fastest: 20 ms, 2.00x the baseline."},
		{name: "fastest inside its interval", r: lab.Result{Variants: []lab.VariantResult{
			{Name: "serial", MedianMs: 40, Speedup: 1, Baseline: true}, {Name: "mutex", MedianMs: 38, Speedup: 1.053, SpeedupCI: &[2]float64{0.9, 1.2}},
		}}, want: "mutex was fastest: 38 ms, 1.05x the baseline, but no measurable difference on this machine."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := genericVerdict(&tc.r); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVerdictFromJudge(t *testing.T) {
	h, d := verdict(judgeExp{}, &lab.Result{}, nil, lab.Env{})
	if h != "headline." || d != "details." {
		t.Errorf("got %q, %q, want the lab.Judge's headline and details", h, d)
	}
	body := resultBody(&lab.Result{Verdict: "h", Details: "d"})
	if body.Details != "d" {
		t.Errorf("got details %v in the result body, want d", body.Details)
	}
}

type judgeExp struct{ lab.Experiment }

func (judgeExp) Judge(*lab.Result, lab.Params, lab.Env) (string, string) {
	return "headline.", "details."
}

// A run whose cores other programs took more than busyShare of says so
// before the experiment's verdict; a quiet one does not.
func TestVerdictNamesABusyMachine(t *testing.T) {
	busy, quiet := 63.0, 4.0
	tests := []struct {
		name   string
		env    lab.Env
		prefix string
	}{
		{"busy", lab.Env{CPUs: []int{0, 1}, OthersPct: &busy}, "Other programs on this machine took 63% of its 2 CPUs while the trials ran, so its figures are not a quiet machine's. headline."},
		{"quiet", lab.Env{CPUs: []int{0, 1}, OthersPct: &quiet}, "headline."},
		{"unmeasured", lab.Env{CPUs: []int{0}}, "headline."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, d := verdict(judgeExp{}, &lab.Result{}, nil, tt.env)
			if h != tt.prefix || d != "details." {
				t.Errorf("got %q, %q, want %q, the details unchanged", h, d, tt.prefix)
			}
		})
	}
}
