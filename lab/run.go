package lab

import (
	"crypto/rand"
	"runtime"
	"time"

	"concurrencylab/lab/errs"
)

// Status is the state of a run.
type Status string

// The states a run goes through. Queued and Running are live; the rest are
// final. Interrupted means the server stopped while the run was live.
const (
	StatusQueued      Status = "queued"
	StatusRunning     Status = "running"
	StatusDone        Status = "done"
	StatusFailed      Status = "failed"
	StatusCancelled   Status = "cancelled"
	StatusInterrupted Status = "interrupted"
)

// Final reports whether the run has ended.
func (s Status) Final() bool { return s != StatusQueued && s != StatusRunning }

// A Run is the record of one run: what was asked, what happened.
type Run struct {
	ID         string         `json:"id"`
	Experiment string         `json:"experiment"`
	Params     map[string]any `json:"params"`
	Status     Status         `json:"status"`
	Created    time.Time      `json:"created"`
	Started    *time.Time     `json:"started"`
	Finished   *time.Time     `json:"finished"`
	Result     *Result        `json:"result"`
	Error      string         `json:"error"`
	Env        Env            `json:"env"`
}

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

// CurrentEnv returns the environment of this process.
func CurrentEnv() Env {
	return Env{
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
}

// ErrNotFound is returned for an unknown run or experiment.
var ErrNotFound = errs.New(errs.NotFound, "not found")

// NewID returns a random id of n lowercase letters and digits, with no
// characters that are easy to confuse (0/o, 1/l/i).
func NewID(n int) string {
	const alphabet = "23456789abcdefghjkmnpqrstuvwxyz" // 31 symbols
	b := make([]byte, n)
	for i := range b {
		for {
			var c [1]byte
			if _, err := rand.Read(c[:]); err != nil {
				panic("lab: random id: " + err.Error())
			}
			if int(c[0]) < 31*8 { // reject to keep every symbol equally likely
				b[i] = alphabet[int(c[0])%31]
				break
			}
		}
	}
	return string(b)
}

// ValidID reports whether s could be an id NewID made, so bad ids are
// refused before any lookup.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
