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

func TestVariantsOfAndLookup(t *testing.T) {
	type approach struct {
		Variant
		run func() int
	}
	list := []approach{
		{Variant{Name: "a", Baseline: true}, func() int { return 1 }},
		{Variant{Name: "b"}, func() int { return 2 }},
	}
	vs := VariantsOf(list)
	if len(vs) != 2 || vs[0].Name != "a" || !vs[0].Baseline || vs[1].Name != "b" {
		t.Errorf("got variants %+v, want a (baseline) then b", vs)
	}
	if a, ok := Lookup(list, "b"); !ok || a.run() != 2 {
		t.Errorf("Lookup(b): got %v, want b's function", ok)
	}
	if a, ok := Lookup(list, "c"); ok || a.run != nil {
		t.Errorf("Lookup(c): got %v, want none", ok)
	}
}
