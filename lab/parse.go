package lab

// Parameters checked from a query string, a JSON object or stored
// strings, with errors that name the parameter and the bound.

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"concurrencylab/lab/errs"
)

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
	raw = renamed(all, raw)
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
	if info.Edit != nil {
		if err := checkYours(p); err != nil {
			return nil, err
		}
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
			return nil, &ParamError{d.Name, fmt.Sprintf("must be %s, got %s", bounds(d), Group(int64(n)))}
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
	return number(d.Min) + ".." + number(d.Max)
}

// number writes a bound as a learner reads it: whole numbers with
// thousands separators (10,000,000).
func number(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e18 {
		return Group(int64(f))
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// maxQuoted is the most bytes of a parameter's name or value quoted in an error.
const maxQuoted = 40

// renamed returns raw with every parameter given by a name it had before
// (Param.Was) under its name now, unless that is given too.
func renamed(all []Param, raw map[string]string) map[string]string {
	var out map[string]string
	for _, d := range all {
		for _, old := range d.Was {
			v, ok := raw[old]
			if !ok {
				continue
			}
			if out == nil {
				out = maps.Clone(raw)
			}
			delete(out, old)
			if _, given := raw[d.Name]; !given {
				out[d.Name] = v
			}
		}
	}
	if out == nil {
		return raw
	}
	return out
}
