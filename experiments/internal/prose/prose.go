// Package prose writes the small pieces of English that verdicts share:
// counts with their noun, numbers with thousands separators, lists.
package prose

import (
	"fmt"
	"math"
	"strconv"
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

// Number writes x as lab.Group does, with its fraction to one place where it
// has one: a median of an even number of whole answers ends in .5.
func Number(x float64) string {
	r := math.Round(x*10) / 10
	if r == math.Trunc(r) {
		return lab.Group(int64(r))
	}
	whole, frac, _ := strings.Cut(strconv.FormatFloat(math.Abs(r), 'f', 1, 64), ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	sign := ""
	if r < 0 {
		sign = "-"
	}
	return sign + lab.Group(n) + "." + frac
}

// List joins words as prose: "a", "a and b", "a, b and c".
func List(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
