package runner

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// FlushEvery is how often coalesced progress, samples and batched spans
// reach the event log.
const FlushEvery = 50 * time.Millisecond

// sampleEvery is how often lab samples goroutines and heap during a run.
const sampleEvery = 20 * time.Millisecond

// runEmitter collects a run's reports and flushes them to its sink.
type runEmitter struct {
	log Sink

	// The current trial, set by the runner between trials.
	variant atomic.Pointer[string]
	trial   atomic.Int64 // index within the variant
	repeat  int64

	mu       sync.Mutex                // guards the fields below
	progress map[string]event.Progress // variant -> its latest, unsent
	samples  map[string]float64        // series -> latest value, unsent
	spans    []event.Span              // unsent spans
	nspans   int                       // spans recorded in all
	peaks    map[string]peaks          // variant -> the most seen while it ran

	truncated bool // the truncation was logged; used by the flusher only

	stop chan struct{}
	done chan struct{}
}

func newEmitter(log Sink, repeat int) *runEmitter {
	return &runEmitter{
		log:      log,
		repeat:   int64(repeat),
		progress: make(map[string]event.Progress),
		samples:  make(map[string]float64),
		peaks:    make(map[string]peaks),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
}

func (e *runEmitter) setTrial(variant string, trial int) {
	e.variant.Store(&variant)
	e.trial.Store(int64(trial))
}

func (e *runEmitter) currentVariant() string {
	if v := e.variant.Load(); v != nil {
		return *v
	}
	return ""
}

func (e *runEmitter) Progress(done, total int64, unit string) {
	v, trial := e.currentVariant(), e.trial.Load()
	// Progress within a trial becomes progress within the variant's trials.
	p := event.Progress{Variant: v, Done: trial*total + done, Total: e.repeat * total, Unit: unit}
	e.mu.Lock()
	e.progress[v] = p
	e.mu.Unlock()
}

func (e *runEmitter) Sample(series string, value float64) {
	e.mu.Lock()
	e.samples[series] = value
	e.mu.Unlock()
}

func (e *runEmitter) Span(worker int, start, end time.Time, label string) {
	g := float64(runtime.NumGoroutine())
	v := e.currentVariant()
	s := event.Span{
		Variant: v, Worker: int64(worker), Trial: e.trial.Load(),
		Start: event.Ms(start.Sub(e.log.Start())), End: event.Ms(end.Sub(e.log.Start())),
		Label: label,
	}
	e.mu.Lock()
	e.nspans++
	if e.nspans <= lab.MaxSpans {
		e.spans = append(e.spans, s)
	}
	e.raisePeaks(v, peaks{goroutines: g})
	e.mu.Unlock()
}

func (e *runEmitter) Log(text string) {
	e.log.Append(event.Log{Text: text})
}

// peakGoroutines returns the most goroutines seen while variant ran.
func (e *runEmitter) peakGoroutines(variant string) float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.peaks[variant].goroutines
}

// run flushes and samples until stop is closed, then flushes once more.
func (e *runEmitter) run() {
	defer close(e.done)
	flush := time.NewTicker(FlushEvery)
	defer flush.Stop()
	sample := time.NewTicker(sampleEvery)
	defer sample.Stop()
	m := newMetrics()
	for {
		select {
		case <-e.stop:
			e.flush()
			return
		case <-flush.C:
			e.flush()
		case <-sample.C:
			e.sample(m)
		}
	}
}

// newMetrics returns the runtime metrics the sampler reads.
func newMetrics() []metrics.Sample {
	return []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
	}
}

// sample records goroutines, heap and stacks now, as samples and as the
// current variant's peaks. Reading them does not stop the world, unlike
// ReadMemStats.
func (e *runEmitter) sample(m []metrics.Sample) {
	metrics.Read(m)
	g := float64(runtime.NumGoroutine())
	v := e.currentVariant()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.samples["goroutines"] = g
	var stacks float64
	if m[0].Value.Kind() == metrics.KindUint64 {
		e.samples["heap_bytes"] = float64(m[0].Value.Uint64())
	}
	if m[1].Value.Kind() == metrics.KindUint64 {
		stacks = float64(m[1].Value.Uint64())
	}
	if v != "" {
		e.raisePeaks(v, peaks{g, e.samples["heap_bytes"], stacks})
	}
}

// sampleNow samples once, outside the sampler's rhythm: after a trial too
// short for a tick, its stacks are still held and its heap not collected.
func (e *runEmitter) sampleNow() { e.sample(newMetrics()) }

// peakHeap returns the largest live heap seen while variant ran.
func (e *runEmitter) peakHeap(variant string) float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.peaks[variant].heapBytes
}

// peakStacks returns the most goroutine stack memory seen while variant ran.
func (e *runEmitter) peakStacks(variant string) float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.peaks[variant].stackBytes
}

// peaks are the most goroutines, the largest live heap and the most
// goroutine stack memory seen while a variant ran.
type peaks struct{ goroutines, heapBytes, stackBytes float64 }

// raisePeaks records seen for variant where it exceeds its peaks so far.
// The caller holds e.mu.
func (e *runEmitter) raisePeaks(variant string, seen peaks) {
	p := e.peaks[variant]
	p.goroutines = max(p.goroutines, seen.goroutines)
	p.heapBytes = max(p.heapBytes, seen.heapBytes)
	p.stackBytes = max(p.stackBytes, seen.stackBytes)
	e.peaks[variant] = p
}

func (e *runEmitter) start() { go e.run() }

// close stops the flusher after a last flush.
func (e *runEmitter) close() {
	close(e.stop)
	<-e.done
}

// flush moves pending reports to the log. It runs on the flusher goroutine,
// never on the experiment's.
func (e *runEmitter) flush() {
	e.mu.Lock()
	progress, samples, spans := e.progress, e.samples, e.spans
	e.progress, e.samples, e.spans = make(map[string]event.Progress), make(map[string]float64), nil
	dropped := e.nspans - lab.MaxSpans
	e.mu.Unlock()
	for _, p := range progress {
		e.log.Append(p)
	}
	for s, x := range samples {
		e.log.Append(event.Sample{Series: s, Value: x})
	}
	for _, s := range spans {
		e.log.Append(s)
	}
	if dropped > 0 && !e.truncated {
		e.truncated = true
		e.log.Append(event.Log{Text: fmt.Sprintf("timeline truncated: a run keeps its first %d spans", lab.MaxSpans)})
	}
	if f, ok := e.log.(Flusher); ok {
		f.Flush() // a sink that buffers sends its batch now
	}
}
