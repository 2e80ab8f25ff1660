package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"
)

var variants = []string{"polling", "spinning", "channels", "buffered", "fan-out"}

// checkOutput fails the test unless out holds 2*i+1 for every i below n,
// each once, and, if ordered, in order.
func checkOutput(t *testing.T, out []int, n int, ordered bool) {
	t.Helper()
	if len(out) != n {
		t.Fatalf("got %d items out, want %d", len(out), n)
	}
	got, wrong, reordered := tally(out, n)
	if got != n || wrong != 0 {
		t.Errorf("got %d right and %d wrong items, want %d right and 0 wrong", got, wrong, n)
	}
	if ordered && reordered != 0 {
		t.Errorf("got %d items out of order, want 0", reordered)
	}
}

func TestVariantsAreCorrect(t *testing.T) {
	type test struct {
		name, variant, q string
		items            int
	}
	var tests []test
	for _, v := range variants {
		for _, items := range []int{1, 7, 500} {
			for _, slow := range []string{"none", "produce", "double", "increment"} {
				q := fmt.Sprintf("items=%d&slow=%s&cost=20us&poll=200us&buffer=4&workers=3", items, slow)
				tests = append(tests, test{fmt.Sprintf("%s/%d/%s", v, items, slow), v, q, items})
			}
		}
	}
	tests = append(tests,
		test{"fan-out/1 worker", "fan-out", "items=300&slow=double&cost=20us&workers=1", 300},
		test{"fan-out/io", "fan-out", "items=200&slow=increment&cost=100us&cost_kind=io&workers=8", 200},
		test{"buffered/buffer 1", "buffered", "items=300&slow=produce&cost=20us&buffer=1", 300},
		test{"polling/io", "polling", "items=100&slow=double&cost=100us&cost_kind=io", 100},
		test{"channels/many", "channels", "items=100000&slow=none", 100_000},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Experiment{}.Trial(context.Background(), tt.variant, params(t, tt.q), nopEmitter{})
			if err != nil {
				t.Fatal(err)
			}
			if *tr.Expected != int64(tt.items) || *tr.Got != int64(tt.items) {
				t.Errorf("got %d of %d, want %d of %d", *tr.Got, *tr.Expected, tt.items, tt.items)
			}
			if w, ok := tr.Extra["wrong"]; ok {
				t.Errorf("got %v wrong items, want none", w)
			}
			// One worker per stage passes items on in order.
			if r := tr.Extra["reordered"]; tt.variant != "fan-out" && r != 0 {
				t.Errorf("got %v items out of order, want 0", r)
			}
		})
	}
}

// Run functions called directly, with no items and with the ordering each
// promises.
func TestRunFunctions(t *testing.T) {
	for _, v := range variants {
		for _, n := range []int{0, 1, 1000} {
			t.Run(fmt.Sprintf("%s/%d", v, n), func(t *testing.T) {
				s := settings{items: n, slow: -1, buffer: 3, workers: 4, poll: 100 * time.Microsecond}
				p := newProbe(nopEmitter{}, s)
				var out []int
				within(t, v, func() { out = runs[v](context.Background(), s, p) })
				p.finish()
				checkOutput(t, out, n, v != "fan-out")
			})
		}
	}
}

// A cancel in the middle of a run stops every stage promptly and leaves no
// goroutine behind. The runs are far longer than waitTimeout if nothing
// stops them: 100,000 items at 1 ms of slow work each.
func TestCancelStopsEveryStage(t *testing.T) {
	type test struct {
		name, variant string
		s             settings
		after         time.Duration
	}
	var tests []test
	for _, v := range variants {
		for _, slow := range []stage{produce, double, increment} {
			for _, io := range []bool{false, true} {
				s := settings{items: 100_000, slow: slow, cost: time.Millisecond, io: io,
					buffer: 5, workers: 3, poll: 50 * time.Millisecond}
				tests = append(tests, test{fmt.Sprintf("%s/%s/io=%t", v, slow, io), v, s, 30 * time.Millisecond})
			}
		}
		tests = append(tests, test{v + "/cancelled before start", v,
			settings{items: 100_000, slow: double, cost: time.Millisecond, buffer: 5, workers: 3, poll: time.Millisecond}, 0})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.after == 0 {
				cancel()
			} else {
				timer := time.AfterFunc(tt.after, cancel)
				defer timer.Stop()
			}
			p := newProbe(nopEmitter{}, tt.s)
			var out []int
			within(t, "a cancelled run", func() {
				out = runs[tt.variant](ctx, tt.s, p)
				p.finish()
			})
			if len(out) >= tt.s.items {
				t.Errorf("got %d items out, want fewer than %d after a cancel", len(out), tt.s.items)
			}
			if _, wrong, _ := tally(out, tt.s.items); wrong != 0 {
				t.Errorf("got %d wrong items before the cancel, want 0", wrong)
			}
			goleak.VerifyNone(t)
		})
	}
}

func TestTrialReportsCancel(t *testing.T) {
	for _, v := range variants {
		t.Run(v, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			timer := time.AfterFunc(20*time.Millisecond, cancel)
			defer timer.Stop()
			defer cancel()
			var err error
			within(t, "a cancelled trial", func() {
				_, err = Experiment{}.Trial(ctx, v, params(t, "items=1000&slow=double&cost=1ms"), nopEmitter{})
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("got error %v, want context.Canceled", err)
			}
			goleak.VerifyNone(t)
		})
	}
}

// Three polling workers (double, increment, collector) each make one look
// that finds an item per item; every other look found the queue empty.
func TestPollsAreCounted(t *testing.T) {
	tests := []struct {
		name, q string
		items   int
	}{
		{"slow double", "items=50&slow=double&cost=1ms&poll=200us", 50},
		{"slow produce", "items=50&slow=produce&cost=1ms&poll=1ms", 50},
		{"no slow stage", "items=2000&slow=none&poll=100us", 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Experiment{}.Trial(context.Background(), "polling", params(t, tt.q), nopEmitter{})
			if err != nil {
				t.Fatal(err)
			}
			polls, wasted := tr.Extra["polls"].(int), tr.Extra["polls_wasted"].(int)
			if polls != 3*tt.items+wasted {
				t.Errorf("got %d polls with %d wasted, want %d + %d", polls, wasted, 3*tt.items, wasted)
			}
			// The first result needs at least one cost's work: the collector
			// has looked at an empty queue by then.
			if tt.name != "no slow stage" && wasted == 0 {
				t.Errorf("got 0 wasted polls, want some")
			}
		})
	}
	for _, v := range variants {
		if v == "polling" || v == "spinning" {
			continue
		}
		tr, err := Experiment{}.Trial(context.Background(), v, params(t, "items=10&slow=none"), nopEmitter{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tr.Extra["polls_wasted"]; ok {
			t.Errorf("%s: got polls_wasted %v, want none: it does not poll", v, tr.Extra["polls_wasted"])
		}
	}
}

// The sampler sees the queue in front of the slow stage fill up: all the
// items in polling's unbounded queue, the whole buffer in buffered, and
// never anything in an unbuffered channel.
func TestPeakDepths(t *testing.T) {
	tests := []struct {
		variant  string
		q        string
		key      string
		min      int
		max      int
		backedUp string
	}{
		{"polling", "items=300&slow=double&cost=500us", "peak_depth:double", 75, 300, "double"},
		{"polling", "items=300&slow=increment&cost=500us", "peak_depth:increment", 75, 300, "increment"},
		{"buffered", "items=300&slow=double&cost=500us&buffer=10", "peak_depth:double", 10, 10, "double"},
		{"buffered", "items=300&slow=increment&cost=500us&buffer=10", "peak_depth:increment", 10, 10, "increment"},
		{"fan-out", "items=300&slow=double&cost=500us&cost_kind=io&buffer=10&workers=2", "peak_depth:double", 10, 10, "double"},
		{"channels", "items=300&slow=double&cost=500us", "peak_depth:double", 0, 0, "none"},
		{"channels", "items=300&slow=double&cost=500us", "peak_depth:increment", 0, 0, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.variant+"/"+tt.key, func(t *testing.T) {
			rec := newRecorder()
			tr, err := Experiment{}.Trial(context.Background(), tt.variant, params(t, tt.q), rec)
			if err != nil {
				t.Fatal(err)
			}
			if d := tr.Extra[tt.key].(int); d < tt.min || d > tt.max {
				t.Errorf("got %s %d, want %d..%d", tt.key, d, tt.min, tt.max)
			}
			if f := tr.Extra["backed_up"]; f != tt.backedUp {
				t.Errorf("got backed-up queue %v, want %s", f, tt.backedUp)
			}
			for _, st := range queueStages {
				if rec.series["queue:"+st.String()] == 0 {
					t.Errorf("got no samples of queue:%s", st)
				}
			}
			if rec.done != 300 || rec.total != 300 {
				t.Errorf("got last progress %d of %d, want 300 of 300", rec.done, rec.total)
			}
		})
	}
}

// The timeline has a lane per worker of every stage, numbered stage*100 +
// worker and labelled with its stage; the slow stage's lanes are its
// timed work. Spans are merged: a few per lane rather than one per item.
func TestTimeline(t *testing.T) {
	tests := []struct {
		variant, q string
		slow       []int // the slow stage's lanes
		label      string
		lanes      int // lanes in all
	}{
		{"polling", "items=300&slow=double&cost=200us", []int{100}, "double", 4},
		{"channels", "items=300&slow=increment&cost=200us", []int{200}, "increment", 4},
		{"buffered", "items=300&slow=produce&cost=200us", []int{0}, "produce", 4},
		{"fan-out", "items=300&slow=double&cost=200us&workers=3", []int{100, 101, 102}, "double", 10},
		{"fan-out", "items=300&slow=double&cost=200us&cost_kind=io&workers=3", []int{100, 101, 102}, "double", 10},
		{"buffered", "items=300&slow=none", nil, "", 4},
	}
	for _, tt := range tests {
		t.Run(tt.variant+"/"+tt.q, func(t *testing.T) {
			rec := newRecorder()
			if _, err := (Experiment{}).Trial(context.Background(), tt.variant, params(t, tt.q), rec); err != nil {
				t.Fatal(err)
			}
			var workers, slow []int
			for _, s := range rec.spans {
				if !slices.Contains(workers, s.worker) {
					workers = append(workers, s.worker)
				}
				if want := stage(s.worker / 100).String(); s.label != want {
					t.Errorf("worker %d: got span label %q, want its stage %q", s.worker, s.label, want)
				}
				if s.label == tt.label && !slices.Contains(slow, s.worker) {
					slow = append(slow, s.worker)
				}
				if !s.end.After(s.start) {
					t.Errorf("worker %d: got span %v..%v, want a positive length", s.worker, s.start, s.end)
				}
			}
			slices.Sort(slow)
			if !slices.Equal(slow, tt.slow) {
				t.Errorf("got slow-stage lanes %v, want %v", slow, tt.slow)
			}
			if len(workers) != tt.lanes {
				t.Errorf("got lanes %v, want %d: every worker of every stage", workers, tt.lanes)
			}
			if len(rec.spans) > 100*tt.lanes {
				t.Errorf("got %d spans on %d lanes for 300 items, want them merged", len(rec.spans), tt.lanes)
			}
		})
	}
}

func TestLaneMergesShortGaps(t *testing.T) {
	rec := newRecorder()
	t0 := time.Now()
	l := &lane{em: rec, id: 100, label: "double", start: t0}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	l.add(at(0), at(100*time.Microsecond))
	l.add(at(110*time.Microsecond), at(200*time.Microsecond))  // 10µs gap: merged
	l.add(at(time.Millisecond), at(1100*time.Microsecond))     // 800µs gap: a new span
	l.add(at(50*time.Millisecond), at(51*time.Millisecond))    // 49ms gap: a new span
	l.add(at(51500*time.Microsecond), at(52*time.Millisecond)) // 500µs gap, under 1% of 51ms: merged
	l.flush()
	want := []span{
		{100, at(0), at(200 * time.Microsecond), "double"},
		{100, at(time.Millisecond), at(1100 * time.Microsecond), "double"},
		{100, at(50 * time.Millisecond), at(52 * time.Millisecond), "double"},
	}
	if !slices.Equal(rec.spans, want) {
		t.Errorf("got spans %v, want %v", rec.spans, want)
	}
}

func TestTally(t *testing.T) {
	tests := []struct {
		name                  string
		out                   []int
		n                     int
		got, wrong, reordered int
	}{
		{"in order", []int{1, 3, 5, 7}, 4, 4, 0, 0},
		{"swapped", []int{3, 1, 5, 7}, 4, 4, 0, 1},
		{"reversed", []int{7, 5, 3, 1}, 4, 4, 0, 3},
		{"missing", []int{1, 3}, 4, 2, 0, 0},
		{"duplicate", []int{1, 1, 3}, 4, 2, 1, 0},
		{"even", []int{1, 4, 5}, 4, 2, 1, 0},
		{"too big", []int{1, 9}, 4, 1, 1, 0},
		{"negative and zero", []int{-1, 0, -3}, 4, 0, 3, 0},
		{"empty", nil, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, wrong, reordered := tally(tt.out, tt.n)
			if got != tt.got || wrong != tt.wrong || reordered != tt.reordered {
				t.Errorf("tally(%v, %d) = %d, %d, %d; want %d, %d, %d", tt.out, tt.n, got, wrong, reordered, tt.got, tt.wrong, tt.reordered)
			}
		})
	}
}

// spin is CPU work of a fixed size, calibrated once.
func TestSpinCalibration(t *testing.T) {
	if r := spinRate(); r <= 0 {
		t.Fatalf("got spin rate %g turns/ns, want a positive rate", r)
	}
	if spin(1000) == spin(1001) {
		t.Errorf("spin(1000) == spin(1001): the loop is not doing its work")
	}
}

// cost_us is what the slow stage's cost took on the wall clock: present
// only with a slow stage, and never less than a sleep asked for.
func TestCostIsMeasured(t *testing.T) {
	tests := []struct {
		q       string
		present bool
		atLeast float64
	}{
		{"items=50&slow=double&cost=200us", true, 0},
		{"items=50&slow=produce&cost=200us&cost_kind=io", true, 200},
		{"items=50&slow=none", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			tr, err := Experiment{}.Trial(context.Background(), "buffered", params(t, tt.q), nopEmitter{})
			if err != nil {
				t.Fatal(err)
			}
			c, ok := tr.Extra["cost_us"].(float64)
			if ok != tt.present {
				t.Fatalf("got cost_us %v, want present %t", tr.Extra["cost_us"], tt.present)
			}
			if ok && (c <= 0 || c < tt.atLeast) {
				t.Errorf("got cost_us %g, want more than 0 and at least %g", c, tt.atLeast)
			}
		})
	}
}

// Spinning looks again at once where polling sleeps: waiting on a slow I/O
// stage, it burns far more CPU time per item.
func TestSpinningBurnsCPU(t *testing.T) {
	q := "items=100&slow=double&cost=1ms&cost_kind=io&poll=1ms"
	perItem := map[string]float64{}
	for _, v := range []string{"polling", "spinning"} {
		tr, err := Experiment{}.Trial(context.Background(), v, params(t, q), nopEmitter{})
		if err != nil {
			t.Fatal(err)
		}
		if *tr.Got != 100 || tr.CPU <= 0 {
			t.Fatalf("%s: got %d of 100 items, CPU %s, want all and the CPU time measured", v, *tr.Got, tr.CPU)
		}
		perItem[v] = tr.Extra["cpu_us_per_item"].(float64)
	}
	if perItem["spinning"] < 5*perItem["polling"] {
		t.Errorf("got CPU per item %v µs spinning and %v µs polling, want spinning at least 5× polling", perItem["spinning"], perItem["polling"])
	}
}
