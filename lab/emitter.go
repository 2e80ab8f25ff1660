package lab

import "time"

// MaxSpans bounds the spans one run keeps; later ones are counted, not sent.
const MaxSpans = 20000

// An Emitter is how a trial reports while it runs. Every method is safe for
// concurrent use, never blocks on a reader and costs about one uncontended
// lock: progress and samples are coalesced (only the latest value is sent,
// every few tens of milliseconds) and spans are batched.
type Emitter interface {
	// Progress reports done out of total units of the current trial.
	Progress(done, total int64, unit string)
	// Sample records the current value of a time series.
	Sample(series string, value float64)
	// Span records that worker did label from start to end, for the timeline.
	Span(worker int, start, end time.Time, label string)
	// Log adds a line to the run's log.
	Log(text string)
}

// Discard is an Emitter that drops every report: for tests and benchmarks
// that call an experiment's trial as a plain function.
var Discard Emitter = discard{}

type discard struct{}

func (discard) Progress(done, total int64, unit string)             {}
func (discard) Sample(series string, value float64)                 {}
func (discard) Span(worker int, start, end time.Time, label string) {}
func (discard) Log(text string)                                     {}
