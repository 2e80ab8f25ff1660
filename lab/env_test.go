package lab

import "testing"

func TestEnvCores(t *testing.T) {
	tests := []struct {
		name string
		env  Env
		want int
	}{
		{"gomaxprocs", Env{NumCPU: 4, GOMAXPROCS: 2}, 2},
		{"never above the CPUs", Env{NumCPU: 2, GOMAXPROCS: 8}, 2},
		{"pinned to fewer", Env{NumCPU: 4, GOMAXPROCS: 4, CPUs: []int{3}, Pinned: true}, 1},
		{"not pinned: the CPUs do not bound it", Env{NumCPU: 4, GOMAXPROCS: 4, CPUs: []int{3}}, 4},
		{"nothing recorded", Env{}, 1},
		{"only the CPUs", Env{NumCPU: 3}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.env.Cores(); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
