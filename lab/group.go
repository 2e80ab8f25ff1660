package lab

import "strconv"

// Group writes n with thousands separators, as every page, verdict and
// error message of the lab writes a count: 500,000.
func Group(n int64) string {
	if n < 0 {
		return "-" + Group(-n)
	}
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
