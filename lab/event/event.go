// Package event holds the bodies of a run's events, one Go type each, as
// the websocket carries them: {"seq": 0, "t": 0, "type": "status", ...the
// body's fields}. A run's child process encodes the bodies it emits
// (progress, sample, span, log) once; the server decodes each into its
// type, refusing any field the type lacks, and its event log writes it
// again with seq, t and type in front, so that what reaches a page is
// always the server's own encoding, never a child's bytes (a child will
// run learners' code). The server alone makes status, result and error
// events.
//
// Like the playground's sandboxtypes, this is the small package both
// sides of the process boundary share.
package event

import (
	"time"

	"concurrencylab/lab"
)

// The event types.
const (
	TypeStatus   = "status"
	TypeProgress = "progress"
	TypeSample   = "sample"
	TypeSpan     = "span"
	TypeLog      = "log"
	TypeResult   = "result"
	TypeError    = "error"
)

// A Body is the body of one event: one of the types below.
type Body interface {
	// Type is the event's type, one of the Type constants.
	Type() string
	// Key tells coalescable events of one type apart (a progress event's
	// variant, a sample's series); "" for the others.
	Key() string
}

// Status is a run's state: queued (with its place in line and the seconds
// until it is expected to finish), running, done, failed, cancelled,
// interrupted.
type Status struct {
	State    string   `json:"state"`
	Position int      `json:"position,omitempty"`
	EtaS     *float64 `json:"eta_s,omitempty"`
}

// Progress is how far a variant's trials have got, in the trial's units.
type Progress struct {
	Variant string `json:"variant"`
	Done    int64  `json:"done"`
	Total   int64  `json:"total"`
	Unit    string `json:"unit"`
}

// Sample is the latest value of a time series (goroutines, heap, ...).
type Sample struct {
	Series string  `json:"series"`
	Value  float64 `json:"value"`
}

// Span is one stretch of a worker's work for the timeline, in milliseconds
// of the run's clock, as the experiment reports it. A span from the run's
// execution trace has a State too: its Worker is the goroutine's id, and
// it says where the goroutine was (running on processor P, runnable
// waiting for one, blocked for Reason until UnblockedBy woke it, in a
// system call), or, with state "gc" and no worker, that the garbage
// collector was marking.
type Span struct {
	Variant string  `json:"variant"`
	Trial   int64   `json:"trial"`
	Worker  int64   `json:"worker"`
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
	Label   string  `json:"label"`

	State       string `json:"state,omitempty"`
	Reason      string `json:"reason,omitempty"`
	P           *int64 `json:"p,omitempty"`
	UnblockedBy int64  `json:"unblocked_by,omitempty"`
}

// The states of a span from an execution trace.
const (
	StateRunning  = "running"
	StateRunnable = "runnable"
	StateBlocked  = "blocked"
	StateSyscall  = "syscall"
	StateGC       = "gc"
)

// Log is one line of the run's log.
type Log struct {
	Text string `json:"text"`
}

// Result is a finished run's outcome: the same object GET /api/runs/{id}
// returns as result.
type Result struct {
	Verdict  string              `json:"verdict"`
	Details  string              `json:"details,omitempty"`
	Variants []lab.VariantResult `json:"variants"`
	Traces   []string            `json:"traces,omitempty"`
}

// Error is a message a learner can act on.
type Error struct {
	Message string `json:"message"`
}

func (Status) Type() string   { return TypeStatus }
func (Progress) Type() string { return TypeProgress }
func (Sample) Type() string   { return TypeSample }
func (Span) Type() string     { return TypeSpan }
func (Log) Type() string      { return TypeLog }
func (Result) Type() string   { return TypeResult }
func (Error) Type() string    { return TypeError }

func (Status) Key() string     { return "" }
func (p Progress) Key() string { return p.Variant }
func (s Sample) Key() string   { return s.Series }
func (Span) Key() string       { return "" }
func (Log) Key() string        { return "" }
func (Result) Key() string     { return "" }
func (Error) Key() string      { return "" }

// Ms returns d in milliseconds with microsecond precision: a time on a
// run's clock as events carry it (t, a span's start and end).
func Ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// Coalescable reports whether a slow client may skip events of type typ:
// progress and samples are superseded by later ones; everything else must
// arrive.
func Coalescable(typ string) bool { return typ == TypeProgress || typ == TypeSample }

// FromChild returns a new body of typ, for decoding what a run's process
// sent; false for a type only the server makes, or none.
func FromChild(typ string) (Body, bool) {
	switch typ {
	case TypeProgress:
		return &Progress{}, true
	case TypeSample:
		return &Sample{}, true
	case TypeSpan:
		return &Span{}, true
	case TypeLog:
		return &Log{}, true
	}
	return nil, false
}
