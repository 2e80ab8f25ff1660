package process

import (
	"reflect"
	"testing"
)

func TestParseCPUMax(t *testing.T) {
	tests := []struct {
		in     string
		want   int
		wantOK bool
	}{
		{"max 100000\n", 0, false},
		{"200000 100000\n", 2, true},
		{"150000 100000", 1, true},
		{"50000 100000", 1, true},
		{"400000", 4, true},
		{"", 0, false},
		{"nonsense 100000", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseCPUMax(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseCPUMax(%q): got %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestSlots(t *testing.T) {
	tests := []struct {
		name    string
		cpus    []int
		per     int
		want    [][]int
		wantErr string
	}{
		{"one slot of all", []int{0, 1}, 2, [][]int{{0, 1}}, ""},
		{"one core each", []int{0, 1}, 1, [][]int{{0}, {1}}, ""},
		{"leftover unused", []int{0, 2, 4, 6, 8}, 2, [][]int{{0, 2}, {4, 6}}, ""},
		{"none", []int{0, 1}, 0, nil, "cores per run must be 1..2 (the usable CPUs), got 0"},
		{"too many", []int{0, 1}, 3, nil, "cores per run must be 1..2 (the usable CPUs), got 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Slots(tt.cpus, tt.per)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, %v, want %v", got, err, tt.want)
			}
		})
	}
}

func TestUsableCPUs(t *testing.T) {
	cpus, err := UsableCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if len(cpus) == 0 {
		t.Fatal("got no usable CPUs, want at least one")
	}
	for i := 1; i < len(cpus); i++ {
		if cpus[i] <= cpus[i-1] {
			t.Errorf("got CPUs %v, want them in increasing order", cpus)
		}
	}
}
