package lab

import "testing"

func TestSweepNames(t *testing.T) {
	tests := []struct {
		name   string
		family string
		n      int
		ok     bool
	}{
		{"worker-pool/4", "worker-pool", 4, true},
		{"gil/16", "gil", 16, true},
		{"worker-pool", "worker-pool", 0, false},
		{"worker-pool/0", "worker-pool/0", 0, false},
		{"worker-pool/04", "worker-pool/04", 0, false},
		{"worker-pool/x", "worker-pool/x", 0, false},
		{"/4", "/4", 0, false},
	}
	for _, tt := range tests {
		family, n, ok := ParseSweep(tt.name)
		if family != tt.family || n != tt.n || ok != tt.ok {
			t.Errorf("ParseSweep(%q): got %q, %d, %v, want %q, %d, %v", tt.name, family, n, ok, tt.family, tt.n, tt.ok)
		}
		if tt.ok {
			if got := SweepVariant(tt.family, tt.n); got != tt.name {
				t.Errorf("SweepVariant(%q, %d): got %q, want %q", tt.family, tt.n, got, tt.name)
			}
		}
	}
}

func TestResultBaseline(t *testing.T) {
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"marked", Result{Variants: []VariantResult{{Name: "a"}, {Name: "b", Baseline: true}}}, "b"},
		{"none marked: the first", Result{Variants: []VariantResult{{Name: "a"}, {Name: "b"}}}, "a"},
		{"no variants", Result{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if b := tt.r.Baseline(); b != nil {
				got = b.Name
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
