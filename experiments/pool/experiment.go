// Package pool is a bounded pool of connections: many goroutines, each
// needing one of K connections to a database that refuses the K+1st,
// bounded with a semaphore, a buffered channel and an errgroup's limit,
// against no bound at all.
package pool

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"concurrencylab/lab"
)

// The files a learner reads: the pools, and the pretend database with
// the requests that use it.
var (
	//go:embed pool.go
	poolSource string
	//go:embed database.go
	databaseSource string
)

const (
	// MaxWork bounds the bounded variants' time: requests × query ÷
	// connections at most a second per trial, a sleep counting as at
	// least minSleep.
	MaxWork = time.Second
	// minSleep is about the shortest sleep Linux gives a Go program.
	minSleep = time.Millisecond
)

// Experiment is the connection pool.
type Experiment struct{}

var (
	_ lab.Experiment = Experiment{}
	_ lab.Judge      = Experiment{}
)

// variants are the pools, in the order the page shows them.
var variants = []struct {
	lab.Variant
	run func(*Database, *requests)
}{
	{lab.Variant{Name: "semaphore", Summary: "a goroutine per request; a semaphore.Weighted of K units lets K of them connect at once", Baseline: true}, requestsSemaphore},
	{lab.Variant{Name: "channel", Summary: "a buffered channel holds K open connections; a request takes one and puts it back"}, requestsChannel},
	{lab.Variant{Name: "errgroup", Summary: "errgroup with SetLimit(K): at most K goroutines exist, each connects for its request"}, requestsErrgroup},
	{lab.Variant{Name: "unbounded", Summary: "no limit: every request connects at once, and those past K are refused"}, requestsUnbounded},
}

// bounded reports whether a variant keeps to K connections.
func bounded(variant string) bool { return variant != "unbounded" }

func pool(variant string) func(*Database, *requests) {
	v, _ := lab.Lookup(variants, variant)
	return v.run
}

// Info implements lab.Experiment.
func (Experiment) Info() lab.Info {
	return lab.Info{
		ID:      "pool",
		Title:   "A bounded pool of connections",
		Summary: "Many goroutines share K connections to a database that refuses one more: a semaphore, a channel of connections, errgroup's limit, and no limit at all.",
		Lesson:  lesson,
		Params: []lab.Param{
			{Name: "requests", Label: "Requests", Kind: lab.KindInt, Default: "200", Min: 1, Max: 10_000,
				Help: "requests that arrive at once, each needing a connection for one query"},
			{Name: "connections", Label: "Connections (K)", Kind: lab.KindInt, Default: "4", Min: 1, Max: 64,
				Help: "the most connections the database accepts at once, and the pool's size"},
			{Name: "query", Label: "Query time", Kind: lab.KindDuration, Default: "2ms", Min: 0, Max: 50,
				Help: "how long each query holds its connection (0 for none; shorter sleeps than 1ms take about 1ms)"},
		},
		Variants: lab.VariantsOf(variants),
		Figures: []lab.Figure{
			{Key: "max_in_use", Label: "Most connections", Main: true,
				Help: "the most connections open (or being opened) at once, as the database saw them"},
			{Key: "limit", Label: "Limit (K)", Help: "the connections the database accepts at once"},
			{Key: "failures", Label: "Failed requests", Help: "requests whose connection the database refused"},
			{Key: "wait_ms_p50", Label: "Wait, median", Unit: "ms", Help: "from a request's arrival to its connection, the median request"},
			{Key: "wait_ms_p99", Label: "Wait, p99", Unit: "ms", Help: "from a request's arrival to its connection, the 99th percentile"},
		},
		Charts: []lab.Chart{{Series: "open", Title: "Connections open", Unit: "connections"}},
		Source: []lab.SourceFile{
			{Name: "pool.go", Code: poolSource},
			{Name: "database.go", Code: databaseSource},
		},
		Repeat: 6,
		Check:  check,
		Edit:   edit,
	}
}

func check(p lab.Params) error {
	q := p.Duration("query")
	if q > 0 {
		q = max(q, minSleep)
	}
	work := time.Duration(p.Int("requests")) * q / time.Duration(p.Int("connections"))
	if work > MaxWork {
		return &lab.ParamError{Name: "requests × query ÷ connections",
			Msg: fmt.Sprintf("must be at most %s (sleeps count as at least %s), got %s", MaxWork, minSleep, work)}
	}
	return nil
}

// Trial implements lab.Experiment.
func (Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	run := pool(variant)
	if run == nil {
		return lab.Trial{}, fmt.Errorf("pool: unknown variant %q", variant)
	}
	k := p.Int("connections")
	db := &Database{limit: k, query: p.Duration("query"), em: em}
	r := &requests{ctx: ctx, n: p.Int("requests"), limit: k, em: em, start: time.Now()}
	run(db, r)
	elapsed := time.Since(r.start)
	if err := ctx.Err(); err != nil {
		return lab.Trial{}, err
	}
	return lab.Trial{
		Elapsed:  elapsed,
		Expected: lab.Int64(int64(r.n)),
		Got:      lab.Int64(r.served.Load()),
		Extra: map[string]any{
			"limit":       k,
			"max_in_use":  db.maxOpen.Load(),
			"failures":    r.failed.Load(),
			"wait_ms_p50": r.percentile(50),
			"wait_ms_p99": r.percentile(99),
		},
	}, nil
}
