package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"concurrencylab/lab"
)

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown experiment", []string{"-experiment", "pixels"}, `-experiment must be race or locked, got "pixels"`},
		{"no goroutines", []string{"-goroutines", "0"}, "-goroutines must be 1..256, got 0"},
		{"too many goroutines", []string{"-goroutines", "257"}, "-goroutines must be 1..256, got 257"},
		{"no increments", []string{"-increments", "0"}, "-increments must be 1..10000000, got 0"},
		{"stray argument", []string{"mutex"}, `unexpected arguments ["mutex"]`},
		{"unknown flag", []string{"-threads", "2"}, "flag provided but not defined: -threads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
			if stdout.Len() > 0 {
				t.Errorf("got output %q, want none", stdout.String())
			}
		})
	}
}

// The synchronized counters run in this process too. The racy one runs only
// in the child processes the detector tests start: here, under -race, it
// would fail this test, and without -race racecounter refuses to run.
func TestRunCountsWithAMutex(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run([]string{"-variant", "mutex", "-goroutines", "3", "-increments", "500"}, &stdout, &stderr)
	if !lab.RaceEnabled {
		if err == nil || !strings.Contains(err.Error(), "built without -race") {
			t.Errorf("got error %v, want one saying it was built without -race", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stdout.String(), "counted 1500 of 1500\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// get-set loses updates without a data race: in this race-built test the
// detector would fail the test at the first race, and the count may fall
// short of 2 × 20,000 without one.
func TestRunGetSetHasNoDataRace(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run([]string{"-variant", "get-set", "-goroutines", "2", "-increments", "20000"}, &stdout, &stderr)
	if !lab.RaceEnabled {
		if err == nil || !strings.Contains(err.Error(), "built without -race") {
			t.Errorf("got error %v, want one saying it was built without -race", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	var got int
	if _, err := fmt.Sscanf(stdout.String(), "counted %d of 40000\n", &got); err != nil || got < 1 || got > 40000 {
		t.Errorf("got %q, want counted 1..40000 of 40000", stdout.String())
	}
}
