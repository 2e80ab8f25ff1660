package prose

import "testing"

func TestProse(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"plural one", Plural(1, "trial"), "1 trial"},
		{"plural many", Plural(3, "trial"), "3 trials"},
		{"plural none", Plural(0, "core"), "0 cores"},
		{"group small", Group(999), "999"},
		{"group thousands", Group(500000), "500,000"},
		{"group millions", Group(1234567), "1,234,567"},
		{"group negative", Group(-4000), "-4,000"},
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
