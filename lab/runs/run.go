package runs

import (
	"concurrencylab/lab"
	"crypto/rand"
	"time"
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
	Result     *lab.Result    `json:"result"`
	Error      string         `json:"error"`
	Env        lab.Env        `json:"env"`
}

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
