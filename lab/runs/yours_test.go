package runs

import (
	"testing"

	"concurrencylab/lab"
)

func TestYoursSentence(t *testing.T) {
	ptr := func(v int64) *int64 { return &v }
	wrong := 2
	none := 0
	yes := true
	base := lab.VariantResult{Name: "sequential", Baseline: true, Trials: make([]lab.TrialResult, 6)}
	tests := []struct {
		name string
		v    lab.VariantResult
		want string
	}{
		{"wrong", lab.VariantResult{Name: "yours", Trials: make([]lab.TrialResult, 6), WrongTrials: &wrong, WorstGot: ptr(3_500_000), Expected: ptr(5_000_000)},
			"Yours was wrong in 2 of 6 trials: at worst 3,500,000 of 5,000,000."},
		{"right and slower", lab.VariantResult{Name: "yours", Trials: make([]lab.TrialResult, 6), WrongTrials: &none, Correct: &yes, Speedup: 0.1, SpeedupCI: &[2]float64{0.09, 0.11}},
			"Yours was right in all 6 trials, 10× sequential's time."},
		{"right and faster", lab.VariantResult{Name: "yours", Trials: make([]lab.TrialResult, 6), WrongTrials: &none, Correct: &yes, Speedup: 1.6, SpeedupCI: &[2]float64{1.4, 1.8}},
			"Yours was right in all 6 trials, 1.6× as fast as sequential."},
		{"within the noise", lab.VariantResult{Name: "yours", Trials: make([]lab.TrialResult, 6), WrongTrials: &none, Correct: &yes, Speedup: 1.05, SpeedupCI: &[2]float64{0.9, 1.2}},
			"Yours was right in all 6 trials, in a time no different from sequential's on this machine."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := yoursSentence(&lab.Result{Variants: []lab.VariantResult{base, tt.v}})
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := yoursSentence(&lab.Result{Variants: []lab.VariantResult{base}}); got != "" {
		t.Errorf("without yours: got %q, want nothing", got)
	}
}
