package prose

import (
	"testing"

	"concurrencylab/lab"
)

func TestProse(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"plural one", Plural(1, "trial"), "1 trial"},
		{"plural many", Plural(3, "trial"), "3 trials"},
		{"plural none", Plural(0, "core"), "0 cores"},
		{"group small", lab.Group(999), "999"},
		{"group thousands", lab.Group(500000), "500,000"},
		{"group millions", lab.Group(1234567), "1,234,567"},
		{"group negative", lab.Group(-4000), "-4,000"},
		{"list none", List(nil), ""},
		{"list one", List([]string{"a"}), "a"},
		{"list two", List([]string{"a", "b"}), "a and b"},
		{"list three", List([]string{"a", "b", "c"}), "a, b and c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestAgainst(t *testing.T) {
	ci := func(lo, hi float64) *[2]float64 { return &[2]float64{lo, hi} }
	r := &lab.Result{Variants: []lab.VariantResult{
		{Name: "polling", Baseline: true, Speedup: 1},
		{Name: "channels", Speedup: 0.68, SpeedupCI: ci(0.6, 0.75)},
		{Name: "buffered", Speedup: 1.02, SpeedupCI: ci(0.9, 1.1)},
		{Name: "fan-out", Speedup: 2.1, SpeedupCI: ci(1.9, 2.3)},
		{Name: "lonely", Speedup: 1.5},
		{Name: lab.Yours, Speedup: 3, SpeedupCI: ci(2.5, 3.5)}, // the lab's sentence on yours says it
	}}
	want := "Against polling, channels was slower (0.68×), buffered made no measurable difference on this machine (1.02×), fan-out was faster (2.10×) and lonely ran 1.50× as fast, too few trials to tell."
	if got := Against(r); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := Against(&lab.Result{Variants: []lab.VariantResult{{Name: "a", Baseline: true}}}); got != "" {
		t.Errorf("got %q for the baseline alone, want nothing", got)
	}
	if OnlyYours(r) || !OnlyYours(&lab.Result{Variants: []lab.VariantResult{{Name: lab.Yours}}}) {
		t.Error("OnlyYours: got it wrong for five variants or for yours alone")
	}
}
