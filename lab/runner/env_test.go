package runner

import (
	"concurrencylab/lab"
	"reflect"
	"runtime"
	"testing"
)

func TestCurrentEnv(t *testing.T) {
	env := CurrentEnv()
	want := lab.Env{GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("got %+v, want %+v", env, want)
	}
}

func TestJobEnv(t *testing.T) {
	job := Job{CPUs: []int{1}, Slot: "local/2"}
	tests := []struct {
		name       string
		cpus       []int
		wantPinned bool
		wantNumCPU int
	}{
		{"pinned as the job asked", []int{1}, true, 1},
		{"other CPUs", []int{0, 1}, false, 2},
		{"affinity unknown", nil, false, runtime.NumCPU()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := JobEnv(job, tt.cpus)
			if env.Pinned != tt.wantPinned || env.NumCPU != tt.wantNumCPU || env.Runner != "local/2" || env.GoVersion != runtime.Version() {
				t.Errorf("got %+v, want pinned %v, num_cpu %d, runner local/2 and this Go", env, tt.wantPinned, tt.wantNumCPU)
			}
		})
	}
}
