package pipeline

import (
	"sync"
	"time"

	"concurrencylab/lab"
)

// sampleEvery is how often the sampler reads the queues' depths: often
// enough to see a queue fill, seldom enough to cost nothing measurable.
const sampleEvery = time.Millisecond

// minSamples is the fewest depth samples a trial needs before its queue
// depths say anything about where items piled up.
const minSamples = 3

// mergeGap is the shortest idle gap that ends a span on the timeline. Gaps
// shorter than it, or than 1% of the trial so far, are drawn as busy: a
// timeline of the whole trial could not show them, and a span per item
// would flood it.
const mergeGap = 50 * time.Microsecond

// queueStages are the stages that read from a queue, in the order of the
// depths a run function's watch reports: the producer has no input queue.
var queueStages = [3]stage{double, increment, collect}

// A probe is how the lab watches one trial's pipeline: it makes the
// workers, times the slow stage's work for the timeline, samples the
// queues' depths and reports progress. Nothing in the pipeline depends on
// what it measures.
type probe struct {
	em    lab.Emitter
	s     settings
	spins int // spin turns that take s.cost
	start time.Time

	mu      sync.Mutex // guards workers and lanes, appended to by stage goroutines
	workers []*worker
	lanes   []*lane

	// The sampler's: written by its goroutine, read once it has stopped.
	peaks   [3]int
	sums    [3]int
	samples int
	stop    chan struct{} // nil until watch starts the sampler
	done    chan struct{}
}

func newProbe(em lab.Emitter, s settings) *probe {
	p := &probe{em: em, s: s, start: time.Now()}
	if s.slow >= 0 && !s.io {
		p.spins = int(float64(s.cost) * spinRate())
	}
	return p
}

// worker makes worker id of stage st. The slow stage's workers get the
// cost and a lane on the timeline.
func (p *probe) worker(st stage, id int) *worker {
	w := &worker{stage: st}
	var l *lane
	if st == p.s.slow {
		w.cost, w.io, w.spins = p.s.cost, p.s.io, p.spins
		l = &lane{em: p.em, id: int(st)*100 + id, label: st.String(), start: p.start}
		w.busy = l.add
	}
	p.mu.Lock()
	p.workers = append(p.workers, w)
	if l != nil {
		p.lanes = append(p.lanes, l)
	}
	p.mu.Unlock()
	return w
}

// watch starts the sampler, which reads the depths of the queues in front
// of double, increment and the collector every sampleEvery.
func (p *probe) watch(depths func() [3]int) {
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.sample(depths)
}

func (p *probe) sample(depths func() [3]int) {
	defer close(p.done)
	tick := time.NewTicker(sampleEvery)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
			d := depths()
			for i, st := range queueStages {
				p.em.Sample("queue:"+st.String(), float64(d[i]))
				p.peaks[i] = max(p.peaks[i], d[i])
				p.sums[i] += d[i]
			}
			p.samples++
			p.em.Progress(p.collected(), int64(p.s.items), "items")
		}
	}
}

// collected returns the items the collector has kept so far.
func (p *probe) collected() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n int64
	for _, w := range p.workers {
		if w.stage == collect {
			n += w.items.Load()
		}
	}
	return n
}

// A report is what the probe saw of a trial.
type report struct {
	peaks         [3]int        // deepest queue seen in front of double, increment, collect
	means         [3]float64    // their mean depth over the samples
	samples       int           // times the sampler looked
	polls, wasted int           // polling: looks at a queue, and looks that found it empty
	costEach      time.Duration // mean time the slow stage's workers spent on an item's cost
}

// finish stops the sampler and closes the timeline's open spans. Call it
// once the run function has returned: every worker has stopped by then.
func (p *probe) finish() report {
	if p.stop != nil {
		close(p.stop)
		<-p.done
	}
	p.em.Progress(p.collected(), int64(p.s.items), "items")
	r := report{peaks: p.peaks, samples: p.samples}
	for i, sum := range p.sums {
		if p.samples > 0 {
			r.means[i] = float64(sum) / float64(p.samples)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var spent time.Duration
	items := 0
	for _, l := range p.lanes {
		l.flush()
		spent += l.spent
		items += l.items
	}
	if items > 0 {
		r.costEach = spent / time.Duration(items)
	}
	for _, w := range p.workers {
		r.polls += w.polls
		r.wasted += w.wasted
	}
	return r
}

// backedUp names the queue the bottleneck sat behind: the one furthest
// down the line that held at least pile items on average. Behind a
// bottleneck every queue before it fills too (backpressure), and the
// queues after it stay short. It returns "none" if no queue held that
// many, and "" if the sampler looked too few times to say.
func (r report) backedUp(pile float64) string {
	if r.samples < minSamples {
		return ""
	}
	for i := len(queueStages) - 1; i >= 0; i-- {
		if r.means[i] >= max(pile, 1) {
			return queueStages[i].String()
		}
	}
	return "none"
}

// A lane turns one worker's busy stretches into timeline spans, merging
// stretches whose gap is too short to see. Only its worker's goroutine
// uses it, then finish.
type lane struct {
	em       lab.Emitter
	id       int
	label    string
	start    time.Time // the trial's start
	from, to time.Time // the open span; zero if none
	spent    time.Duration
	items    int
}

func (l *lane) add(start, end time.Time) {
	l.spent += end.Sub(start)
	l.items++
	if !l.to.IsZero() && start.Sub(l.to) < max(mergeGap, start.Sub(l.start)/100) {
		l.to = end
		return
	}
	l.flush()
	l.from, l.to = start, end
}

func (l *lane) flush() {
	if !l.to.IsZero() {
		l.em.Span(l.id, l.from, l.to, l.label)
	}
	l.from, l.to = time.Time{}, time.Time{}
}
