// Package prose writes the small pieces of English that verdicts share:
// counts with their noun, numbers with thousands separators, lists.
package prose

import (
	"fmt"
	"strings"
)

// Plural writes n with its noun: "1 trial", "3 trials".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Group writes n with thousands separators: 500,000.
func Group(n int64) string {
	if n < 0 {
		return "-" + Group(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// List joins words as prose: "a", "a and b", "a, b and c".
func List(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
