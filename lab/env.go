package lab

// Env records what a run's figures depend on.
type Env struct {
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	// NumCPU is the CPUs the run had to itself: its runner slot's.
	NumCPU     int `json:"num_cpu"`
	GOMAXPROCS int `json:"gomaxprocs"`
	// CPUs are the ids of the CPUs the run was pinned to; Pinned is false
	// where the system refused the pinning and the run went on without.
	CPUs   []int `json:"cpus"`
	Pinned bool  `json:"pinned"`
	// Runner says where the run executed: "local/1" is a child process in
	// this server's first runner slot.
	Runner string `json:"runner,omitempty"`
	// InFlight is the most runs of this server that were running at once
	// while this one ran, itself included. Runs in other slots have cores
	// of their own, but share the memory bus and caches.
	InFlight int `json:"in_flight"`
	// OthersPct is the share of the pinned CPUs' time, in percent, that
	// other programs took while the run's trials ran (their busy time in
	// /proc/stat beyond the run's own CPU time); nil where unmeasured.
	OthersPct *float64 `json:"others_pct,omitempty"`
}

// Cores returns the cores a run's work could use at once: its GOMAXPROCS
// (the cores parameter); where it was pinned, no more than the CPUs it was
// pinned to, which also bound threads outside GOMAXPROCS (C libraries);
// never more than the CPUs it had, and at least 1.
func (e Env) Cores() int {
	n := e.GOMAXPROCS
	if e.Pinned && len(e.CPUs) > 0 && (n <= 0 || len(e.CPUs) < n) {
		n = len(e.CPUs)
	}
	if n <= 0 || (e.NumCPU > 0 && e.NumCPU < n) {
		n = e.NumCPU
	}
	return max(n, 1)
}
