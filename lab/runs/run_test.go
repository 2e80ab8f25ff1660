package runs

import (
	"strings"
	"testing"
)

const idAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

func TestNewID(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{name: "empty", n: 0},
		{name: "one", n: 1},
		{name: "run id", n: 10},
		{name: "longest valid", n: 32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := NewID(tc.n)
			if len(id) != tc.n {
				t.Fatalf("got %q of length %d, want length %d", id, len(id), tc.n)
			}
			for _, c := range id {
				if !strings.ContainsRune(idAlphabet, c) {
					t.Errorf("got %q with %q, want only %s", id, c, idAlphabet)
				}
			}
			if want := tc.n > 0; ValidID(id) != want {
				t.Errorf("got ValidID(%q) %v, want %v", id, !want, want)
			}
		})
	}
}

func TestNewIDUnique(t *testing.T) {
	const n = 5000
	seen := make(map[string]bool, n)
	used := make(map[rune]bool)
	for range n {
		id := NewID(10)
		if seen[id] {
			t.Fatalf("got %q twice in %d ids, want every id unique", id, n)
		}
		seen[id] = true
		for _, c := range id {
			used[c] = true
		}
	}
	// 50,000 symbols drawn: every one of the 31 shows up unless the
	// generator is broken.
	if got, want := len(used), len(idAlphabet); got != want {
		t.Errorf("got %d distinct symbols in %d ids, want %d", got, n, want)
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{name: "made by NewID", id: "k7m2p9x3za", want: true},
		{name: "one char", id: "a", want: true},
		{name: "32 chars", id: strings.Repeat("a", 32), want: true},
		{name: "33 chars", id: strings.Repeat("a", 33), want: false},
		{name: "empty", id: "", want: false},
		{name: "upper case", id: "ABC", want: false},
		{name: "dash", id: "abc-def", want: false},
		{name: "slash", id: "../etc", want: false},
		{name: "space", id: "ab cd", want: false},
		{name: "non-ASCII", id: "abcé", want: false},
		{name: "NUL", id: "ab\x00", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidID(tc.id); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStatusFinal(t *testing.T) {
	tests := []struct {
		name Status
		want bool
	}{
		{StatusQueued, false}, {StatusRunning, false},
		{StatusDone, true}, {StatusFailed, true}, {StatusCancelled, true}, {StatusInterrupted, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.name), func(t *testing.T) {
			if got := tc.name.Final(); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
