package runner

import (
	"concurrencylab/lab"
	"context"
	"testing"
	"time"
)

// A trial that measures part of its work reports that part's CPU time;
// lab's own measure covers the whole call otherwise.
func TestRunTrialsCPU(t *testing.T) {
	tests := []struct {
		name    string
		cpu     time.Duration
		wantMin float64
		wantMax float64
	}{
		{name: "the experiment's own", cpu: 7 * time.Millisecond, wantMin: 7, wantMax: 7},
		{name: "lab's around the call", cpu: 0, wantMin: 15, wantMax: 10_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp := &fakeExp{info: fakeInfo(), trial: func(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
				for start := lab.CPUTime(); lab.CPUTime()-start < 20*time.Millisecond; {
				}
				return lab.Trial{Elapsed: 10 * time.Millisecond, CPU: tt.cpu}, nil
			}}
			p, err := lab.ParseMap(exp.info, map[string]string{"variants": "v1"})
			if err != nil {
				t.Fatal(err)
			}
			log := NewEventLog()
			res, err := RunTrials(context.Background(), exp, p, log)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Variants[0].Trials[0].CPUMs
			if got < tt.wantMin || got > tt.wantMax {
				t.Errorf("got cpu_ms %v, want %v..%v", got, tt.wantMin, tt.wantMax)
			}
			if ms := res.Variants[0].MedianMs; ms != 10 {
				t.Errorf("got median_ms %v, want the trial's own 10", ms)
			}
		})
	}
}

// fakeExp is an experiment whose Trial the test supplies.
type fakeExp struct {
	info  lab.Info
	trial func(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error)
}

func (f *fakeExp) Info() lab.Info { return f.info }

func (f *fakeExp) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	return f.trial(ctx, variant, p, em)
}

func fakeInfo() lab.Info {
	return lab.Info{ID: "fake", Variants: []lab.Variant{{Name: "v1"}, {Name: "v2", Baseline: true}}, Repeat: 1}
}
