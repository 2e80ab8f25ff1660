// Package metrics is the operator's view of a lab server: a Prometheus
// registry of its own (no package-level state, nothing of the default
// registry) served at GET /metrics on the main listener. Every name starts
// with lab_:
//
//	lab_runs{status="queued"|"running"}  runs waiting and executing now
//	lab_runs_finished_total{status}      runs ended: done, failed, cancelled, interrupted
//	lab_queue_length                     runs waiting for a runner slot
//	lab_run_queue_wait_seconds           histogram: from queued to started
//	lab_run_duration_seconds             histogram: from started to ended
//	lab_runner_slots, lab_runner_slots_busy  local runner slots, and those executing a run or lent (a build)
//	lab_sockets_open                     run websockets open
//	lab_messages_dropped_total           events a slow client skipped
//	lab_builds_total{result}             learners' code builds, by result (Build)
//
// A Metrics is the run manager's runs.Observer and the web server's
// web.Meter; the code-build service reports each build with Build.
package metrics

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"concurrencylab/lab/runs"
	"concurrencylab/web"
	"concurrencylab/web/internal/serve"
)

// Metrics counts a server's runs, sockets and builds. Make one with New.
type Metrics struct {
	reg      *prometheus.Registry
	finished *prometheus.CounterVec
	wait     prometheus.Histogram
	duration prometheus.Histogram
	sockets  prometheus.Gauge
	dropped  prometheus.Counter
	builds   *prometheus.CounterVec
	queue    *atomic.Pointer[Queue] // set by Watch; nil reads as an empty queue
}

var (
	_ runs.Observer = (*Metrics)(nil)
	_ web.Meter     = (*Metrics)(nil)
	_ web.Feature   = (*Metrics)(nil)
)

// A Queue is the run manager as the metrics read it at each scrape
// (runs.Manager).
type Queue interface {
	// Queue returns how many runs execute and wait now.
	Queue() (running, waiting int)
	// SlotsBusy returns how many runner slots execute a run or are lent.
	SlotsBusy() int
}

var _ Queue = (*runs.Manager)(nil)

// New returns the metrics of a server with slots local runner slots; the
// Go runtime's and the process's own metrics come along. Watch gives them
// the queue to read, once there is one.
func New(slots int) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg:   reg,
		queue: new(atomic.Pointer[Queue]),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lab_runs_finished_total", Help: "Runs that have ended, by final status.",
		}, []string{"status"}),
		wait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "lab_run_queue_wait_seconds", Help: "How long runs waited in the queue for a runner slot.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600},
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "lab_run_duration_seconds", Help: "How long runs executed, from start to end.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300},
		}),
		sockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "lab_sockets_open", Help: "Run websockets open now.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lab_messages_dropped_total", Help: "Progress and sample events a slow client skipped (a later one superseded them).",
		}),
		builds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lab_builds_total", Help: "Builds of learners' code, by result.",
		}, []string{"result"}),
	}
	for _, s := range []runs.Status{runs.StatusDone, runs.StatusFailed, runs.StatusCancelled, runs.StatusInterrupted} {
		m.finished.WithLabelValues(string(s)) // present at 0 from the start
	}
	runsNow := prometheus.NewDesc("lab_runs", "Runs queued or running now, by status.", []string{"status"}, nil)
	reg.MustRegister(m.finished, m.wait, m.duration, m.sockets, m.dropped, m.builds,
		queueCollector{queue: m.queue, runs: runsNow, slots: slots},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Watch makes the metrics read q at each scrape. The run manager is made
// with the metrics as its observer, so it comes after them.
func (m *Metrics) Watch(q Queue) { m.queue.Store(&q) }

// RunStarted implements runs.Observer.
func (m *Metrics) RunStarted(waited time.Duration) { m.wait.Observe(waited.Seconds()) }

// RunFinished implements runs.Observer.
func (m *Metrics) RunFinished(status runs.Status, ran time.Duration) {
	m.finished.WithLabelValues(string(status)).Inc()
	if ran > 0 {
		m.duration.Observe(ran.Seconds())
	}
}

// SocketOpened implements web.Meter.
func (m *Metrics) SocketOpened() { m.sockets.Inc() }

// SocketClosed implements web.Meter.
func (m *Metrics) SocketClosed() { m.sockets.Dec() }

// Dropped implements web.Meter.
func (m *Metrics) Dropped(n int) { m.dropped.Add(float64(n)) }

// Build counts one build of a learner's code with its result, a short
// fixed word such as "ok", "refused" (checks before building), "failed"
// (the compiler's errors) or "error" (the build service's own failure):
// lab_builds_total{result}. Keep the words few: each is a time series.
func (m *Metrics) Build(result string) { m.builds.WithLabelValues(result).Inc() }

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Routes implements web.Feature: GET /metrics.
func (m *Metrics) Routes() []serve.Route {
	return []serve.Route{{Pattern: "GET /metrics", Handler: m.Handler()}}
}

// queueCollector reads the queue when scraped, so its gauges are never
// out of step with the manager.
type queueCollector struct {
	queue *atomic.Pointer[Queue]
	runs  *prometheus.Desc
	slots int
}

var (
	queueLength = prometheus.NewDesc("lab_queue_length", "Runs waiting for a runner slot.", nil, nil)
	slotsDesc   = prometheus.NewDesc("lab_runner_slots", "Local runner slots.", nil, nil)
	busyDesc    = prometheus.NewDesc("lab_runner_slots_busy", "Local runner slots executing a run.", nil, nil)
)

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.runs
	ch <- queueLength
	ch <- slotsDesc
	ch <- busyDesc
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	var running, waiting, busy int
	if q := c.queue.Load(); q != nil {
		running, waiting = (*q).Queue()
		busy = (*q).SlotsBusy()
	}
	ch <- prometheus.MustNewConstMetric(c.runs, prometheus.GaugeValue, float64(waiting), string(runs.StatusQueued))
	ch <- prometheus.MustNewConstMetric(c.runs, prometheus.GaugeValue, float64(running), string(runs.StatusRunning))
	ch <- prometheus.MustNewConstMetric(queueLength, prometheus.GaugeValue, float64(waiting))
	ch <- prometheus.MustNewConstMetric(slotsDesc, prometheus.GaugeValue, float64(c.slots))
	ch <- prometheus.MustNewConstMetric(busyDesc, prometheus.GaugeValue, float64(busy))
}
