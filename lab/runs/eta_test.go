package runs

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// queuedETAs returns the eta_s of every queued status event of a log, -1
// where one has none.
func queuedETAs(t *testing.T, evs []Event) []float64 {
	t.Helper()
	var out []float64
	for _, e := range evs {
		f := fields(t, e)
		if e.Type != event.TypeStatus || f["state"] != string(StatusQueued) {
			continue
		}
		eta, ok := f["eta_s"].(float64)
		if !ok {
			eta = -1
		}
		out = append(out, eta)
	}
	return out
}

func TestManagerETA(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 1})
	// No history yet: a queued run gets no estimate.
	first := submit(t, m, "first")
	c := g.expect(t, "first")
	second := submit(t, m, "second")
	time.Sleep(30 * time.Millisecond)
	c.reply <- reply{}
	g.expect(t, "second").reply <- reply{}
	finished(t, m, first.ID)
	finished(t, m, second.ID)
	if got := queuedETAs(t, events(t, m, second.ID).Events(0)); !slices.Equal(got, []float64{-1}) {
		t.Errorf("with no history: got queued eta_s %v, want none ([-1])", got)
	}

	// The experiment has run: three runs in line, the third waits for two.
	a := submit(t, m, "A")
	ca := g.expect(t, "A")
	b := submit(t, m, "B")
	third := submit(t, m, "C")
	evs := events(t, m, third.ID).Events(0)
	etas := queuedETAs(t, evs)
	if len(etas) != 1 || etas[0] <= 0 {
		t.Fatalf("got the third run's queued eta_s %v, want one above 0", etas)
	}
	if bETA := queuedETAs(t, events(t, m, b.ID).Events(0)); len(bETA) != 1 || bETA[0] > etas[0] {
		t.Errorf("got eta_s %v for the second run and %v for the third, want the second's no later", bETA, etas)
	}
	ca.reply <- reply{}
	g.expect(t, "B").reply <- reply{}
	g.expect(t, "C").reply <- reply{}
	for _, id := range []string{a.ID, b.ID, third.ID} {
		finished(t, m, id)
	}
}

// TestManagerETAModel checks the estimate against the formula on a
// line of one experiment: ceil(position / slots) runs of its typical time
// after what remains of the runs executing now.
func TestManagerETAModel(t *testing.T) {
	now := time.Now()
	tests := []struct {
		slots    int
		running  []time.Duration // how long each running run has run
		position int             // 1 is next
		want     float64
	}{
		{slots: 1, running: []time.Duration{4 * time.Second}, position: 1, want: 6 + 10},
		{slots: 1, running: []time.Duration{4 * time.Second}, position: 3, want: 6 + 30},
		{slots: 2, running: []time.Duration{4 * time.Second, 8 * time.Second}, position: 1, want: 2 + 10},
		{slots: 2, running: []time.Duration{4 * time.Second, 8 * time.Second}, position: 2, want: 6 + 10},
		{slots: 2, running: []time.Duration{4 * time.Second, 8 * time.Second}, position: 3, want: 2 + 20},
		{slots: 2, running: []time.Duration{12 * time.Second}, position: 1, want: 10}, // a free slot; the overdue run counts 0
		{slots: 1, running: []time.Duration{20 * time.Second}, position: 2, want: 20},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d slots, position %d", tt.slots, tt.position), func(t *testing.T) {
			m := &Manager{cfg: Config{Parallel: tt.slots}, history: map[string][]float64{"x": {9, 10, 11}}}
			for i, d := range tt.running {
				started := now.Add(-d)
				m.running = append(m.running, &liveRun{slot: i, run: Run{Experiment: "x", Started: &started}})
			}
			for range tt.position {
				m.queue = append(m.queue, &liveRun{run: Run{Experiment: "x"}})
			}
			got, ok := m.etaLocked(tt.position-1, now)
			if !ok || math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("got %v, %v, want %v", got, ok, tt.want)
			}
		})
	}
}

func TestManagerRecordsFiveRuns(t *testing.T) {
	m := &Manager{history: map[string][]float64{}}
	for i := range 7 {
		m.recordLocked("x", time.Duration(i+1)*time.Second)
	}
	if got, want := m.history["x"], []float64{3, 4, 5, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("got history %v, want the last five %v", got, want)
	}
	if got, _ := m.typicalLocked("x"); got != 5 {
		t.Errorf("got typical %v, want the median 5", got)
	}
}

func TestManagerSlots(t *testing.T) {
	m, _, g := gated(t, Config{Slots: [][]int{{4, 5}, {6, 7}}})
	exp, _ := m.Experiment("fake")
	if got := lab.MaxCores(exp.Info()); got != 2 {
		t.Errorf("got the experiment's cores %d, want the slot's 2", got)
	}
	a := submit(t, m, "A")
	b := submit(t, m, "B", "cores", "1")
	first, second := g.next(t), g.next(t)
	ra, rb := get(t, m, a.ID), get(t, m, b.ID)
	if !slices.Equal(ra.Env.CPUs, []int{4, 5}) || ra.Env.GOMAXPROCS != 2 || ra.Env.Runner != "local/1" || ra.Env.NumCPU != 2 {
		t.Errorf("run A: got env %+v, want CPUs [4 5], GOMAXPROCS 2, runner local/1, num_cpu 2", ra.Env)
	}
	if !slices.Equal(rb.Env.CPUs, []int{6}) || rb.Env.GOMAXPROCS != 1 || rb.Env.Runner != "local/2" || rb.Env.NumCPU != 2 {
		t.Errorf("run B: got env %+v, want CPUs [6] (one core of its slot), GOMAXPROCS 1, runner local/2, num_cpu 2", rb.Env)
	}
	first.reply <- reply{}
	c := submit(t, m, "C")
	if first.tag == "A" {
		second.reply <- reply{}
	}
	third := g.expect(t, "C")
	third.reply <- reply{}
	if first.tag != "A" {
		second.reply <- reply{}
	}
	finished(t, m, c.ID)
	if got := get(t, m, c.ID).Env.Runner; got != "local/1" && got != "local/2" {
		t.Errorf("run C: got runner %q, want a freed slot", got)
	}
	if _, err := lab.ParseMap(exp.Info(), map[string]string{"cores": "3"}); err == nil || err.Error() != "cores must be 1..2, got 3" {
		t.Errorf("got error %v, want cores must be 1..2, got 3", err)
	}
}

// TestManagerForecast checks the forecast of n more runs: they queue
// behind the runs waiting and go on the slots as they free up, so the last
// ends ceil((waiting + n) / slots) runs after what remains of the running.
func TestManagerForecast(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name    string
		slots   int
		running []time.Duration
		queued  int
		n       int
		want    float64
	}{
		{name: "idle, one slot", slots: 1, n: 3, want: 30},
		{name: "idle, two slots", slots: 2, n: 3, want: 20},
		{name: "behind a running run", slots: 1, running: []time.Duration{4 * time.Second}, n: 2, want: 6 + 20},
		{name: "behind the queue", slots: 2, running: []time.Duration{4 * time.Second, 8 * time.Second}, queued: 2, n: 2, want: 6 + 20},
		{name: "no runs", slots: 1, running: []time.Duration{4 * time.Second}, n: 0, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Manager{cfg: Config{Parallel: tt.slots}, history: map[string][]float64{"x": {9, 10, 11}}}
			for i, d := range tt.running {
				started := now.Add(-d)
				m.running = append(m.running, &liveRun{slot: i, run: Run{Experiment: "x", Started: &started}})
			}
			for range tt.queued {
				m.queue = append(m.queue, &liveRun{run: Run{Experiment: "x"}})
			}
			got, ok := m.forecastLocked("x", tt.n, now)
			if !ok || math.Abs(got.Total-tt.want) > 1e-9 || got.Each != 10 || got.Slots != tt.slots {
				t.Errorf("got %+v, %v, want total %v, each 10, %d slots", got, ok, tt.want, tt.slots)
			}
		})
	}
	m := &Manager{cfg: Config{Parallel: 1}, history: map[string][]float64{}}
	if _, ok := m.forecastLocked("x", 3, now); ok {
		t.Error("got a forecast without history, want none")
	}
}

// TestManagerETAOfRun checks ETA for a queued run (its status event's
// figure), a running one (what remains of its typical time, never below
// zero) and one the manager does not hold.
func TestManagerETAOfRun(t *testing.T) {
	now := time.Now()
	started := now.Add(-4 * time.Second)
	late := now.Add(-40 * time.Second)
	m := &Manager{cfg: Config{Parallel: 2}, history: map[string][]float64{"x": {10}}}
	m.running = []*liveRun{
		{slot: 0, run: Run{ID: "a", Experiment: "x", Started: &started}},
		{slot: 1, run: Run{ID: "b", Experiment: "x", Started: &late}},
	}
	m.queue = []*liveRun{{run: Run{ID: "c", Experiment: "x"}}}
	for _, tt := range []struct {
		id   string
		want float64
		ok   bool
	}{{"a", 6, true}, {"b", 0, true}, {"c", 10, true}, {"gone", 0, false}} {
		got, ok := m.ETA(tt.id)
		if ok != tt.ok || math.Abs(got-tt.want) > 0.5 {
			t.Errorf("ETA(%s): got %v, %v, want %v, %v", tt.id, got, ok, tt.want, tt.ok)
		}
	}
}
