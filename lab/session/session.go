// Package session runs workshops: an instructor's session with a room
// code, learners who join it with a display name, the experiment the
// instructor pushes to every learner, one run the whole room watches, and
// the class board of every learner's results.
//
// The package holds the rules (only the key drives a session, locked
// parameters stay locked, one learner cannot flood the run queue) and
// publishes every change to subscribers; it speaks no HTTP and no
// websocket. Package web/workshop fans the changes out to browsers. Sessions are
// kept through a Store, which lab/sqlite implements, so a board outlives
// the process.
package session

import (
	"slices"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
)

// A Push is the experiment the instructor sent to every learner's page.
// Each push starts a new round of the board.
type Push struct {
	// Round numbers the pushes of a session from 1.
	Round      int               `json:"round"`
	Experiment string            `json:"experiment"`
	Title      string            `json:"title"`
	Params     map[string]string `json:"params"` // checked, in their share-link form
	Lock       bool              `json:"lock"`   // learners run with Params as they are
	// Edit lets learners write their own variant (yours) of an editable
	// experiment; with Lock, they may change only their code.
	Edit bool      `json:"edit,omitempty"`
	URL  string    `json:"url"` // the experiment's share link with Params
	At   time.Time `json:"at"`
}

// A RoomRun is the one run the instructor started for the whole room.
type RoomRun struct {
	ID         string    `json:"id"` // the run's id
	Round      int       `json:"round"`
	Experiment string    `json:"experiment"`
	URL        string    `json:"url"`    // /runs/{id}
	Events     string    `json:"events"` // /runs/{id}/events
	At         time.Time `json:"at"`
}

// An Ask is the instructor asking every learner to run the pushed
// experiment themselves, so the board fills in.
type Ask struct {
	ID    int       `json:"id"`
	Round int       `json:"round"`
	At    time.Time `json:"at"`
}

// The questions a prediction can ask.
const (
	QuestionCount   = "count"   // the final count of the counter
	QuestionSpeedup = "speedup" // the speedup of the fastest variant
)

// A Prediction asks the room to guess a figure before it runs. Guesses stay
// hidden (only their count is public) until the instructor reveals them.
type Prediction struct {
	ID       int       `json:"id"`
	Round    int       `json:"round"`
	Question string    `json:"question"` // count or speedup
	Prompt   string    `json:"prompt"`
	Open     bool      `json:"open"`     // learners may still guess
	Revealed bool      `json:"revealed"` // Guesses are public
	Count    int       `json:"count"`    // guesses so far
	Guesses  []Guess   `json:"guesses"`  // empty until revealed
	At       time.Time `json:"at"`
}

// A Guess is one learner's answer to a prediction.
type Guess struct {
	Prediction int     `json:"-"`
	Learner    string  `json:"learner"`
	Label      string  `json:"label"`
	Value      float64 `json:"value"`
}

// A Spotlight puts one learner's run on every screen.
type Spotlight struct {
	Run     string `json:"run"`
	Learner string `json:"learner"`
	Label   string `json:"label"`
	// Code is the id of the learner's own file the run ran as yours, if
	// it ran one: every screen can show it beside the run.
	Code string    `json:"code,omitempty"`
	At   time.Time `json:"at"`
}

// A Learner is someone who joined with a display name.
type Learner struct {
	ID   string `json:"id"`
	Name string `json:"name"` // as typed (trimmed); pages escape it
	// Label tells learners with the same name apart: "Sam", "Sam (2)".
	Label     string `json:"label"`
	Connected bool   `json:"connected"` // has a page open now
	// Removed: the instructor took the learner out of the session. The
	// learner's runs stay on the board; the roster no longer shows them.
	Removed bool      `json:"removed,omitempty"`
	Joined  time.Time `json:"joined"`
	// TokenHash is the hash of the secret that lets the learner's page
	// reconnect as this learner.
	TokenHash string `json:"-"`
}

// An Entry is one learner's run on the class board.
type Entry struct {
	Run        string         `json:"run"`
	Learner    string         `json:"learner"`
	Label      string         `json:"label"`
	Round      int            `json:"round"`
	Experiment string         `json:"experiment"`
	Params     map[string]any `json:"params"`
	Status     runs.Status    `json:"status"`
	Created    time.Time      `json:"created"`
	Figures    *Figures       `json:"figures"` // nil until the run is done
	Error      string         `json:"error,omitempty"`
}

// Figures are what the board shows of a finished run.
type Figures struct {
	// Summary is the run's line on the board (summaryOf), written once
	// for every page that shows it.
	Summary  string           `json:"summary,omitempty"`
	Verdict  string           `json:"verdict"`
	Details  string           `json:"details,omitempty"`
	Variants []VariantFigures `json:"variants"`
	// Yours is the learner's own variant beside the lab's best, where the
	// run ran one.
	Yours *YoursFigures `json:"yours,omitempty"`
}

// VariantFigures are one variant's medians, and beside them the facts a
// median hides: how many trials were wrong and the worst of them.
type VariantFigures struct {
	Name      string      `json:"name"`
	Baseline  bool        `json:"baseline"`
	MedianMs  float64     `json:"median_ms"`
	Speedup   float64     `json:"speedup"`
	SpeedupCI *[2]float64 `json:"speedup_ci"`
	Correct   *bool       `json:"correct"`
	Expected  *int64      `json:"expected"`
	Got       *float64    `json:"got"`
	Lost      *float64    `json:"lost"` // expected - got (the median), where both are known
	// Trials is the variant's trial count; WrongTrials and WorstGot are the
	// run's (nil where correctness has no meaning), and WorstLost is
	// expected - worst_got: 0 where no trial was wrong.
	Trials      int    `json:"trials"`
	WrongTrials *int   `json:"wrong_trials"`
	WorstGot    *int64 `json:"worst_got"`
	WorstLost   *int64 `json:"worst_lost"`
}

// figuresOf summarises a run's result for the board.
func figuresOf(r *lab.Result) *Figures {
	if r == nil {
		return nil
	}
	f := &Figures{Verdict: r.Verdict, Details: r.Details, Variants: []VariantFigures{}}
	for _, v := range r.Variants {
		vf := VariantFigures{
			Name: v.Name, Baseline: v.Baseline, MedianMs: v.MedianMs, Speedup: v.Speedup,
			SpeedupCI: v.SpeedupCI, Correct: v.Correct, Expected: v.Expected, Got: v.Got,
			Trials: len(v.Trials), WrongTrials: v.WrongTrials, WorstGot: v.WorstGot,
		}
		if v.Expected != nil && v.Got != nil {
			lost := float64(*v.Expected) - *v.Got
			vf.Lost = &lost
		}
		if v.Expected != nil && v.WrongTrials != nil {
			vf.WorstLost = lab.Int64(0)
			if v.WorstGot != nil {
				vf.WorstLost = lab.Int64(*v.Expected - *v.WorstGot)
			}
		}
		f.Variants = append(f.Variants, vf)
	}
	f.Yours = yoursOf(r)
	return f
}

// A View is the public state of a session: what learners, the board and
// GET /api/sessions/{code} see. It never holds the key or a token.
type View struct {
	ID         string      `json:"id"`
	Code       string      `json:"code"`
	Created    time.Time   `json:"created"`
	Push       *Push       `json:"push"`
	Run        *RoomRun    `json:"run"`
	Ask        *Ask        `json:"ask"`
	Prediction *Prediction `json:"prediction"`
	Spotlight  *Spotlight  `json:"spotlight"`
	Learners   []Learner   `json:"learners"` // in the order they joined
	Connected  int         `json:"connected"`
	Board      []Entry     `json:"board"` // in the order the runs were made
	// Ended is when the instructor ended the session; null while it runs.
	Ended *time.Time `json:"ended"`
}

// Event types: what changed in a session.
const (
	EventPush       = "push"
	EventRun        = "run"
	EventAsk        = "ask"
	EventPrediction = "prediction"
	EventSpotlight  = "spotlight"
	EventLearner    = "learner" // a learner joined, connected or left
	EventEntry      = "entry"   // a board entry was made or changed
	EventEnded      = "ended"   // the instructor ended the session
)

// An Event is one change to a session, as subscribers receive it. The
// field its Type names holds the new value; nil clears it.
type Event struct {
	Type       string
	Push       *Push
	Run        *RoomRun
	Ask        *Ask
	Prediction *Prediction
	Spotlight  *Spotlight
	Learner    *Learner
	Entry      *Entry
	Ended      *time.Time
}

// Apply brings v up to date with e, so a subscriber that holds a View
// (from Subscribe) can keep it current from the events alone.
func (v *View) Apply(e Event) {
	switch e.Type {
	case EventPush:
		v.Push = e.Push
	case EventRun:
		v.Run = e.Run
	case EventAsk:
		v.Ask = e.Ask
	case EventPrediction:
		v.Prediction = e.Prediction
	case EventSpotlight:
		v.Spotlight = e.Spotlight
	case EventEnded:
		v.Ended = e.Ended
	case EventLearner:
		if e.Learner == nil {
			return
		}
		if e.Learner.Removed {
			v.Learners = slices.DeleteFunc(v.Learners, func(l Learner) bool { return l.ID == e.Learner.ID })
		} else {
			v.Learners = upsert(v.Learners, *e.Learner, func(l Learner) bool { return l.ID == e.Learner.ID })
		}
		v.Connected = 0
		for _, l := range v.Learners {
			if l.Connected {
				v.Connected++
			}
		}
	case EventEntry:
		if e.Entry == nil {
			return
		}
		v.Board = upsert(v.Board, *e.Entry, func(x Entry) bool { return x.Run == e.Entry.Run })
	}
}

// upsert replaces the first element of s that same matches with v, or
// appends v if none does.
func upsert[T any](s []T, v T, same func(T) bool) []T {
	if i := slices.IndexFunc(s, same); i >= 0 {
		s[i] = v
		return s
	}
	return append(s, v)
}
