// Package lab is the experiment contract: what every experiment
// implements and imports. An experiment describes itself (Info: its
// parameters, variants, figures, charts and source), runs one trial at a
// time (Experiment.Trial), reports through an Emitter and judges a
// finished run (Judge); lab checks parameters from a query string, JSON or
// a job (Params), and holds the result types a verdict reads (Result),
// with the statistics a verdict may claim (Compare).
//
// What executes a run lives beside it: lab/runner in the run's process,
// lab/runs in the server, lab/process between them, lab/event for the
// events they exchange. lab imports none of them, no experiment and no web
// code.
package lab

import (
	"context"
	"io/fs"
	"strings"
	"time"
)

// An Experiment is one lesson the lab can run: it describes itself and runs
// one trial of one of its variants at a time.
type Experiment interface {
	// Info describes the experiment: id, texts, parameters, variants, source.
	Info() Info
	// Trial runs one trial of variant with checked parameters p. It reports
	// through em and returns what it measured. It must return promptly once
	// ctx is done, with everything it started stopped and released.
	Trial(ctx context.Context, variant string, p Params, em Emitter) (Trial, error)
}

// A Judge writes the verdict of a finished run in two parts: the
// headline, one plain sentence of under 40 words that answers the lesson's
// question, and the details, everything else the figures say (the page
// folds them away). An experiment without a Judge gets a generic verdict.
type Judge interface {
	Judge(r *Result, p Params, env Env) (headline, details string)
}

// Verdict returns j's whole verdict of a run in one text: the headline,
// then the details.
func Verdict(j Judge, r *Result, p Params, env Env) string {
	h, d := j.Judge(r, p, env)
	return strings.TrimSpace(h + " " + d)
}

// A Summarizer derives figures of a finished run from its variants'
// summaries, after lab has made them: a ratio of two variants' medians,
// say, which no single trial knows. Such a figure then agrees with the
// medians the table shows.
type Summarizer interface {
	Summarize(r *Result, p Params)
}

// A Planner chooses the variants a run executes, for experiments whose
// variants depend on the parameters: a sweep of worker counts runs
// "worker-pool/1", "worker-pool/2", ... as variants of one run. Without a
// Planner a run executes the variants parameter's choice. The baseline is
// the Info's baseline variant if planned, else the first planned variant.
type Planner interface {
	Plan(p Params) []string
}

// Info describes an experiment to the catalog, the page and the parameter
// parser.
type Info struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Summary  string    `json:"summary"`
	Lesson   string    `json:"lesson"` // paragraphs separated by blank lines
	Params   []Param   `json:"params"` // without variants and repeat: lab adds them
	Variants []Variant `json:"variants"`
	// Figures declares the numbers the page shows beside the timings: the
	// trials' Extra figures, in order, and which one (an Extra key or a
	// variant result field such as "speedup") is the key figure, first in
	// the table.
	Figures []Figure `json:"figures,omitempty"`
	// Charts declares the sample series the trials emit, as the page
	// charts them.
	Charts []Chart `json:"charts,omitempty"`
	// Source is the Go source a learner reads: the file the variants live in,
	// embedded by the experiment itself so it is the code that runs.
	Source []SourceFile `json:"source"`
	// Repeat is the default number of trials per variant (10 if zero).
	Repeat int `json:"-"`
	// MaxRepeat bounds repeat (50 if zero).
	MaxRepeat int `json:"-"`
	// Cores is the most cores a run may use: the CPUs of a runner slot,
	// which bound the cores parameter and are its default. The manager sets
	// it; zero means runtime.NumCPU(), all the cores this process may use.
	Cores int `json:"-"`
	// Check, if set, checks limits that span parameters (say, goroutines
	// times increments), after each parameter passed its own bounds.
	Check func(Params) error `json:"-"`
	// Cgo declares that the experiment's trials call C through cgo (pixels
	// calls OpenCV). Its runs execute in a child of the lab's cgo program;
	// every other experiment runs in the pure-Go runner program, which
	// starts in milliseconds where a cgo program spends over a hundred
	// linking its C libraries.
	Cgo bool `json:"-"`
	// Views declares the parts of the page only this experiment has (see
	// View); Files holds their files, embedded by the experiment.
	Views []View `json:"views,omitempty"`
	Files fs.FS  `json:"-"`
	// Edit, if set, lets learners write their own variant, "yours".
	Edit *Edit `json:"-"`
}

// A Figure is one number an experiment's trials report in their Extra, as
// the page shows it: a column of the results table, its median per
// variant.
type Figure struct {
	// Key is the Extra key ("lost", "ns_per_increment"), or a variant
	// result field ("speedup"); a key "name" also labels every "name:x"
	// ("peak_depth:double" is "Peak depth double").
	Key   string `json:"key"`
	Label string `json:"label"`          // the column's heading: "Lost updates"
	Unit  string `json:"unit,omitempty"` // written after the heading or the value: "ns", "/ s", "×"
	// Main marks the experiment's key figure: the one number that answers
	// its lesson, first in the table and on a phone's card.
	Main bool   `json:"main,omitempty"`
	Help string `json:"help,omitempty"` // what it means, for the heading's tooltip
}

// MainFigure returns the key of the experiment's key figure, or "".
func (info Info) MainFigure() string {
	for _, f := range info.Figures {
		if f.Main {
			return f.Key
		}
	}
	return ""
}

// AllCharts returns the sample series lab itself emits for every run
// (goroutines, heap) followed by the experiment's own.
func AllCharts(info Info) []Chart {
	return append([]Chart{
		{Series: "goroutines", Title: "Goroutines"},
		{Series: "heap_bytes", Title: "Heap", Unit: "MiB", Scale: 1.0 / (1 << 20)},
	}, info.Charts...)
}

// A Chart is a sample series an experiment's trials emit (Emitter.Sample),
// as the page charts it. Series named "chart:line" share one chart.
type Chart struct {
	Series string  `json:"series"`          // "blue_pixels", or "fps" for every "fps:<line>"
	Title  string  `json:"title"`           // "Blue pixels per frame"
	Unit   string  `json:"unit,omitempty"`  // after the values: "MiB", "items"
	Scale  float64 `json:"scale,omitempty"` // values are multiplied by it; 0 means 1
}

// A SourceFile is one file of an experiment's code, shown on its page.
type SourceFile struct {
	Name string `json:"name"`
	Code string `json:"code"`
}

// A Variant is one approach an experiment compares.
type Variant struct {
	Name     string `json:"name"`
	Summary  string `json:"summary"`
	Baseline bool   `json:"baseline,omitempty"` // speedups are against this one
}

// A Trial is what one trial measured.
type Trial struct {
	// Elapsed is the time the measured work took; zero means lab's own
	// wall-clock time around the Trial call.
	Elapsed time.Duration
	// CPU is the CPU time the measured work took (CPUTime after it less
	// CPUTime before); zero means lab's own measure around the Trial call.
	// An experiment that sets Elapsed around part of its trial sets CPU
	// around the same part, so that cores used compares like with like.
	CPU time.Duration
	// Expected and Got are the correct answer and the one obtained; nil
	// where they have no meaning.
	Expected, Got *int64
	// Extra holds experiment-specific figures (numbers or strings).
	Extra map[string]any
}

// Float64 returns a pointer to x, for a median answer (VariantResult.Got).
func Float64(x float64) *float64 { return &x }

// Int64 returns a pointer to n, for Trial.Expected and Trial.Got.
func Int64(n int64) *int64 { return &n }

// Describe returns v itself: a struct that embeds a Variant beside the
// function that runs it satisfies Described, for VariantsOf and Lookup.
func (v Variant) Describe() Variant { return v }

// Described is anything that embeds a Variant: an experiment's list of
// approaches, each with the function that runs it.
type Described interface{ Describe() Variant }

// VariantsOf returns the Variants of an experiment's list of approaches,
// in order, for its Info.
func VariantsOf[T Described](list []T) []Variant {
	vs := make([]Variant, len(list))
	for i, a := range list {
		vs[i] = a.Describe()
	}
	return vs
}

// Lookup returns the approach of list named name; ok is false for none.
func Lookup[T Described](list []T, name string) (a T, ok bool) {
	for _, a := range list {
		if a.Describe().Name == name {
			return a, true
		}
	}
	return a, false
}
