package lab

import (
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// paramInfo is a fake experiment with one parameter of every kind.
func paramInfo() Info {
	return Info{
		ID: "fake",
		Params: []Param{
			{Name: "goroutines", Label: "Goroutines", Kind: KindInt, Default: "5", Min: 1, Max: 256},
			{Name: "ratio", Label: "Ratio", Kind: KindFloat, Default: "0.5", Min: 0, Max: 1},
			{Name: "locked", Label: "Locked", Kind: KindBool, Default: "false"},
			{Name: "mode", Label: "Mode", Kind: KindChoice, Default: "fast", Choices: []string{"fast", "slow", "auto"}},
			{Name: "delay", Label: "Delay", Kind: KindDuration, Default: "100ms", Min: 1, Max: 2000},
			{Name: "label", Label: "Label", Kind: KindText, Default: "hello"},
		},
		Variants: []Variant{
			{Name: "serial", Baseline: true},
			{Name: "mutex"},
			{Name: "atomic"},
		},
		Repeat:    3,
		MaxRepeat: 20,
		Cores:     2,
	}
}

// paramDefaults is what paramInfo's parameters parse to when none is given.
func paramDefaults() Params {
	return Params{
		"goroutines": 5,
		"ratio":      0.5,
		"locked":     false,
		"mode":       "fast",
		"delay":      100 * time.Millisecond,
		"label":      "hello",
		"variants":   []string{"serial", "mutex", "atomic"},
		"repeat":     3,
		"cores":      2,
		"trace":      false,
	}
}

// withDefaults returns the defaults with some values replaced.
func withDefaults(over Params) Params {
	p := paramDefaults()
	maps.Copy(p, over)
	return p
}

// checkParse compares a parse outcome with the wanted Params or error text.
func checkParse(t *testing.T, got Params, err error, want Params, wantErr string, wantParamErr bool) {
	t.Helper()
	if wantErr != "" {
		if err == nil {
			t.Fatalf("got Params %v and no error, want error %q", got, wantErr)
		}
		if err.Error() != wantErr {
			t.Errorf("got error %q, want %q", err.Error(), wantErr)
		}
		var pe *ParamError
		if isPE := errors.As(err, &pe); isPE != wantParamErr {
			t.Errorf("got *ParamError %v, want %v (error %q)", isPE, wantParamErr, err)
		} else if isPE && !strings.HasPrefix(wantErr, pe.Name+" ") {
			t.Errorf("got ParamError.Name %q, want the start of %q", pe.Name, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("got error %q, want Params %v", err, want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got Params %v, want %v", got, want)
	}
}

func TestParseQuery(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name    string
		query   string
		want    Params // overrides of the defaults
		wantErr string
	}{
		{name: "empty gives defaults", query: ""},

		// int
		{name: "int min", query: "goroutines=1", want: Params{"goroutines": 1}},
		{name: "int max", query: "goroutines=256", want: Params{"goroutines": 256}},
		{name: "int min-1", query: "goroutines=0", wantErr: "goroutines must be 1..256, got 0"},
		{name: "int max+1", query: "goroutines=257", wantErr: "goroutines must be 1..256, got 257"},
		{name: "int negative", query: "goroutines=-1", wantErr: "goroutines must be 1..256, got -1"},
		{name: "int letters", query: "goroutines=abc", wantErr: `goroutines must be a whole number 1..256, got "abc"`},
		{name: "int fraction", query: "goroutines=1.5", wantErr: `goroutines must be a whole number 1..256, got "1.5"`},
		{name: "int empty", query: "goroutines=", wantErr: `goroutines must be a whole number 1..256, got ""`},
		{name: "int exponent", query: "goroutines=1e2", want: Params{"goroutines": 100}},
		{name: "int with .0", query: "goroutines=12.0", want: Params{"goroutines": 12}},
		{name: "int huge", query: "goroutines=1e300", wantErr: `goroutines must be a whole number 1..256, got "1e300"`},
		{name: "int spaces trimmed", query: "goroutines=+%207+", want: Params{"goroutines": 7}},

		// float
		{name: "float min", query: "ratio=0", want: Params{"ratio": 0.0}},
		{name: "float max", query: "ratio=1", want: Params{"ratio": 1.0}},
		{name: "float inside", query: "ratio=0.25", want: Params{"ratio": 0.25}},
		{name: "float below min", query: "ratio=-0.001", wantErr: "ratio must be 0..1, got -0.001"},
		{name: "float above max", query: "ratio=1.001", wantErr: "ratio must be 0..1, got 1.001"},
		{name: "float letters", query: "ratio=abc", wantErr: `ratio must be a number 0..1, got "abc"`},
		{name: "float NaN", query: "ratio=NaN", wantErr: `ratio must be a number 0..1, got "NaN"`},
		{name: "float Inf", query: "ratio=Inf", wantErr: `ratio must be a number 0..1, got "Inf"`},

		// bool
		{name: "bool true", query: "locked=true", want: Params{"locked": true}},
		{name: "bool false", query: "locked=false", want: Params{"locked": false}},
		{name: "bool 1", query: "locked=1", want: Params{"locked": true}},
		{name: "bool yes", query: "locked=yes", wantErr: `locked must be true or false, got "yes"`},
		{name: "bool empty", query: "locked=", wantErr: `locked must be true or false, got ""`},

		// choice
		{name: "choice", query: "mode=slow", want: Params{"mode": "slow"}},
		{name: "choice wrong case", query: "mode=SLOW", wantErr: `mode must be one of fast, slow, auto, got "SLOW"`},
		{name: "choice unknown", query: "mode=turbo", wantErr: `mode must be one of fast, slow, auto, got "turbo"`},

		// duration
		{name: "duration with unit", query: "delay=250ms", want: Params{"delay": 250 * time.Millisecond}},
		{name: "duration bare number is ms", query: "delay=100", want: Params{"delay": 100 * time.Millisecond}},
		{name: "duration seconds", query: "delay=1.5s", want: Params{"delay": 1500 * time.Millisecond}},
		{name: "duration min", query: "delay=1ms", want: Params{"delay": time.Millisecond}},
		{name: "duration max", query: "delay=2s", want: Params{"delay": 2 * time.Second}},
		{name: "duration bare max", query: "delay=2000", want: Params{"delay": 2 * time.Second}},
		{name: "duration zero", query: "delay=0", wantErr: "delay must be 1ms..2s, got 0s"},
		{name: "duration below min", query: "delay=999us", wantErr: "delay must be 1ms..2s, got 999µs"},
		{name: "duration above max", query: "delay=2001", wantErr: "delay must be 1ms..2s, got 2.001s"},
		{name: "duration negative", query: "delay=-5ms", wantErr: "delay must be 1ms..2s, got -5ms"},
		{name: "duration bare fraction", query: "delay=1.5", wantErr: `delay must be a duration like 100ms, got "1.5"`},
		{name: "duration letters", query: "delay=soon", wantErr: `delay must be a duration like 100ms, got "soon"`},

		// text
		{name: "text", query: "label=hi+there", want: Params{"label": "hi there"}},
		{name: "text trimmed", query: "label=%20%20x%20", want: Params{"label": "x"}},
		{name: "text empty", query: "label=", want: Params{"label": ""}},
		{name: "text at limit", query: "label=" + strings.Repeat("a", MaxTextLen), want: Params{"label": strings.Repeat("a", MaxTextLen)}},
		{name: "text over limit", query: "label=" + strings.Repeat("a", MaxTextLen+1), wantErr: "label must be at most 200 characters, got 201"},

		// overlong values of other kinds
		{name: "int overlong", query: "goroutines=" + strings.Repeat("1", 300), wantErr: "goroutines must be at most 200 characters, got 300"},
		{name: "bad value clipped", query: "mode=" + long, wantErr: `mode must be one of fast, slow, auto, got "` + long[:40] + `…"`},

		// variants
		{name: "variants one", query: "variants=mutex", want: Params{"variants": []string{"mutex"}}},
		{name: "variants subset", query: "variants=serial,atomic", want: Params{"variants": []string{"serial", "atomic"}}},
		{name: "variants order normalised", query: "variants=atomic,mutex,serial", want: Params{"variants": []string{"serial", "mutex", "atomic"}}},
		{name: "variants duplicates dropped", query: "variants=mutex,mutex,serial,mutex", want: Params{"variants": []string{"serial", "mutex"}}},
		{name: "variants spaces and empty items", query: "variants=+atomic+,,+serial", want: Params{"variants": []string{"serial", "atomic"}}},
		{name: "variants unknown", query: "variants=mutex,bogus", wantErr: `variants must name variants among serial, mutex, atomic, got "bogus"`},
		{name: "variants empty", query: "variants=", wantErr: "variants must name at least one of serial, mutex, atomic"},
		{name: "variants only commas", query: "variants=,,", wantErr: "variants must name at least one of serial, mutex, atomic"},

		// repeat
		{name: "repeat min", query: "repeat=1", want: Params{"repeat": 1}},
		{name: "repeat max", query: "repeat=20", want: Params{"repeat": 20}},
		{name: "one core", query: "cores=1", want: Params{"cores": 1}},
		{name: "no cores", query: "cores=0", wantErr: "cores must be 1..2, got 0"},
		{name: "more cores than the slot", query: "cores=3", wantErr: "cores must be 1..2, got 3"},
		{name: "repeat min-1", query: "repeat=0", wantErr: "repeat must be 1..20, got 0"},
		{name: "repeat max+1", query: "repeat=21", wantErr: "repeat must be 1..20, got 21"},

		// names
		{name: "unknown name", query: "bogus=1", wantErr: "bogus is not a parameter of fake"},
		{name: "unknown name among good ones", query: "goroutines=3&Goroutines=4", wantErr: "Goroutines is not a parameter of fake"},
		{name: "unknown overlong name clipped", query: long + "=1", wantErr: long[:40] + "… is not a parameter of fake"},
		{name: "repeated key", query: "goroutines=1&goroutines=2", wantErr: "goroutines is given more than once"},
		{name: "repeated same value", query: "goroutines=2&goroutines=2", wantErr: "goroutines is given more than once"},
		{name: "repeated overlong name clipped", query: long + "=1&" + long + "=2", wantErr: long[:40] + "… is given more than once"},

		{name: "everything", query: "goroutines=9&ratio=0.75&locked=true&mode=auto&delay=3ms&label=z&variants=mutex&repeat=7",
			want: Params{"goroutines": 9, "ratio": 0.75, "locked": true, "mode": "auto", "delay": 3 * time.Millisecond,
				"label": "z", "variants": []string{"mutex"}, "repeat": 7}},
	}
	info := paramInfo()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatalf("bad test query %q: %v", tc.query, err)
			}
			got, err := ParseQuery(info, q)
			checkParse(t, got, err, withDefaults(tc.want), tc.wantErr, true)
		})
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name          string
		json          string
		want          Params // overrides of the defaults
		wantErr       string
		wantErrPrefix string // for errors that are not a ParamError
	}{
		{name: "empty object", json: `{}`},
		{name: "no body", json: ``},
		{name: "blank body", json: " \n\t"},
		{name: "null", json: `null`},
		{name: "int number", json: `{"goroutines": 8}`, want: Params{"goroutines": 8}},
		{name: "int string", json: `{"goroutines": "8"}`, want: Params{"goroutines": 8}},
		{name: "int exponent", json: `{"goroutines": 1e2}`, want: Params{"goroutines": 100}},
		{name: "int min-1", json: `{"goroutines": 0}`, wantErr: "goroutines must be 1..256, got 0"},
		{name: "int max+1", json: `{"goroutines": 257}`, wantErr: "goroutines must be 1..256, got 257"},
		{name: "int negative", json: `{"goroutines": -3}`, wantErr: "goroutines must be 1..256, got -3"},
		{name: "int fraction", json: `{"goroutines": 1.5}`, wantErr: `goroutines must be a whole number 1..256, got "1.5"`},
		{name: "int letters", json: `{"goroutines": "abc"}`, wantErr: `goroutines must be a whole number 1..256, got "abc"`},
		{name: "int as bool", json: `{"goroutines": true}`, wantErr: `goroutines must be a whole number 1..256, got "true"`},
		{name: "array value", json: `{"goroutines": [1]}`, wantErr: "goroutines must be a number, boolean or string, got [1]"},
		{name: "object value", json: `{"goroutines": {"a":1}}`, wantErr: `goroutines must be a number, boolean or string, got {"a":1}`},
		{name: "float", json: `{"ratio": 0.1}`, want: Params{"ratio": 0.1}},
		{name: "float above max", json: `{"ratio": 2}`, wantErr: "ratio must be 0..1, got 2"},
		{name: "bool", json: `{"locked": true}`, want: Params{"locked": true}},
		{name: "bool string", json: `{"locked": "true"}`, want: Params{"locked": true}},
		{name: "bool yes", json: `{"locked": "yes"}`, wantErr: `locked must be true or false, got "yes"`},
		{name: "bool number", json: `{"locked": 2}`, wantErr: `locked must be true or false, got "2"`},
		{name: "choice", json: `{"mode": "auto"}`, want: Params{"mode": "auto"}},
		{name: "duration string", json: `{"delay": "250ms"}`, want: Params{"delay": 250 * time.Millisecond}},
		{name: "duration number is ms", json: `{"delay": 250}`, want: Params{"delay": 250 * time.Millisecond}},
		{name: "duration out of range", json: `{"delay": "3s"}`, wantErr: "delay must be 1ms..2s, got 3s"},
		{name: "duration number overflowing", json: `{"delay": 18446744073710}`, wantErr: `delay must be a duration like 100ms, got "18446744073710"`},
		{name: "duration negative number", json: `{"delay": -5}`, wantErr: `delay must be a duration like 100ms, got "-5"`},
		{name: "text", json: `{"label": "  hi  "}`, want: Params{"label": "hi"}},
		{name: "variants string", json: `{"variants": "mutex,serial"}`, want: Params{"variants": []string{"serial", "mutex"}}},
		{name: "variants array", json: `{"variants": ["mutex"]}`, wantErr: `variants must be a number, boolean or string, got ["mutex"]`},
		{name: "repeat", json: `{"repeat": 20}`, want: Params{"repeat": 20}},
		{name: "repeat max+1", json: `{"repeat": 21}`, wantErr: "repeat must be 1..20, got 21"},
		{name: "unknown name", json: `{"bogus": 1}`, wantErr: "bogus is not a parameter of fake"},
		{name: "name in other case", json: `{"Goroutines": 8}`, wantErr: "Goroutines is not a parameter of fake"},
		{name: "int hex float", json: `{"goroutines": "0x1p3"}`, wantErr: `goroutines must be a whole number 1..256, got "0x1p3"`},
		{name: "int underscores", json: `{"goroutines": "8_0"}`, wantErr: `goroutines must be a whole number 1..256, got "8_0"`},
		{name: "int plus sign", json: `{"goroutines": "+8"}`, wantErr: `goroutines must be a whole number 1..256, got "+8"`},
		{name: "int hex", json: `{"goroutines": "0x10"}`, wantErr: `goroutines must be a whole number 1..256, got "0x10"`},
		{name: "float hex", json: `{"ratio": "0x1p-2"}`, wantErr: `ratio must be a number 0..1, got "0x1p-2"`},
		{name: "float underscores", json: `{"ratio": "0.2_5"}`, wantErr: `ratio must be a number 0..1, got "0.2_5"`},
		{name: "float plus sign", json: `{"ratio": "+0.5"}`, wantErr: `ratio must be a number 0..1, got "+0.5"`},
		{name: "float inf", json: `{"ratio": "inf"}`, wantErr: `ratio must be a number 0..1, got "inf"`},
		{name: "duration plus ms", json: `{"delay": "+250"}`, wantErr: `delay must be a duration like 100ms, got "+250"`},
		{name: "bad value under an overlong name clipped", json: `{"` + strings.Repeat("n", 100) + `": [1]}`,
			wantErr: strings.Repeat("n", 40) + "… must be a number, boolean or string, got [1]"},
		{name: "top-level array", json: `[1, 2]`, wantErrPrefix: "params must be a JSON object: "},
		{name: "top-level string", json: `"goroutines=1"`, wantErrPrefix: "params must be a JSON object: "},
		{name: "broken JSON", json: `{"goroutines": `, wantErrPrefix: "params must be a JSON object: "},
	}
	info := paramInfo()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseJSON(info, []byte(tc.json))
			if tc.wantErrPrefix != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErrPrefix) {
					t.Fatalf("got error %v (Params %v), want one starting %q", err, got, tc.wantErrPrefix)
				}
				var pe *ParamError
				if errors.As(err, &pe) {
					t.Errorf("got *ParamError %v, want a plain error", pe)
				}
				return
			}
			checkParse(t, got, err, withDefaults(tc.want), tc.wantErr, true)
		})
	}
}

func TestParseMap(t *testing.T) {
	tests := []struct {
		name    string
		raw     map[string]string
		want    Params
		wantErr string
	}{
		{name: "nil map gives defaults", raw: nil},
		{name: "empty map gives defaults", raw: map[string]string{}},
		{name: "some values", raw: map[string]string{"goroutines": "256", "delay": "2000", "variants": "atomic,serial"},
			want: Params{"goroutines": 256, "delay": 2 * time.Second, "variants": []string{"serial", "atomic"}}},
		{name: "int min-1", raw: map[string]string{"goroutines": "0"}, wantErr: "goroutines must be 1..256, got 0"},
		{name: "duration out of range", raw: map[string]string{"delay": "0ms"}, wantErr: "delay must be 1ms..2s, got 0s"},
		{name: "unknown name", raw: map[string]string{"workers": "3"}, wantErr: "workers is not a parameter of fake"},
		{name: "variants unknown", raw: map[string]string{"variants": "Mutex"}, wantErr: `variants must name variants among serial, mutex, atomic, got "Mutex"`},
		{name: "as Encode writes the defaults", raw: paramDefaults().Encode(paramInfo())},
	}
	info := paramInfo()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMap(info, tc.raw)
			checkParse(t, got, err, withDefaults(tc.want), tc.wantErr, true)
		})
	}
}

func TestAllParams(t *testing.T) {
	tests := []struct {
		name                 string
		repeat, maxRepeat    int
		wantDefault, wantMax string
	}{
		{name: "zero means 10 and 50", wantDefault: "10", wantMax: "50"},
		{name: "set", repeat: 3, maxRepeat: 20, wantDefault: "3", wantMax: "20"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := paramInfo()
			info.Repeat, info.MaxRepeat = tc.repeat, tc.maxRepeat
			all := AllParams(info)
			if got, want := len(all), len(info.Params)+4; got != want {
				t.Fatalf("got %d params, want %d", got, want)
			}
			v, r, c, tr := all[len(all)-4], all[len(all)-3], all[len(all)-2], all[len(all)-1]
			if tr.Name != "trace" || tr.Kind != KindBool || tr.Default != "false" || !strings.Contains(tr.Help, "slows") {
				t.Errorf("got trace param %+v, want name trace, kind bool, default false, a help that says tracing slows the trial", tr)
			}
			if c.Name != "cores" || c.Kind != KindInt || c.Default != "2" || bounds(c) != "1..2" {
				t.Errorf("got cores param %+v, want name cores, kind int, default 2, bounds 1..2", c)
			}
			if v.Name != "variants" || v.Kind != KindVariants || v.Default != "serial,mutex,atomic" {
				t.Errorf("got variants param %+v, want name variants, kind variants, default serial,mutex,atomic", v)
			}
			if got, want := v.Choices, []string{"serial", "mutex", "atomic"}; !reflect.DeepEqual(got, want) {
				t.Errorf("got variant choices %v, want %v", got, want)
			}
			if r.Name != "repeat" || r.Kind != KindInt || r.Min != 1 {
				t.Errorf("got repeat param %+v, want name repeat, kind int, min 1", r)
			}
			if r.Default != tc.wantDefault {
				t.Errorf("got repeat default %q, want %q", r.Default, tc.wantDefault)
			}
			if got := bounds(r); got != "1.."+tc.wantMax {
				t.Errorf("got repeat bounds %q, want %q", got, "1.."+tc.wantMax)
			}
			// AllParams must not write into the experiment's own slice.
			if len(info.Params) != 6 {
				t.Errorf("got %d experiment params after AllParams, want 6", len(info.Params))
			}
		})
	}
}

func TestParamsAccessors(t *testing.T) {
	p, err := ParseQuery(paramInfo(), url.Values{
		"goroutines": {"9"}, "ratio": {"0.75"}, "locked": {"true"}, "mode": {"slow"},
		"delay": {"250ms"}, "label": {"tag"}, "variants": {"atomic,serial"}, "repeat": {"4"},
	})
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{name: "Int", got: p.Int("goroutines"), want: 9},
		{name: "Float", got: p.Float("ratio"), want: 0.75},
		{name: "Bool", got: p.Bool("locked"), want: true},
		{name: "String choice", got: p.String("mode"), want: "slow"},
		{name: "String text", got: p.String("label"), want: "tag"},
		{name: "Duration", got: p.Duration("delay"), want: 250 * time.Millisecond},
		{name: "Variants", got: p.Variants(), want: []string{"serial", "atomic"}},
		{name: "Repeat", got: p.Repeat(), want: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

func TestParamsEncode(t *testing.T) {
	info := paramInfo()
	p := withDefaults(Params{"delay": 1500 * time.Millisecond, "label": "a b&c=d", "variants": []string{"serial", "atomic"}, "ratio": 0.125})
	wantQuery := "goroutines=5&ratio=0.125&locked=false&mode=fast&delay=1.5s&label=a+b%26c%3Dd&variants=serial%2Catomic&repeat=3&cores=2&trace=false"
	if got := p.Query(info); got != wantQuery {
		t.Errorf("got Query %q, want %q", got, wantQuery)
	}
	wantMap := map[string]string{
		"goroutines": "5", "ratio": "0.125", "locked": "false", "mode": "fast",
		"delay": "1.5s", "label": "a b&c=d", "variants": "serial,atomic", "repeat": "3", "cores": "2", "trace": "false",
	}
	if got := p.Encode(info); !reflect.DeepEqual(got, wantMap) {
		t.Errorf("got Encode %v, want %v", got, wantMap)
	}
	wantJSON := map[string]any{
		"goroutines": 5, "ratio": 0.125, "locked": false, "mode": "fast",
		"delay": "1.5s", "label": "a b&c=d", "variants": "serial,atomic", "repeat": 3, "cores": 2, "trace": false,
	}
	if got := p.JSON(info); !reflect.DeepEqual(got, wantJSON) {
		t.Errorf("got JSON %v, want %v", got, wantJSON)
	}
}

// roundTrip checks that p survives Query, Encode and JSON unchanged.
func roundTrip(t *testing.T, info Info, p Params) {
	t.Helper()
	q := p.Query(info)
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatalf("url.ParseQuery(%q): got error %v, want none", q, err)
	}
	p2, err := ParseQuery(info, v)
	if err != nil {
		t.Fatalf("ParseQuery(%q): got error %v, want none", q, err)
	}
	if !reflect.DeepEqual(p2, p) {
		t.Errorf("via Query %q: got %v, want %v", q, p2, p)
	}

	p3, err := ParseMap(info, p.Encode(info))
	if err != nil {
		t.Fatalf("ParseMap(Encode): got error %v, want none", err)
	}
	if !reflect.DeepEqual(p3, p) {
		t.Errorf("via Encode: got %v, want %v", p3, p)
	}

	if label, ok := p["label"].(string); ok && !utf8.ValidString(label) {
		return // encoding/json replaces invalid UTF-8: not lab's to keep
	}
	data, err := json.Marshal(p.JSON(info))
	if err != nil {
		t.Fatalf("json.Marshal(JSON): got error %v, want none", err)
	}
	p4, err := ParseJSON(info, data)
	if err != nil {
		t.Fatalf("ParseJSON(%s): got error %v, want none", data, err)
	}
	if !reflect.DeepEqual(p4, p) {
		t.Errorf("via JSON %s: got %v, want %v", data, p4, p)
	}
}

func TestParamsRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		query string
	}{
		{name: "defaults", query: ""},
		{name: "bounds", query: "goroutines=256&ratio=0&delay=1ms&repeat=20"},
		{name: "odd text", query: "label=%26%3D%2C%3B+%E2%9C%93%25"},
		{name: "long duration forms", query: "delay=1.999s"},
		{name: "sub-ms duration", query: "delay=1.5ms"},
		{name: "float precision", query: "ratio=0.1234567890123"},
		{name: "variants reordered", query: "variants=atomic,serial"},
		{name: "text at limit", query: "label=" + strings.Repeat("é", MaxTextLen/2)},
	}
	info := paramInfo()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatalf("bad test query %q: %v", tc.query, err)
			}
			p, err := ParseQuery(info, v)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			roundTrip(t, info, p)
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	f.Add("")
	f.Add("goroutines=7&delay=250ms&variants=atomic,serial")
	f.Add("goroutines=1e2&ratio=0.5&locked=1&mode=auto&label=%20x%20&repeat=20")
	f.Add("delay=100&variants=mutex,mutex")
	f.Add("goroutines=0")
	f.Add("goroutines=1&goroutines=1")
	f.Add("label=%ff%fe&ratio=-0")
	f.Add("bogus=1")
	info := paramInfo()
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		p, err := ParseQuery(info, v)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("got an empty error message for %q, want a message", query)
			}
			if p != nil {
				t.Fatalf("got Params %v with error %v, want nil", p, err)
			}
			return
		}
		roundTrip(t, info, p)
	})
}

func TestParseCheck(t *testing.T) {
	// Check sees every parsed value, defaults included, and only after each
	// passed its own bounds.
	check := func(p Params) error {
		if p.Int("goroutines")*p.Repeat() > 100 {
			return &ParamError{Name: "goroutines × repeat", Msg: "must be at most 100"}
		}
		if p.String("mode") == "auto" && !p.Bool("locked") {
			return errors.New("auto needs locked")
		}
		return nil
	}
	tests := []struct {
		name    string
		query   string
		want    Params
		wantErr string
		wantPE  bool
	}{
		{name: "defaults pass", query: ""},
		{name: "at the joint limit", query: "goroutines=50&repeat=2", want: Params{"goroutines": 50, "repeat": 2}},
		{name: "over the joint limit", query: "goroutines=51&repeat=2", wantErr: "goroutines × repeat must be at most 100", wantPE: true},
		{name: "own bound first", query: "goroutines=500&repeat=2", wantErr: "goroutines must be 1..256, got 500", wantPE: true},
		{name: "plain error", query: "mode=auto", wantErr: "auto needs locked"},
		{name: "plain error satisfied", query: "mode=auto&locked=true", want: Params{"mode": "auto", "locked": true}},
	}
	info := paramInfo()
	info.Check = check
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatalf("bad test query %q: %v", tc.query, err)
			}
			got, err := ParseQuery(info, v)
			checkParse(t, got, err, withDefaults(tc.want), tc.wantErr, tc.wantPE)
		})
	}
	const wantErr = "goroutines × repeat must be at most 100"
	if _, err := ParseMap(info, map[string]string{"goroutines": "51", "repeat": "2"}); err == nil || err.Error() != wantErr {
		t.Errorf("ParseMap over the joint limit: got error %v, want %q", err, wantErr)
	}
	if _, err := ParseJSON(info, []byte(`{"goroutines": 51, "repeat": 2}`)); err == nil || err.Error() != wantErr {
		t.Errorf("ParseJSON over the joint limit: got error %v, want %q", err, wantErr)
	}
}
