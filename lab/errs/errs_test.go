package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	base := New(NotFound, "no such run")
	tests := []struct {
		name string
		err  error
		want Kind
		msg  string
	}{
		{"new", base, NotFound, "no such run"},
		{"wrapped", fmt.Errorf("lab: get: %w", base), NotFound, "lab: get: no such run"},
		{"marked", Mark(Busy, errors.New("too many")), Busy, "too many"},
		{"outermost wins", Mark(Conflict, fmt.Errorf("x: %w", base)), Conflict, "x: no such run"},
		{"plain", errors.New("disk on fire"), Other, "disk on fire"},
		{"nil", nil, Other, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf: got %v, want %v", got, tt.want)
			}
			if tt.err != nil && tt.err.Error() != tt.msg {
				t.Errorf("message: got %q, want %q", tt.err.Error(), tt.msg)
			}
			if tt.want != Other && !errors.Is(tt.err, tt.want) {
				t.Errorf("errors.Is(err, %v) = false, want true", tt.want)
			}
		})
	}
	inner := errors.New("inner")
	if !errors.Is(Mark(Invalid, inner), inner) {
		t.Error("Mark hides the error it marks from errors.Is")
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name, s string
		max     int
		want    string
	}{
		{"short", "race", 40, "race"},
		{"exactly max", "abcd", 4, "abcd"},
		{"long", "abcdef", 4, "abcd…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Truncate(tt.s, tt.max); got != tt.want {
				t.Errorf("Truncate(%q, %d): got %q, want %q", tt.s, tt.max, got, tt.want)
			}
		})
	}
}
