package pipeline

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
)

func TestParams(t *testing.T) {
	info := Experiment{}.Info()
	tests := []struct {
		name    string
		raw     map[string]string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"items zero", map[string]string{"items": "0"}, "items must be 1..1,000,000, got 0"},
		{"items over", map[string]string{"items": "1000001", "slow": "none"}, "items must be 1..1,000,000, got 1,000,001"},
		{"slow unknown", map[string]string{"slow": "collect"}, `slow must be one of none, produce, double, increment, got "collect"`},
		{"cost zero", map[string]string{"cost": "0"}, "cost must be 1µs..10ms, got 0s"},
		{"cost over", map[string]string{"cost": "11ms"}, "cost must be 1µs..10ms, got 11ms"},
		{"cost kind unknown", map[string]string{"cost_kind": "gpu"}, `cost_kind must be one of cpu, io, got "gpu"`},
		{"buffer zero", map[string]string{"buffer": "0"}, "buffer must be 1..10,000, got 0"},
		{"workers over", map[string]string{"workers": "65"}, "workers must be 1..64, got 65"},
		{"poll under", map[string]string{"poll": "1us"}, "poll must be 10µs..50ms, got 1µs"},
		{"too much cpu work", map[string]string{"items": "1000", "cost": "2ms"}, "items × cost must be at most 1s of slow-stage work per trial, got 2s"},
		{"too much io work", map[string]string{"items": "1001", "cost_kind": "io"}, "items × max(cost, 1ms) must be at most 1s of slow-stage work per trial, got 1.001s"},
		{"lots of items, nothing slow", map[string]string{"items": "1000000", "slow": "none", "cost": "10ms"}, ""},
		{"at the bound", map[string]string{"items": "100000", "cost": "10us"}, ""},
		{"unknown variant", map[string]string{"variants": "sentinel"}, `variants must name variants among polling, spinning, channels, buffered, fan-out, yours, got "sentinel"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := lab.ParseMap(info, tt.raw)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if tt.raw != nil {
				return
			}
			s := settingsOf(p)
			want := settings{items: 1000, slow: double, cost: 100 * time.Microsecond, buffer: 10,
				workers: runtime.NumCPU(), poll: time.Millisecond}
			if s != want {
				t.Errorf("got defaults %+v, want %+v", s, want)
			}
			if got := p.Variants(); strings.Join(got, ",") != "polling,spinning,channels,buffered,fan-out" {
				t.Errorf("got variants %v, want all five", got)
			}
		})
	}
}

func TestInfo(t *testing.T) {
	info := Experiment{}.Info()
	if info.ID != "pipeline" {
		t.Errorf("got id %q, want pipeline", info.ID)
	}
	for _, v := range info.Variants {
		if v.Baseline != (v.Name == "polling") {
			t.Errorf("variant %s: got baseline %t, want only polling", v.Name, v.Baseline)
		}
		if _, ok := runs[v.Name]; !ok {
			t.Errorf("variant %s has no run function", v.Name)
		}
	}
	i := slices.IndexFunc(info.Params, func(p lab.Param) bool { return p.Name == "workers" })
	if got, want := info.Params[i].Default, strconv.Itoa(runtime.NumCPU()); got != want {
		t.Errorf("got workers default %q, want %q", got, want)
	}
	if strings.Contains(info.Lesson, "\n\n\n") || len(strings.Split(info.Lesson, "\n\n")) < 5 {
		t.Errorf("got a lesson of %d paragraphs, want several separated by one blank line", len(strings.Split(info.Lesson, "\n\n")))
	}
}
