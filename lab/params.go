package lab

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"concurrencylab/lab/errs"
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
	return append(all,
		Param{Name: "variants", Label: "Variants", Kind: KindVariants,
			Default: strings.Join(names, ","), Choices: names,
			Help: "the approaches to compare, run one after another"},
		Param{Name: "repeat", Label: "Trials per variant", Kind: KindInt,
			Default: strconv.Itoa(repeat), Min: 1, Max: float64(maxRepeat),
			Help: "each variant runs this many times; the table shows the median, min and max"},
		Param{Name: "cores", Label: "Cores", Kind: KindInt,
			Default: strconv.Itoa(MaxCores(info)), Min: 1, Max: float64(MaxCores(info)),
			Help: coresHelp(MaxCores(info))},
	)
}

func coresHelp(n int) string {
	if n == 1 {
		return "GOMAXPROCS: a run here has one core to itself"
	}
	return fmt.Sprintf("GOMAXPROCS: how many cores the run's goroutines may use at once; a run here has %d to itself", n)
}

// MaxCores returns the most cores a run of the experiment may use.
func MaxCores(info Info) int {
	if info.Cores > 0 {
		return info.Cores
	}
	return runtime.NumCPU()
}

// Cores returns the run's cores parameter, its GOMAXPROCS; 0 in params
// made by hand without one, which means all of them.
func (p Params) Cores() int {
	n, _ := p["cores"].(int)
	return n
}

// A ParamError names the parameter that was wrong and why.
type ParamError struct {
	Name string
	Msg  string
}

func (e *ParamError) Error() string { return e.Name + " " + e.Msg }

// Unwrap makes a ParamError an errs.Invalid: the request was wrong.
func (e *ParamError) Unwrap() error { return errs.Invalid }

// ParseQuery checks parameters given as a URL query string. Unknown names
// are an error; missing ones take their default.
func ParseQuery(info Info, q url.Values) (Params, error) {
	raw := make(map[string]string, len(q))
	for name, vs := range q {
		if len(vs) == 0 {
			continue
		}
		if len(vs) > 1 {
			return nil, &ParamError{errs.Truncate(name, maxQuoted), "is given more than once"}
		}
		raw[name] = vs[0]
	}
	return parse(info, raw)
}

// ParseJSON checks parameters given as a JSON object. Values may be JSON
// numbers, booleans or strings in the query-string form ("250ms", "a,b").
func ParseJSON(info Info, data []byte) (Params, error) {
	if len(strings.TrimSpace(string(data))) == 0 || string(data) == "null" {
		return parse(info, nil)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("params must be a JSON object: %v", err)
	}
	raw := make(map[string]string, len(obj))
	for name, v := range obj {
		if string(v) == "null" {
			continue // null asks for the default
		}
		var s string
		switch {
		case json.Unmarshal(v, &s) == nil:
		case len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')):
			s = string(v)
		case string(v) == "true" || string(v) == "false":
			s = string(v)
		default:
			return nil, &ParamError{errs.Truncate(name, maxQuoted), "must be a number, boolean or string, got " + errs.Truncate(string(v), maxQuoted)}
		}
		raw[name] = s
	}
	return parse(info, raw)
}

// ParseMap checks parameters given as strings, as Params.Encode writes them.
func ParseMap(info Info, raw map[string]string) (Params, error) { return parse(info, raw) }

func parse(info Info, raw map[string]string) (Params, error) {
	all := AllParams(info)
	for name := range raw {
		if !slices.ContainsFunc(all, func(d Param) bool { return d.Name == name }) {
			return nil, &ParamError{errs.Truncate(name, maxQuoted), "is not a parameter of " + info.ID}
		}
	}
	p := make(Params, len(all))
	for _, d := range all {
		s, ok := raw[d.Name]
		if !ok {
			s = d.Default
		}
		v, err := parseValue(d, s)
		if err != nil {
			return nil, err
		}
		p[d.Name] = v
	}
	if info.Check != nil {
		if err := info.Check(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// plainNumber is a number as people and JSON write it: decimal digits,
// an optional sign, fraction and exponent. Go's own syntax beyond that
// (0x1p3, 8_0, +8, Inf) is refused, so a value means what it looks like.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// plainDigits is a bare count of milliseconds.
var plainDigits = regexp.MustCompile(`^[0-9]+$`)

func parseValue(d Param, s string) (any, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxTextLen {
		return nil, &ParamError{d.Name, fmt.Sprintf("must be at most %d characters, got %d", MaxTextLen, len(s))}
	}
	switch d.Kind {
	case KindInt:
		if !plainNumber.MatchString(s) {
			return nil, &ParamError{d.Name, fmt.Sprintf("must be a whole number %s, got %q", bounds(d), errs.Truncate(s, maxQuoted))}
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
				n, err = int(f), nil // 1e6 and 100000.0 are integers too
			}
		}
		if err != nil {
			return nil, &ParamError{d.Name, fmt.Sprintf("must be a whole number %s, got %q", bounds(d), errs.Truncate(s, maxQuoted))}
		}
		if float64(n) < d.Min || float64(n) > d.Max {
			return nil, &ParamError{d.Name, fmt.Sprintf("must be %s, got %d", bounds(d), n)}
		}
		return n, nil
	case KindFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || !plainNumber.MatchString(s) || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, &ParamError{d.Name, fmt.Sprintf("must be a number %s, got %q", bounds(d), errs.Truncate(s, maxQuoted))}
		}
		if f < d.Min || f > d.Max {
			return nil, &ParamError{d.Name, fmt.Sprintf("must be %s, got %g", bounds(d), f)}
		}
		return f, nil
	case KindBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, &ParamError{d.Name, fmt.Sprintf("must be true or false, got %q", errs.Truncate(s, maxQuoted))}
		}
		return b, nil
	case KindDuration:
		dur, err := time.ParseDuration(s)
		if err != nil {
			// Bare numbers are milliseconds; ones too big for a Duration
			// stay an error rather than wrap around.
			if n, nerr := strconv.Atoi(s); nerr == nil && plainDigits.MatchString(s) && n >= 0 && n <= math.MaxInt64/int(time.Millisecond) {
				dur, err = time.Duration(n)*time.Millisecond, nil
			}
		}
		if err != nil {
			return nil, &ParamError{d.Name, fmt.Sprintf("must be a duration like 100ms, got %q", errs.Truncate(s, maxQuoted))}
		}
		if ms := float64(dur) / float64(time.Millisecond); ms < d.Min || ms > d.Max {
			return nil, &ParamError{d.Name, fmt.Sprintf("must be %s..%s, got %s",
				msDuration(d.Min), msDuration(d.Max), dur)}
		}
		return dur, nil
	case KindChoice:
		if !slices.Contains(d.Choices, s) {
			return nil, &ParamError{d.Name, fmt.Sprintf("must be one of %s, got %q", strings.Join(d.Choices, ", "), errs.Truncate(s, maxQuoted))}
		}
		return s, nil
	case KindText:
		return s, nil
	case KindVariants:
		var chosen []string
		for _, name := range strings.Split(s, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !slices.Contains(d.Choices, name) {
				return nil, &ParamError{d.Name, fmt.Sprintf("must name variants among %s, got %q", strings.Join(d.Choices, ", "), errs.Truncate(name, maxQuoted))}
			}
			if !slices.Contains(chosen, name) {
				chosen = append(chosen, name)
			}
		}
		if len(chosen) == 0 {
			return nil, &ParamError{d.Name, "must name at least one of " + strings.Join(d.Choices, ", ")}
		}
		// Keep the experiment's order, so the baseline comes where it belongs.
		slices.SortFunc(chosen, func(a, b string) int {
			return slices.Index(d.Choices, a) - slices.Index(d.Choices, b)
		})
		return chosen, nil
	}
	return nil, &ParamError{d.Name, "has an unknown kind " + string(d.Kind)}
}

func bounds(d Param) string {
	return strconv.FormatFloat(d.Min, 'f', -1, 64) + ".." + strconv.FormatFloat(d.Max, 'f', -1, 64)
}

func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

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

// maxQuoted is the most bytes of a parameter's name or value quoted in an error.
const maxQuoted = 40
