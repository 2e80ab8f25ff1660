// Package processes is child processes of the lab's own program: K
// children one after another and all at once beside K goroutines, data
// piped through a child beside a goroutine, a pipeline of two children,
// and a hung child killed at its deadline.
package processes

import (
	_ "embed"
	"fmt"
	"sync"
	"time"

	"concurrencylab/lab"
)

// The files a learner reads: the variants, how a work child is started
// and waited for, and the children's side.
var (
	//go:embed processes.go
	source string
	//go:embed job.go
	jobSource string
	//go:embed child.go
	childSource string
)

const (
	// MaxChildren bounds K: each child is a whole program (a few MiB of
	// memory) counted against the run's memory.
	MaxChildren = 64
	// MaxMiB bounds the data the pipes carry, held in memory.
	MaxMiB = 128
	// MaxOneByOne bounds K × work, the baseline's time.
	MaxOneByOne = 20 * time.Second
)

// Experiment is the child processes.
type Experiment struct {
	mu     sync.Mutex // guards rounds and data
	rounds map[time.Duration]int
	data   *dataset // the last data the pipes carried, with its digests
}

// New returns the experiment.
func New() *Experiment { return &Experiment{rounds: map[time.Duration]int{}} }

var (
	_ lab.Experiment = (*Experiment)(nil)
	_ lab.Judge      = (*Experiment)(nil)
	_ lab.Summarizer = (*Experiment)(nil)
)

// variants are the approaches, in the order the page shows them.
var variants = []struct {
	lab.Variant
	run func(*Job) error
}{
	{lab.Variant{Name: "one-by-one", Summary: "K children, each started and waited for before the next", Baseline: true}, oneByOne},
	{lab.Variant{Name: "all-at-once", Summary: "K children all started, then all waited for"}, allAtOnce},
	{lab.Variant{Name: "goroutines", Summary: "the same K works in goroutines of this process"}, inGoroutines},
	{lab.Variant{Name: "pipe-goroutine", Summary: "the data hashed by a goroutine reading an io.Pipe"}, pipeGoroutine},
	{lab.Variant{Name: "pipe-child", Summary: "the data piped through a child that hashes its stdin"}, pipeChild},
	{lab.Variant{Name: "pipeline", Summary: "encrypt | hash: two children joined by a pipe"}, pipeline},
	{lab.Variant{Name: "timeout", Summary: "a hung child, killed at its deadline"}, timeout},
}

// Info implements lab.Experiment.
func (e *Experiment) Info() lab.Info {
	return lab.Info{
		ID:      "processes",
		Title:   "Child processes: start, pipes, timeouts",
		Summary: "Children of the lab's own program one after another and all at once beside goroutines, data piped through a child, a pipeline of two, and a hung child killed at its deadline.",
		Lesson:  lesson,
		Params: []lab.Param{
			{Name: "children", Label: "Children (K)", Kind: lab.KindInt, Default: "8", Min: 1, Max: MaxChildren,
				Help: "children started by one-by-one and all-at-once, goroutines by goroutines"},
			{Name: "work", Label: "Work", Kind: lab.KindChoice, Default: "wait", Choices: []string{"wait", "compute"},
				Help: "wait: each child sleeps, needing no core; compute: each hashes for about the duration on one core"},
			{Name: "duration", Label: "Work per child", Kind: lab.KindDuration, Default: "200ms", Min: 1, Max: 2000,
				Help: "how long each child waits, or computes on one core (measured on this machine before the trials)"},
			{Name: "megabytes", Label: "Data piped (MiB)", Kind: lab.KindInt, Default: "32", Min: 1, Max: MaxMiB,
				Help: "the MiB of data the pipe variants carry"},
			{Name: "deadline", Label: "Deadline", Kind: lab.KindDuration, Default: "100ms", Min: 50, Max: 5000,
				Help: "timeout: the hung child's deadline, from the moment it runs (its start is not what this measures)"},
			{Name: "grace", Label: "Grace (WaitDelay)", Kind: lab.KindDuration, Default: "50ms", Min: 0, Max: 2000,
				Help: "timeout: how long after the polite SIGTERM the child is killed (exec.Cmd.WaitDelay)"},
		},
		Variants: lab.VariantsOf(variants),
		Figures: []lab.Figure{
			{Key: "vs_one", Label: "Time ÷ one child", Unit: "×", Main: true,
				Help: "the median over one child's time, the one-by-one median ÷ K: about 1 for K waits at once, about K ÷ cores for K computations"},
			{Key: "start_ms", Label: "Start per child", Unit: "ms", Help: "from Start until the child ran its first line, the median over the children"},
			{Key: "mib_per_s", Label: "Through the pipe", Unit: "MiB/s", Help: "the data's MiB ÷ the variant's time, start included"},
			{Key: "killed_after_ms", Label: "Gone after deadline", Unit: "ms", Help: "timeout: from the deadline until Wait returned and the child was gone"},
		},
		Source: []lab.SourceFile{{Name: "processes.go", Code: source}, {Name: "job.go", Code: jobSource}, {Name: "child.go", Code: childSource}},
		Repeat: 6,
		Check:  check,
	}
}

func check(p lab.Params) error {
	if total := time.Duration(p.Int("children")) * p.Duration("duration"); total > MaxOneByOne {
		return &lab.ParamError{Name: "children × duration", Msg: fmt.Sprintf("must be at most %s (one-by-one runs them in a row), got %s", MaxOneByOne, total)}
	}
	return nil
}
