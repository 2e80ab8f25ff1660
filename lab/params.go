package lab

import (
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a parameter.
type Kind string

// The parameter kinds.
const (
	KindInt      Kind = "int"
	KindFloat    Kind = "float"
	KindBool     Kind = "bool"
	KindChoice   Kind = "choice"
	KindDuration Kind = "duration"
	KindText     Kind = "text"
	// KindVariants is the kind of the variants parameter: a comma-separated
	// subset of the experiment's variant names.
	KindVariants Kind = "variants"
)

// MaxTextLen bounds text parameters and the variants list.
const MaxTextLen = 200

// A Param describes one knob of an experiment. Min and Max bound int, float
// and duration values (durations in milliseconds); Choices lists a choice's
// values.
type Param struct {
	Name    string   `json:"name"`
	Label   string   `json:"label"`
	Kind    Kind     `json:"kind"`
	Default string   `json:"default"`
	Min     float64  `json:"min,omitempty"`
	Max     float64  `json:"max,omitempty"`
	Choices []string `json:"choices,omitempty"`
	Help    string   `json:"help,omitempty"`
	// Was lists names the parameter had before, which old share links
	// still carry: the parser reads them as this parameter.
	Was []string `json:"-"`
}

// Params are checked parameter values, keyed by name. Every parameter of
// the experiment is present: missing ones take their default.
type Params map[string]any

// Int returns an int parameter. It panics if name is not an int parameter:
// that is a bug in the experiment, not bad input.
func (p Params) Int(name string) int { return p[name].(int) }

// Float returns a float parameter.
func (p Params) Float(name string) float64 { return p[name].(float64) }

// Bool returns a bool parameter.
func (p Params) Bool(name string) bool { return p[name].(bool) }

// String returns a choice or text parameter.
func (p Params) String(name string) string { return p[name].(string) }

// Duration returns a duration parameter.
func (p Params) Duration(name string) time.Duration { return p[name].(time.Duration) }

// Variants returns the chosen variants, in the experiment's order.
func (p Params) Variants() []string { return p["variants"].([]string) }

// Repeat returns the number of trials per variant.
func (p Params) Repeat() int { return p["repeat"].(int) }

// Encode returns p as strings, the form of a share link's query string.
func (p Params) Encode(info Info) map[string]string {
	out := make(map[string]string, len(p))
	for _, d := range AllParams(info) {
		out[d.Name] = formatValue(d, p[d.Name])
	}
	return out
}

// Query returns p as a URL query string, in the experiment's parameter order.
func (p Params) Query(info Info) string {
	var b strings.Builder
	for i, d := range AllParams(info) {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(d.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(formatValue(d, p[d.Name])))
	}
	return b.String()
}

func formatValue(d Param, v any) string {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Duration:
		return x.String()
	case []string:
		return strings.Join(x, ",")
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// AllParams returns the experiment's parameters followed by the three every
// experiment has: variants, repeat and cores.
func AllParams(info Info) []Param {
	names := make([]string, len(info.Variants))
	for i, v := range info.Variants {
		names[i] = v.Name
	}
	repeat, maxRepeat := info.Repeat, info.MaxRepeat
	if repeat == 0 {
		repeat = 10
	}
	if maxRepeat == 0 {
		maxRepeat = 50
	}
	all := slices.Clone(info.Params)
	def := strings.Join(names, ",")
	if info.Edit != nil {
		// The learner's own variant can be chosen, never by default.
		names = append(names, Yours)
		all = append(all, codeParam)
	}
	return append(all,
		Param{Name: "variants", Label: "Variants", Kind: KindVariants,
			Default: def, Choices: names,
			Help: "the approaches to compare, run one after another"},
		Param{Name: "repeat", Label: "Trials per variant", Kind: KindInt,
			Default: strconv.Itoa(repeat), Min: 1, Max: float64(maxRepeat),
			Help: "each variant runs this many times; the table shows the median, min and max"},
		Param{Name: "cores", Label: "Cores", Kind: KindInt,
			Default: strconv.Itoa(MaxCores(info)), Min: 1, Max: float64(MaxCores(info)),
			Help: coresHelp(MaxCores(info))},
		Param{Name: "trace", Label: "Execution trace", Kind: KindBool, Default: "false",
			Help: "record the Go execution trace of one extra trial per variant, after the timed ones: the timeline then shows when each goroutine ran and on which processor, waited for a core, or was blocked and who woke it; tracing slows that trial, so it is not in the table"},
	)
}

func coresHelp(n int) string {
	if n == 1 {
		return "GOMAXPROCS: a run here has one core to itself"
	}
	return fmt.Sprintf("GOMAXPROCS: how many cores the run's goroutines may use at once; a run here has %d to itself", n)
}

// MaxCores returns the most cores a run of the experiment may use.
func MaxCores(info Info) int { return SlotCores(info.Cores) }

// SlotCores returns n, the CPUs of a runner slot, or runtime.NumCPU() where
// n is zero: all the cores this process may use.
func SlotCores(n int) int {
	if n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// Cores returns the run's cores parameter, its GOMAXPROCS; 0 in params
// made by hand without one, which means all of them.
func (p Params) Cores() int {
	n, _ := p["cores"].(int)
	return n
}

// JSON returns p with JSON-friendly values: numbers and booleans as such,
// durations and the variants list as the strings a query string would hold.
func (p Params) JSON(info Info) map[string]any {
	out := make(map[string]any, len(p))
	for _, d := range AllParams(info) {
		switch v := p[d.Name].(type) {
		case int, float64, bool, string:
			out[d.Name] = v
		default:
			out[d.Name] = formatValue(d, v)
		}
	}
	return out
}
