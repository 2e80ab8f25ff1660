package lab

import (
	"fmt"
	"maps"
	"net/url"
	"strings"
	"testing"
)

func TestParseLink(t *testing.T) {
	info := paramInfo()
	info.Check = func(p Params) error {
		if p.Int("goroutines")*p.Repeat() > 100 {
			return &ParamError{Name: "goroutines × repeat", Msg: "must be at most 100"}
		}
		return nil
	}
	tests := []struct {
		name    string
		query   string
		kept    map[string]string
		dropped []string // the start of each dropped value's message, in the form's order
	}{
		{name: "all good", query: "goroutines=8&mode=slow", kept: map[string]string{"goroutines": "8", "mode": "slow"}},
		{name: "one out of bounds keeps the others", query: "goroutines=8&delay=99999999&mode=slow",
			kept: map[string]string{"goroutines": "8", "mode": "slow"}, dropped: []string{"delay must be"}},
		{name: "several dropped, named in order", query: "repeat=0&goroutines=x&mode=slow&nope=1",
			kept: map[string]string{"mode": "slow"}, dropped: []string{"goroutines must be a whole number", "repeat must be 1..20", "nope is not a parameter"}},
		{name: "given twice", query: "goroutines=8&goroutines=9&mode=auto",
			kept: map[string]string{"mode": "auto"}, dropped: []string{"goroutines is given more than once"}},
		{name: "together too much: the later one goes", query: "goroutines=20&repeat=10",
			kept: map[string]string{"goroutines": "20"}, dropped: []string{`repeat "10" does not fit the others: goroutines × repeat must be at most 100`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			kept, dropped := ParseLink(info, q)
			if !maps.Equal(kept, tc.kept) {
				t.Errorf("kept %v, want %v", kept, tc.kept)
			}
			if len(dropped) != len(tc.dropped) {
				t.Fatalf("dropped %v, want %d: %v", dropped, len(tc.dropped), tc.dropped)
			}
			for i, err := range dropped {
				if !strings.HasPrefix(err.Error(), tc.dropped[i]) {
					t.Errorf("dropped[%d] = %q, want it to start %q", i, err, tc.dropped[i])
				}
			}
			if _, err := ParseMap(info, kept); err != nil {
				t.Errorf("the values kept do not parse: %v", err)
			}
		})
	}
}

func TestParseLinkNothingFits(t *testing.T) {
	// No single value's removal satisfies Check: every value goes.
	info := paramInfo()
	info.Check = func(p Params) error {
		if p.String("label") == "hello" {
			return fmt.Errorf("label must be changed")
		}
		return nil
	}
	info.Params[5].Default = "hello"
	kept, dropped := ParseLink(info, url.Values{"goroutines": {"8"}})
	if len(kept) != 0 || len(dropped) != 1 || dropped[0].Error() != "label must be changed" {
		t.Errorf("got kept %v, dropped %v, want nothing kept and Check's error", kept, dropped)
	}
}
