// Package prose writes the small pieces of English that verdicts share:
// counts with their noun, numbers with thousands separators, lists.
package prose

import (
	"fmt"
	"strings"

	"concurrencylab/lab"
)

// Plural writes n with its noun: "1 trial", "3 trials".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Group is lab.Group, for the verdicts that still call it here.
//
// Deprecated: use lab.Group.
func Group(n int64) string { return lab.Group(n) }

// List joins words as prose: "a", "a and b", "a, b and c".
func List(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
