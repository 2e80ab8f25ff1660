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

	mu      sync.Mutex // guards workers, lanes and watched, appended to by stage goroutines
	workers []*worker
	lanes   []*lane
	// watched are the other stages' workers, whose lanes the sampler marks
	// in every tick in which they passed an item on: their own work takes
	// nanoseconds an item, too little to time without slowing them.
	watched []*watchedWorker

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
// Every worker has a lane, numbered stage*100 + id so the timeline lists
// the stages in order; the others are watched by the sampler.
func (p *probe) worker(st stage, id int) *worker {
	w := &worker{stage: st}
	l := &lane{em: p.em, id: int(st)*100 + id, label: st.String(), start: p.start}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.workers = append(p.workers, w)
	if st == p.s.slow {
		w.cost, w.io, w.spins = p.s.cost, p.s.io, p.spins
		w.busy = l.add
		p.lanes = append(p.lanes, l)
	} else {
		p.watched = append(p.watched, &watchedWorker{w: w, lane: l})
	}
	return w
}

// A watchedWorker is a fast stage's worker and its lane, which only the
// sampler (and finish, once it stopped) uses.
type watchedWorker struct {
	w    *worker
	lane *lane
	seen int64 // items done at the last tick
}

// mark extends the lanes of the watched workers that did an item since
// the tick at last.
func (p *probe) mark(last, now time.Time) {
	p.mu.Lock()
	watched := p.watched
	p.mu.Unlock()
	for _, ww := range watched {
		if n := ww.w.items.Load(); n > ww.seen {
			ww.seen = n
			ww.lane.add(last, now)
		}
	}
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
	last := time.Now()
	for {
		select {
		case <-p.stop:
			p.mark(last, time.Now())
			return
		case <-tick.C:
			// a tick's own time may be older than last, if it waited
			now := time.Now()
			p.mark(last, now)
			last = now
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
	for _, ww := range p.watched {
		ww.lane.flush()
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
